package dev.kvactors.server;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Counters of one server, for {@code INFO}. Thread-safe. */
final class ServerStats {
  private final long startedMillis = System.currentTimeMillis();
  private final AtomicLong connectionsReceived = new AtomicLong();
  private final AtomicLong connectionsRejected = new AtomicLong();
  private final AtomicInteger connected = new AtomicInteger();
  private final AtomicLong commandsProcessed = new AtomicLong();
  private final AtomicLong protocolErrors = new AtomicLong();
  private final CommandStats commands = new CommandStats();

  /** Counts a new connection and returns its client id (1, 2, ...). */
  long connectionReceived() {
    return connectionsReceived.incrementAndGet();
  }

  /** Counts a served connection; false (and nothing counted) if {@code max} are already served. */
  boolean tryConnect(int max) {
    while (true) {
      int now = connected.get();
      if (now >= max) {
        connectionsRejected.incrementAndGet();
        return false;
      }
      if (connected.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  void disconnected() {
    connected.decrementAndGet();
  }

  void commandProcessed() {
    commandsProcessed.incrementAndGet();
  }

  void protocolError() {
    protocolErrors.incrementAndGet();
  }

  long uptimeSeconds() {
    return (System.currentTimeMillis() - startedMillis) / 1000;
  }

  long connectionsReceived() {
    return connectionsReceived.get();
  }

  long connectionsRejected() {
    return connectionsRejected.get();
  }

  int connected() {
    return connected.get();
  }

  long commandsProcessed() {
    return commandsProcessed.get();
  }

  CommandStats commands() {
    return commands;
  }

  long protocolErrors() {
    return protocolErrors.get();
  }
}
