package dev.kvactors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvactors.internal.storage.CrashPoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Stops a child JVM at each named point of the write path (as a kill or power cut would), then
 * reopens its data directory without any repair: every acknowledged operation is there, deadlines
 * included, and the only change beyond them is the one operation that was in flight.
 */
class CrashPointTest {
  static final int OPERATIONS = 3000;
  static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  @ParameterizedTest(name = "{0} (time {1})")
  @CsvSource({
      "LOG_WRITTEN_BEFORE_SYNC, 300",
      "LOG_SYNCED_BEFORE_ACK, 300",
      "SNAPSHOT_TEMP_PARTLY_WRITTEN, 2",
      "SNAPSHOT_RENAMED_BEFORE_DIRECTORY_SYNC, 2",
      "COMPACTION_STARTED, 2",
      "COMPACTION_BEFORE_LOG_DELETE, 2",
      "LOG_CREATED_BEFORE_MANIFEST, 2",
      "MANIFEST_TEMP_WRITTEN, 2",
      "MANIFEST_TEMP_WRITTEN, 3",
      "MANIFEST_RENAMED_BEFORE_DIRECTORY_SYNC, 3",
      "MANIFEST_RENAMED_BEFORE_DIRECTORY_SYNC, 4",
  })
  void reopensWithoutRepairAndLosesNothingAcknowledged(CrashPoints.Point point, int nth) throws Exception {
    Path data = dir.resolve("data");
    Path acks = dir.resolve("acks");
    Files.createFile(acks);
    int exit = runChild(data, point, nth, acks);
    assertEquals(CrashPoints.EXIT_STATUS, exit, () -> "the child stopped at " + point + "; its output:\n"
        + childOutput());

    List<String> lines = Files.readAllLines(acks);
    int acknowledged = lines.size();
    assertTrue(acknowledged > 0, "the child acknowledged writes before the crash");
    for (int i = 0; i < acknowledged; i++) {
      assertEquals(String.valueOf(i), lines.get(i), "operations are acknowledged in order");
    }
    Map<String, byte[]> expected = new HashMap<>();
    Map<String, Long> deadlines = new HashMap<>();
    for (int i = 0; i < acknowledged; i++) {
      apply(expected, deadlines, CrashChild.op(i));
    }
    Map<String, byte[]> withInFlight = new HashMap<>(expected);
    Map<String, Long> deadlinesWithInFlight = new HashMap<>(deadlines);
    CrashChild.Op inFlight = CrashChild.op(acknowledged);
    apply(withInFlight, deadlinesWithInFlight, inFlight);

    try (KvStore store = KvStore.open(CrashChild.config(data))) {
      List<String> keys = KvStore.await(store.keys(""), WAIT);
      for (int k = 0; k < CrashChild.KEYS; k++) {
        String key = "k-" + k;
        Optional<byte[]> actual = KvStore.await(store.get(key), WAIT);
        long deadline = KvStore.await(store.ttl(key), WAIT).deadlineMillis();
        boolean asAcknowledged = same(expected.get(key), actual) && deadlines.getOrDefault(key, 0L) == deadline;
        boolean withTheOpInFlight = key.equals(inFlight.key()) && same(withInFlight.get(key), actual)
            && deadlinesWithInFlight.getOrDefault(key, 0L) == deadline;
        assertTrue(asAcknowledged || withTheOpInFlight, () -> key + " after " + acknowledged
            + " acknowledged operations: expected " + show(expected.get(key)) + " (deadline "
            + deadlines.getOrDefault(key, 0L) + ") but found " + show(actual.orElse(null)) + " (deadline "
            + deadline + ")");
      }
      assertTrue(keys.stream().allMatch(k -> k.startsWith("k-")), keys.toString());
    }
    System.out.printf("crash at %s (time %d): %d operations acknowledged, 0 lost%n", point, nth, acknowledged);
  }

  private int runChild(Path data, CrashPoints.Point point, int nth, Path acks)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        CrashChild.class.getName(),
        data.toString(), point.name(), String.valueOf(nth), acks.toString(), String.valueOf(OPERATIONS)));
    Process child = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("child.out").toFile())
        .start();
    if (!child.waitFor(120, TimeUnit.SECONDS)) {
      child.destroyForcibly();
      throw new AssertionError("the child did not finish within 120 s");
    }
    return child.exitValue();
  }

  private String childOutput() {
    try {
      List<String> lines = Files.readAllLines(dir.resolve("child.out"));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  private static void apply(Map<String, byte[]> map, Map<String, Long> deadlines, CrashChild.Op op) {
    switch (op.kind()) {
      case DELETE -> {
        map.remove(op.key());
        deadlines.remove(op.key());
      }
      case EXPIRE_AT -> {
        if (map.containsKey(op.key())) {
          deadlines.put(op.key(), op.deadline());
        }
      }
      default -> {
        map.put(op.key(), op.value());
        if (op.deadline() == 0) {
          deadlines.remove(op.key());
        } else {
          deadlines.put(op.key(), op.deadline());
        }
      }
    }
  }

  private static boolean same(byte[] expected, Optional<byte[]> actual) {
    return expected == null ? actual.isEmpty() : actual.isPresent() && Arrays.equals(expected, actual.get());
  }

  private static String show(byte[] value) {
    return value == null ? "nothing" : new String(value, 0, Math.min(20, value.length)) + "...";
  }
}
