package dev.kvactors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a JVM that commits a stream of transactions ({@link BatchCrashChild}), at a
 * random moment: after a restart every transaction is there whole or not at all (all eight keys of
 * a writer hold the same transaction's value, and its log and counter agree with them), and none
 * that was acknowledged is missing.
 */
class BatchCrashTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final int TRIALS = Integer.getInteger("kv.batch-crash.trials", 3);

  @TempDir Path dir;

  @Test
  void killDuringAStreamOfTransactionsLeavesNoPartialTransaction() throws Exception {
    long seed = Long.getLong("kv.batch-crash.seed", System.nanoTime());
    Random random = new Random(seed);
    System.out.println("BatchCrashTest seed " + seed + " (-Dkv.batch-crash.seed=" + seed + " repeats it)");
    for (int trial = 0; trial < TRIALS; trial++) {
      Path data = dir.resolve("data-" + trial);
      Path acks = dir.resolve("acks-" + trial);
      Files.createFile(acks);
      int killAfter = 40 + random.nextInt(400);
      Process child = start(data, acks, trial);
      try {
        waitForAcks(child, acks, killAfter, trial);
      } finally {
        child.destroyForcibly(); // SIGKILL
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child did not die");
      }
      check(data, acks, trial);
    }
  }

  private Process start(Path data, Path acks, int trial) throws IOException {
    List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), BatchCrashChild.class.getName(), data.toString(),
        acks.toString());
    return new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("child-" + trial + ".out").toFile()).start();
  }

  /** Waits (up to two minutes) until the child has acknowledged {@code count} transactions. */
  private void waitForAcks(Process child, Path acks, int count, int trial) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (lines(acks) < count) {
      if (!child.isAlive()) {
        throw new AssertionError("the child exited with " + child.exitValue() + "; see "
            + dir.resolve("child-" + trial + ".out") + ":\n" + Files.readString(dir.resolve("child-" + trial + ".out")));
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the child acknowledged fewer than " + count + " transactions in two minutes");
      }
      child.waitFor(20, TimeUnit.MILLISECONDS);
    }
  }

  private static long lines(Path file) throws IOException {
    return Files.readAllLines(file).size();
  }

  private void check(Path data, Path acks, int trial) throws IOException {
    Map<Integer, Integer> lastAcked = new HashMap<>();
    for (String line : Files.readAllLines(acks)) {
      String[] parts = line.split(" ");
      if (parts.length == 2) { // a line cut by the kill is not an acknowledgement we rely on
        lastAcked.merge(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Math::max);
      }
    }
    int transactions = 0;
    try (KvStore store = KvStore.open(BatchCrashChild.config(data))) {
      KvStore.Blocking kv = store.blocking();
      for (int w = 0; w < BatchCrashChild.WRITERS; w++) {
        Optional<String> count = kv.getString(w + "-count");
        int applied = count.map(Integer::parseInt).orElse(0); // transactions 0 .. applied-1 are in
        int acked = lastAcked.getOrDefault(w, -1);
        assertTrue(applied >= acked + 1, "writer " + w + ": " + applied + " transactions recovered but "
            + (acked + 1) + " were acknowledged");
        assertTrue(applied <= acked + 2, "writer " + w + ": at most one unacknowledged transaction in flight");
        List<String> expectedLog = new ArrayList<>();
        for (int i = 0; i < applied; i++) {
          expectedLog.add(Integer.toString(i));
        }
        String log = kv.getString(w + "-log").orElse("");
        assertEquals(applied == 0 ? "" : String.join(",", expectedLog) + ",", log, "writer " + w + "'s log");
        for (int k = 0; k < BatchCrashChild.KEYS_PER_BATCH; k++) {
          Optional<String> value = kv.getString(w + "-" + k);
          assertEquals(applied == 0 ? Optional.empty() : Optional.of(BatchCrashChild.value(applied - 1)), value,
              "writer " + w + " key " + k + ": the value of its last transaction, whole");
        }
        transactions += applied;
      }
    }
    System.out.printf("trial %d: killed after %d acknowledged transactions; %d recovered, all whole%n", trial,
        lastAcked.values().stream().mapToInt(i -> i + 1).sum(), transactions);
    assertTrue(transactions > 0);
  }
}
