package dev.kvactors.internal.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Damages a data directory in every way the crash tests know, after a clean stop and after a kill
 * (a child JVM halted at once), and checks for each case what the next start does: refuse, naming
 * the damaged file (and the record's offset for a flipped byte); recover every acknowledged write;
 * or, only after a kill and only at the end of the newest log, cut what looks like a torn write.
 *
 * <p>The directory (built by {@link DamageBaseChild}) holds {@code MANIFEST}, {@code snapshot.kvs}
 * (up to log 2), the sealed {@code log-2} and the newest {@code log-3}, every record acknowledged.
 */
class DamageMatrixTest {
  @TempDir static Path bases;
  @TempDir Path dir;

  static final String MANIFEST = Filenames.MANIFEST;
  static final String SNAPSHOT = Filenames.SNAPSHOT;
  static final String SEALED = Filenames.log(Path.of("."), 2).getFileName().toString();
  static final String NEWEST = Filenames.log(Path.of("."), 3).getFileName().toString();

  enum Stop { CLEAN, KILL }

  enum FileDamage { DELETE, TRUNCATE_TO_EMPTY, TRUNCATE_TO_HALF, FLIP_A_BYTE_IN_THE_MIDDLE }

  enum Part { LENGTH, CRC, PAYLOAD }

  @BeforeAll
  static void buildBothDirectories() throws Exception {
    for (Stop stop : Stop.values()) {
      Path base = bases.resolve(stop.name());
      Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), DamageBaseChild.class.getName(), base.toString(),
          stop == Stop.CLEAN ? "clean" : "kill").inheritIO().start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail("the child building the " + stop + " directory did not finish");
      }
      assertEquals(stop == Stop.CLEAN ? 0 : CrashPoints.EXIT_STATUS, p.exitValue(), stop.name());
      Manifest m = Manifest.read(base).orElseThrow();
      assertEquals(stop == Stop.CLEAN, m.clean(), "the manifest records how the store stopped");
      for (String f : List.of(MANIFEST, SNAPSHOT, SEALED, NEWEST)) {
        assertTrue(Files.exists(base.resolve(f)), f);
      }
    }
  }

  static Stream<Arguments> wholeFiles() {
    List<Arguments> cases = new ArrayList<>();
    for (Stop stop : Stop.values()) {
      for (String file : List.of(MANIFEST, SNAPSHOT, SEALED, NEWEST)) {
        for (FileDamage damage : FileDamage.values()) {
          cases.add(Arguments.of(stop, file, damage));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "after a {0} stop, {2} of {1}")
  @MethodSource("wholeFiles")
  void aDamagedOrMissingFileIsRefusedByNameUnlessItIsATornEndAfterAKill(Stop stop, String file, FileDamage damage)
      throws IOException {
    copy(bases.resolve(stop.name()), dir);
    Path target = dir.resolve(file);
    long size = Files.size(target);
    switch (damage) {
      case DELETE -> Files.delete(target);
      case TRUNCATE_TO_EMPTY -> truncate(target, 0);
      case TRUNCATE_TO_HALF -> truncate(target, size / 2);
      case FLIP_A_BYTE_IN_THE_MIDDLE -> flip(target, size / 2);
    }
    boolean tornEndOfTheNewestLog = stop == Stop.KILL && file.equals(NEWEST)
        && (damage == FileDamage.TRUNCATE_TO_HALF || damage == FileDamage.FLIP_A_BYTE_IN_THE_MIDDLE
            && recordAt(size / 2) == records().size() - 1);
    if (tornEndOfTheNewestLog) {
      long cut = damage == FileDamage.TRUNCATE_TO_HALF ? size / 2 : size / 2;
      int kept = completeRecordsBefore(cut);
      assertCutAfter(kept, damage == FileDamage.TRUNCATE_TO_HALF && cut == offsetOf(kept));
      report(stop, file + " " + damage, "cut: " + kept + " of " + records().size() + " records of the newest log kept");
    } else {
      Outcome o = assertRefused(target, -1);
      report(stop, file + " " + damage, "refused: " + o.message);
    }
  }

  static Stream<Arguments> newestLogRecords() throws IOException {
    List<Arguments> cases = new ArrayList<>();
    for (Stop stop : Stop.values()) {
      for (int r = 0; r < DamageBaseChild.NEWEST_LOG; r++) {
        for (Part part : Part.values()) {
          cases.add(Arguments.of(stop, r, part));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "after a {0} stop, a flipped {2} byte in record {1} of the newest log")
  @MethodSource("newestLogRecords")
  void aFlippedByteInAnyRecordOfTheNewestLogIsRefusedExceptTheLastAfterAKill(Stop stop, int record, Part part)
      throws IOException {
    copy(bases.resolve(stop.name()), dir);
    Path newest = dir.resolve(NEWEST);
    long offset = offsetOf(record);
    int length = records().get(record);
    flip(newest, switch (part) {
      case LENGTH -> offset;
      case CRC -> offset + 4;
      case PAYLOAD -> offset + RecordCodec.FRAME_HEADER_BYTES + length / 2;
    });
    boolean last = record == DamageBaseChild.NEWEST_LOG - 1;
    if (stop == Stop.KILL && last) {
      assertCutAfter(record, false);
      report(stop, "record " + record + " " + part, "cut as a torn write: the last record is lost");
    } else {
      assertRefused(newest, offset);
      report(stop, "record " + record + " " + part, "refused at offset " + offset);
    }
  }

  private record Outcome(String message) {}

  private Outcome assertRefused(Path file, long offset) throws IOException {
    try (DataDir opened = DataDir.open(dir, Duration.ZERO)) {
      opened.log().close();
      fail("the start was not refused; recovered " + opened.recovered().entries().size() + " keys");
      return null;
    } catch (CorruptDataException e) {
      assertEquals(file, e.file(), e.getMessage());
      assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
      if (offset >= 0) {
        assertEquals(offset, e.offset(), e.getMessage());
      }
      return new Outcome(e.getMessage().substring(dir.toString().length() + 1));
    }
  }

  /** The start succeeds with the first {@code kept} records of the newest log, the rest reported as a torn tail. */
  private void assertCutAfter(int kept, boolean atABoundary) throws IOException {
    Map<String, byte[]> expected = new HashMap<>();
    Map<String, Long> deadlines = new HashMap<>();
    int ops = DamageBaseChild.FIRST_LOG + DamageBaseChild.SEALED_LOG + kept;
    for (int i = 0; i < ops; i++) {
      DamageBaseChild.op(i).applyTo(expected, deadlines);
    }
    try (DataDir opened = DataDir.open(dir, Duration.ZERO)) {
      opened.log().close();
      assertSameMap(expected, opened.recovered().entries());
      assertEquals(deadlines, opened.recovered().deadlines(), "deadlines, as acknowledged");
      assertEquals(!atABoundary, opened.recovered().tornTail().isPresent(), "a torn tail is reported");
      opened.recovered().tornTail().ifPresent(t -> assertEquals(offsetOf(kept), t.offset()));
      assertFalse(opened.manifest().clean());
    }
  }

  private static void report(Stop stop, String what, String outcome) {
    System.out.printf("damage matrix: after a %s stop, %s -> %s%n", stop, what, outcome);
  }

  /** The payload lengths of the newest log's records, from the undamaged clean directory. */
  private static List<Integer> records() throws IOException {
    byte[] bytes = Files.readAllBytes(bases.resolve(Stop.CLEAN.name()).resolve(NEWEST));
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
    List<Integer> lengths = new ArrayList<>();
    int p = FileHeader.BYTES;
    while (p < bytes.length) {
      int length = b.getInt(p);
      lengths.add(length);
      p += RecordCodec.FRAME_HEADER_BYTES + length;
    }
    assertEquals(DamageBaseChild.NEWEST_LOG, lengths.size());
    return lengths;
  }

  private static long offsetOf(int record) {
    try {
      long p = FileHeader.BYTES;
      for (int r = 0; r < record; r++) {
        p += RecordCodec.FRAME_HEADER_BYTES + records().get(r);
      }
      return p;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static int recordAt(long offset) throws IOException {
    int r = 0;
    while (r + 1 < records().size() && offsetOf(r + 1) <= offset) {
      r++;
    }
    return r;
  }

  private static int completeRecordsBefore(long cut) throws IOException {
    int n = 0;
    while (n < records().size() && offsetOf(n + 1) <= cut) {
      n++;
    }
    return n;
  }

  private static void assertSameMap(Map<String, byte[]> expected, Map<String, byte[]> actual) {
    assertEquals(expected.keySet(), actual.keySet());
    expected.forEach((k, v) -> assertArrayEquals(v, actual.get(k), k));
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : files.toList()) {
        if (!f.getFileName().toString().equals(Filenames.LOCK)) {
          Files.copy(f, to.resolve(f.getFileName()));
        }
      }
    }
  }

  private static void truncate(Path file, long length) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(length);
    }
  }

  private static void flip(Path file, long offset) throws IOException {
    RecoveryTest.flip(file, offset);
  }
}
