package dev.kvactors.cli;

import dev.kvactors.KvException;
import dev.kvactors.KvStore;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * The load driver of the crash tests: concurrent clients set and delete keys, some shared by all
 * clients and some each client's own, with values that are never written twice. Every request is
 * logged before it is sent ({@code I client seq set|del key [value]}) and every acknowledgement
 * after it arrives ({@code A client seq}), one line at a time straight to the OS, so a process
 * killed at any moment leaves a log that says exactly what was acknowledged.
 */
@Command(name = "stress", hidden = true,
    description = "Concurrent sets and deletes on shared and own keys, logging each request and acknowledgement.")
final class StressCommand implements Callable<Integer> {
  @ParentCommand
  Kv kv;

  @Option(names = "--ack-log", required = true, paramLabel = "FILE")
  Path ackLog;

  @Option(names = "--clients", defaultValue = "8")
  int clients;

  @Option(names = "--shared-keys", defaultValue = "64", description = "Keys all clients write.")
  int sharedKeys;

  @Option(names = "--own-keys", defaultValue = "16", description = "Keys each client alone writes.")
  int ownKeys;

  @Option(names = "--ops", defaultValue = "1000000", description = "Requests per client before it stops.")
  int ops;

  @Option(names = "--seed", defaultValue = "1")
  long seed;

  private FileOutputStream log;

  @Override
  public Integer call() throws Exception {
    Duration timeout;
    try (KvStore store = kv.openStore(); FileOutputStream out = new FileOutputStream(ackLog.toFile(), true)) {
      log = out;
      timeout = store.settings().requestTimeout();
      ExecutorService pool = Executors.newFixedThreadPool(clients);
      try {
        List<Future<?>> running = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
          int client = c;
          running.add(pool.submit(() -> runClient(store, client, timeout)));
        }
        for (Future<?> f : running) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
      }
    }
    return Kv.EXIT_OK;
  }

  private void runClient(KvStore store, int client, Duration timeout) {
    Random random = new Random(seed * 1_000_003L + client);
    for (int seq = 0; seq < ops; seq++) {
      String key = random.nextInt(100) < 70
          ? "s-" + random.nextInt(sharedKeys)
          : "c" + client + "-" + random.nextInt(ownKeys);
      boolean delete = random.nextInt(100) < 15;
      String value = delete ? null : "c" + client + "-" + seq + "-" + "x".repeat(80);
      line("I " + client + " " + seq + (delete ? " del " + key : " set " + key + " " + value));
      try {
        if (delete) {
          KvStore.await(store.delete(key), timeout);
        } else {
          KvStore.await(store.set(key, value.getBytes(StandardCharsets.UTF_8)), timeout);
        }
        line("A " + client + " " + seq);
      } catch (KvException | CompletionException e) {
        line("E " + client + " " + seq + " " + e.getMessage().replace('\n', ' '));
      }
    }
  }

  /** One line straight to the OS: it survives a kill of this process. */
  private void line(String text) {
    byte[] bytes = (text + "\n").getBytes(StandardCharsets.UTF_8);
    synchronized (this) {
      try {
        log.write(bytes);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
