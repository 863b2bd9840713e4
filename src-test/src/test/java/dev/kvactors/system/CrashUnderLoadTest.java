package dev.kvactors.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvactors.KvSettings;
import dev.kvactors.KvStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of {@code kv stress} at a random moment, many times, in fsync and flush modes:
 * after each, the store reopens, and every key's state is one the acknowledged writes allow. The
 * number of trials is {@code -Dkv.crash.trials} (default 20), the seed {@code -Dkv.crash.seed}.
 */
class CrashUnderLoadTest {
  static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void noAcknowledgedWriteIsLostWhenTheProcessIsKilledUnderLoad() throws Exception {
    int trials = Integer.getInteger("kv.crash.trials", 20);
    long seed = Long.getLong("kv.crash.seed", System.nanoTime() % 1_000_000);
    System.out.println("crash trials: " + trials + ", seed " + seed + " (rerun with -Dkv.crash.seed=" + seed + ")");
    Random random = new Random(seed);
    long acknowledged = 0;
    int[] perMode = new int[2];
    List<String> violations = new ArrayList<>();
    for (int trial = 0; trial < trials && violations.isEmpty(); trial++) {
      String mode = trial % 2 == 0 ? "fsync" : "flush";
      perMode[trial % 2]++;
      Path trialDir = dir.resolve("trial-" + trial);
      Files.createDirectories(trialDir);
      Path data = trialDir.resolve("data");
      Path acks = trialDir.resolve("acks.log");
      Path conf = trialDir.resolve("mode.conf");
      Files.writeString(conf, "kv.durability = " + mode + "\n");
      int killAfterMs = 100 + random.nextInt(900);

      Process stress = KvProgram.start(data, trialDir.resolve("stress.err"), "--config", conf.toString(),
          "stress", "--ack-log", acks.toString(), "--clients", "8", "--seed", String.valueOf(random.nextLong()));
      try {
        waitForFirstAck(acks, stress);
        Thread.sleep(killAfterMs); // the random moment of the kill, not a timing assertion
      } finally {
        KvProgram.kill(stress);
      }

      AckLog log = AckLog.read(acks);
      acknowledged += log.acknowledged;
      try (KvStore store = KvStore.open(KvSettings.defaults(data))) {
        List<String> keys = KvStore.await(store.keys(""), WAIT);
        for (String key : keys) {
          if (!log.byKey.containsKey(key)) {
            violations.add("trial " + trial + " (" + mode + "): " + key + " was never written");
          }
        }
        for (String key : log.byKey.keySet()) {
          Optional<String> found = KvStore.await(store.getString(key), WAIT);
          String where = "trial " + trial + " (" + mode + "): ";
          log.violation(key, found).ifPresent(v -> violations.add(where + v));
        }
      }
      if (violations.isEmpty()) {
        deleteTree(trialDir); // keep the evidence only of a failed trial
      } else {
        violations.add("evidence kept in " + trialDir + " (kill after " + killAfterMs + " ms)");
      }
    }
    System.out.printf("crash trials: %d (fsync %d, flush %d), writes acknowledged %d, acknowledged writes lost %d,"
        + " seed %d%n", perMode[0] + perMode[1], perMode[0], perMode[1], acknowledged, violations.isEmpty() ? 0
        : violations.size() - 1, seed);
    assertEquals(List.of(), violations);
    assertTrue(acknowledged > 0, "the trials acknowledged writes");
  }

  private static void waitForFirstAck(Path acks, Process stress) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(acks) && Files.readString(acks).contains("\nA ")) {
        return;
      }
      if (!stress.isAlive()) {
        throw new AssertionError("kv stress exited with " + stress.exitValue() + " before its first acknowledgement");
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no acknowledgement from kv stress within " + WAIT.toSeconds() + " s");
  }

  private static void deleteTree(Path root) throws IOException {
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
