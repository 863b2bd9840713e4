package dev.kvactors.internal.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The records of format version 3 (a put with a deadline, a change of deadline) and deadlines in
 * snapshots: through recovery, compaction, repair, and the upgrade of a version 2 directory.
 */
class DeadlineRecordsTest {
  static final long FUTURE = System.currentTimeMillis() + Duration.ofDays(365).toMillis();
  static final long PAST = System.currentTimeMillis() - Duration.ofHours(1).toMillis();

  @TempDir Path dir;

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Mutation putUntil(String key, String value, long deadline) {
    return new Mutation.Put(key, bytes(value), deadline);
  }

  private static Mutation decode(Mutation m) throws IOException {
    ByteBuffer frame = new RecordCodec().appendRecord(m, ByteBuffer.allocate(16)).flip();
    byte[] payload = new byte[frame.getInt()];
    frame.getInt();
    frame.get(payload);
    return RecordCodec.decodeRecord(payload);
  }

  @Test
  void putsWithDeadlinesAndDeadlineChangesRoundTrip() throws IOException {
    Mutation.Put put = (Mutation.Put) decode(putUntil("k", "v", FUTURE));
    assertEquals("k", put.key());
    assertArrayEquals(bytes("v"), put.value());
    assertEquals(FUTURE, put.deadline());
    assertEquals(Mutation.NO_DEADLINE, ((Mutation.Put) decode(StorageFiles.put("k", "v"))).deadline());
    assertEquals(new Mutation.Expire("k", FUTURE), decode(new Mutation.Expire("k", FUTURE)));
    assertEquals(new Mutation.Expire("k", Mutation.NO_DEADLINE), decode(new Mutation.Expire("k", 0)));
  }

  @Test
  void aRecordWithANonPositiveDeadlineIsRefusedAsDamage() throws IOException {
    // [4, "k", h'76', -5] written by hand: no build writes it, so it can only be damage
    byte[] payload = {(byte) 0x84, 0x04, 0x61, 'k', 0x41, 'v', 0x24};
    assertThrows(IOException.class, () -> RecordCodec.decodeRecord(payload));
  }

  @Test
  void recoveryReplaysDeadlinesOverTheSnapshot() throws IOException {
    Map<String, byte[]> entries = new HashMap<>(Map.of("a", bytes("1"), "b", bytes("2"), "c", bytes("3")));
    Snapshot.write(dir, entries, Map.of("a", FUTURE, "b", FUTURE + 1), 2, () -> false);
    StorageFiles.writeLog(dir, 2, List.of(
        new Mutation.Expire("a", Mutation.NO_DEADLINE), // persist
        new Mutation.Expire("c", FUTURE + 2),
        StorageFiles.put("b", "22"), // a plain put clears b's deadline
        putUntil("d", "4", FUTURE + 3),
        new Mutation.Expire("missing", FUTURE))); // a key that is gone: nothing
    StorageFiles.describe(dir);

    Recovery.State s = Recovery.recover(dir);
    assertEquals(Map.of("c", FUTURE + 2, "d", FUTURE + 3), s.deadlines());
    assertEquals(4, s.entries().size());
    assertFalse(s.entries().containsKey("missing"));
  }

  @Test
  void compactionKeepsDeadlinesAndDropsExpiredKeys() throws IOException {
    StorageFiles.writeLog(dir, 1, List.of(
        putUntil("alive", "1", FUTURE),
        putUntil("expired", "2", PAST),
        StorageFiles.put("plain", "3"),
        StorageFiles.put("changed", "4"),
        new Mutation.Expire("changed", PAST)));
    StorageFiles.writeLog(dir, 2, List.of());
    StorageFiles.describe(dir);
    try (DataDir data = DataDir.open(dir, Duration.ZERO)) {
      data.log().close();
      Compaction.run(data, 2, System.currentTimeMillis(), () -> false);
    }
    Snapshot.Contents snapshot = Snapshot.read(Filenames.snapshot(dir));
    assertEquals(List.of("alive", "plain"), snapshot.entries().keySet().stream().sorted().toList());
    assertEquals(Map.of("alive", FUTURE), snapshot.deadlines());
    Recovery.State s = Recovery.recover(dir);
    assertEquals(Map.of("alive", FUTURE), s.deadlines());
  }

  @Test
  void repairSalvagesDeadlinesWithTheValues() throws IOException {
    long[] offsets = StorageFiles.writeLog(dir, 1, List.of(
        putUntil("a", "1", FUTURE),
        new Mutation.Expire("a", FUTURE + 5),
        putUntil("b", "2", FUTURE),
        StorageFiles.put("c", "3")));
    StorageFiles.writeLog(dir, 2, List.of(StorageFiles.put("d", "4")));
    RecoveryTest.flip(Filenames.log(dir, 1), offsets[3] + 10); // the 4th record is damaged

    Repair.Report report = Repair.run(dir, true);

    assertTrue(report.needed());
    Recovery.State repaired = Recovery.recover(dir);
    assertEquals(Map.of("a", FUTURE + 5, "b", FUTURE), repaired.deadlines());
    assertEquals(2, repaired.entries().size());
  }

  @Test
  void aVersionTwoDirectoryIsReadAndItsNewestLogAndManifestMarkedVersionThree() throws IOException {
    StorageFiles.writeLog(dir, 1, List.of(StorageFiles.put("a", "1")));
    StorageFiles.describe(dir);
    setVersion(Filenames.log(dir, 1), 2);
    setVersion(Filenames.manifest(dir), 2);

    try (DataDir data = DataDir.open(dir, Duration.ZERO)) {
      assertEquals(1, data.recovered().entries().size());
      data.log().close();
    }
    assertEquals(3, FileHeader.LOG.versionOf(Filenames.log(dir, 1)));
    assertEquals(3, FileHeader.MANIFEST.versionOf(Filenames.manifest(dir)));
  }

  @Test
  void aFileOfAFutureVersionIsRefusedByName() throws IOException {
    StorageFiles.writeLog(dir, 1, List.of(StorageFiles.put("a", "1")));
    StorageFiles.describe(dir);
    setVersion(Filenames.log(dir, 1), 4);
    CorruptDataException e = assertThrows(CorruptDataException.class, () -> Recovery.recover(dir));
    assertEquals(Filenames.log(dir, 1), e.file());
    assertTrue(e.getMessage().contains("unsupported format version 4"), e.getMessage());
  }

  @Test
  void aSnapshotKeepsTheDeadlinesOfTheKeysThatHaveOne() throws IOException {
    Snapshot.write(dir, new HashMap<>(Map.of("a", bytes("1"), "b", bytes("2"))), Map.of("b", FUTURE), 1,
        () -> false);
    Snapshot.Contents c = Snapshot.read(Filenames.snapshot(dir));
    assertEquals(Map.of("b", FUTURE), c.deadlines());
    assertArrayEquals(bytes("1"), c.entries().get("a"));
    assertArrayEquals(bytes("2"), c.entries().get("b"));
  }

  private static void setVersion(Path file, int version) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(4);
      f.writeInt(version);
    }
  }
}
