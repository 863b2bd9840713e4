package dev.kvactors.server;

import dev.kvactors.KeyValueStore;
import java.util.ArrayList;
import java.util.List;

/**
 * One connection's MULTI and WATCH state: whether a transaction is open, the commands queued in it,
 * whether one was refused when queued (then EXEC answers EXECABORT, as Redis), and the connection's
 * watcher once it has sent WATCH. Used by one stream stage at a time.
 */
final class Multi {
  private boolean open;
  private boolean failed;
  private List<StoreCommand> queued = new ArrayList<>();
  private KeyValueStore.Watcher watcher;
  private boolean watching;

  boolean open() {
    return open;
  }

  void begin() {
    open = true;
    failed = false;
    queued = new ArrayList<>();
  }

  void queue(StoreCommand command) {
    queued.add(command);
  }

  /** A command was refused when queued: EXEC will discard the transaction. */
  void fail() {
    failed = true;
  }

  boolean failed() {
    return failed;
  }

  /** Ends the transaction (EXEC, DISCARD); returns what was queued. */
  List<StoreCommand> end() {
    List<StoreCommand> commands = queued;
    open = false;
    failed = false;
    queued = new ArrayList<>();
    return commands;
  }

  /** The connection's watcher, made on its first WATCH; null before. */
  KeyValueStore.Watcher watcher() {
    return watcher;
  }

  KeyValueStore.Watcher watch() {
    if (watcher == null) {
      watcher = KeyValueStore.Watcher.next();
    }
    watching = true;
    return watcher;
  }

  /** Whether keys are watched now (after WATCH, until EXEC, DISCARD or UNWATCH). */
  boolean watching() {
    return watching;
  }

  void unwatched() {
    watching = false;
  }
}
