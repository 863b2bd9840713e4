package dev.kvactors.internal.storage;

import static dev.kvactors.internal.storage.StorageFiles.put;
import static dev.kvactors.internal.storage.StorageFiles.remove;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecoveryTest {
  @TempDir Path dir;

  /**
   * A 16 MiB value (kv.max-value-bytes) goes through the log and the snapshot and back without a
   * temporary direct buffer of its size: the JDK copies a heap buffer given to a channel into a
   * direct buffer as large as the write and caches it per thread, which once failed a 256 MiB heap
   * with "Cannot reserve 16777236 bytes of direct buffer memory".
   */
  @Test
  void writesAndRecoversAMaxSizeValueInBoundedDirectMemory() throws Exception {
    byte[] value = new byte[16 * 1024 * 1024];
    new Random(7).nextBytes(value);
    AtomicReference<Object> result = new AtomicReference<>();
    Thread worker = new Thread(() -> { // a fresh thread: its cache of temporary direct buffers is empty
      try {
        long before = directBytes();
        try (RecordLog log = RecordLog.create(dir, 1)) {
          log.write(new RecordCodec().appendRecord(new Mutation.Put("big", value), ByteBuffer.allocate(64)).flip());
          log.sync();
        }
        Map<String, byte[]> fromLog = Recovery.read(dir, Long.MAX_VALUE, true).entries();
        Compaction.run(dir, 2, () -> false);
        Map<String, byte[]> fromSnapshot = Recovery.read(dir, Long.MAX_VALUE, false).entries();
        result.set(new Object[] {directBytes() - before, fromLog.get("big"), fromSnapshot.get("big")});
      } catch (Throwable t) {
        result.set(t);
      }
    });
    worker.start();
    worker.join();
    if (result.get() instanceof Throwable t) {
      throw new AssertionError(t);
    }
    Object[] r = (Object[]) result.get();
    assertArrayEquals(value, (byte[]) r[1]);
    assertArrayEquals(value, (byte[]) r[2]);
    long grown = (long) r[0];
    assertTrue(grown <= 4L * 1024 * 1024, "direct memory grew by " + grown + " bytes");
  }

  private static long directBytes() {
    return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
        .filter(b -> b.getName().equals("direct")).mapToLong(BufferPoolMXBean::getTotalCapacity).sum();
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @Test
  void emptyDirectoryRecoversToAnEmptyMapWithNoLog() throws IOException {
    Recovery.State s = Recovery.recover(dir);
    assertTrue(s.entries().isEmpty());
    assertFalse(s.hasLog());
    assertEquals(1, s.firstLogGeneration());
  }

  @Test
  void replaysPutsAndRemovesInOrder() throws IOException {
    StorageFiles.writeLog(dir, 1, List.of(put("a", "1"), put("b", "2"), put("a", "3"), remove("b"), put("c", "")));
    StorageFiles.describe(dir);
    Recovery.State s = Recovery.recover(dir);
    assertEquals(2, s.entries().size());
    assertEquals("3", text(s.entries().get("a")));
    assertEquals("", text(s.entries().get("c")));
    assertEquals(5, s.recordsReplayed());
    assertTrue(s.tornTail().isEmpty());
    assertEquals(1, s.lastLogGeneration());
    assertEquals(Files.size(Filenames.log(dir, 1)), s.lastLogValidLength());
  }

  @Test
  void cutsATornLastRecordAtEveryOffset() throws IOException {
    long[] offsets = StorageFiles.writeLog(dir, 1, List.of(put("a", "1"), put("b", "2"), put("c", "3")));
    Path log = Filenames.log(dir, 1);
    byte[] whole = Files.readAllBytes(log);
    // Every cut strictly inside the last two records keeps exactly the records before it.
    for (long cut = offsets[1] + 1; cut < offsets[3]; cut++) {
      if (cut == offsets[2]) {
        continue; // a clean boundary, not a torn record
      }
      Files.write(log, java.util.Arrays.copyOf(whole, (int) cut));
      Recovery.State s = Recovery.read(dir, Long.MAX_VALUE, true);
      int complete = cut < offsets[2] ? 1 : 2;
      assertEquals(complete, s.entries().size(), "cut at " + cut);
      long expectedValid = offsets[complete];
      assertEquals(expectedValid, s.lastLogValidLength(), "cut at " + cut);
      Recovery.TornTail tail = s.tornTail().orElseThrow();
      assertEquals(log, tail.file());
      assertEquals(expectedValid, tail.offset());
      assertEquals(cut - expectedValid, tail.bytes());
    }
  }

  @Test
  void treatsZeroFilledAndGarbageTailsAsTorn() throws IOException {
    long[] offsets = StorageFiles.writeLog(dir, 1, List.of(put("a", "1"), put("b", "2")));
    Path log = Filenames.log(dir, 1);
    Files.write(log, new byte[4096], java.nio.file.StandardOpenOption.APPEND);
    Recovery.State zeros = Recovery.read(dir, Long.MAX_VALUE, true);
    assertEquals(2, zeros.entries().size());
    assertEquals(offsets[2], zeros.tornTail().orElseThrow().offset());
    assertEquals(4096, zeros.tornTail().orElseThrow().bytes());

    byte[] garbage = new byte[1000];
    new Random(42).nextBytes(garbage);
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "rw")) {
      f.setLength(offsets[2]);
      f.seek(offsets[2]);
      f.write(garbage);
    }
    Recovery.State random = Recovery.read(dir, Long.MAX_VALUE, true);
    assertEquals(2, random.entries().size());
    assertEquals(offsets[2], random.tornTail().orElseThrow().offset());
  }

  @Test
  void refusesAFlippedByteBeforeTheLastRecordNamingFileAndOffset() throws IOException {
    long[] offsets = StorageFiles.writeLog(dir, 1, List.of(put("a", "1"), put("b", "2"), put("c", "3")));
    StorageFiles.describe(dir);
    Path log = Filenames.log(dir, 1);
    flip(log, offsets[1] + 10);
    CorruptDataException e = assertThrows(CorruptDataException.class, () -> Recovery.recover(dir));
    assertEquals(log, e.file());
    assertEquals(offsets[1], e.offset());
    assertTrue(e.getMessage().contains(log.toString()) && e.getMessage().contains("offset " + offsets[1]),
        e.getMessage());
  }

  @Test
  void refusesAFlippedLengthFieldInTheMiddle() throws IOException {
    long[] offsets = StorageFiles.writeLog(dir, 1, List.of(put("a", "1"), put("b", "2"), put("c", "3")));
    StorageFiles.describe(dir);
    flip(Filenames.log(dir, 1), offsets[0] + 1); // length becomes huge: the record "runs past the end"
    CorruptDataException e = assertThrows(CorruptDataException.class, () -> Recovery.recover(dir));
    assertEquals(offsets[0], e.offset());
  }

  @Test
  void refusesDamageInAnOlderLogEvenAtItsEnd() throws IOException {
    long[] first = StorageFiles.writeLog(dir, 1, List.of(put("a", "1"), put("b", "2")));
    StorageFiles.writeLog(dir, 2, List.of(put("c", "3")));
    StorageFiles.describe(dir);
    flip(Filenames.log(dir, 1), first[1] + 9);
    CorruptDataException e = assertThrows(CorruptDataException.class, () -> Recovery.recover(dir));
    assertEquals(Filenames.log(dir, 1), e.file());
  }

  @Test
  void refusesALogWithABadHeader() throws IOException {
    StorageFiles.writeLog(dir, 1, List.of(put("a", "1")));
    StorageFiles.describe(dir);
    flip(Filenames.log(dir, 1), 0);
    CorruptDataException e = assertThrows(CorruptDataException.class, () -> Recovery.recover(dir));
    assertEquals(0, e.offset());
  }

  @Test
  void refusesToStartWhenTheSnapshotIsMissingButLaterLogsExist() throws IOException {
    StorageFiles.writeLog(dir, 3, List.of(put("a", "1")));
    StorageFiles.manifest(dir, true, 3, 3);
    CorruptDataException e = assertThrows(CorruptDataException.class, () -> Recovery.recover(dir));
    assertEquals(Filenames.snapshot(dir), e.file());
    assertTrue(e.getMessage().contains("the snapshot named by MANIFEST is missing"), e.getMessage());
  }

  @Test
  void refusesAGapBetweenLogGenerations() throws IOException {
    StorageFiles.writeLog(dir, 1, List.of(put("a", "1")));
    StorageFiles.writeLog(dir, 3, List.of(put("b", "1")));
    StorageFiles.manifest(dir, false, 1, 3);
    CorruptDataException e = assertThrows(CorruptDataException.class, () -> Recovery.recover(dir));
    assertEquals(Filenames.log(dir, 2), e.file());
    assertTrue(e.getMessage().contains("log generation 2 named by MANIFEST is missing"), e.getMessage());
  }

  @Test
  void compactionFoldsLogsIntoASnapshotThatRecoversTheSameMap() throws IOException {
    StorageFiles.writeLog(dir, 1, List.of(put("a", "1"), put("b", "2"), remove("a")));
    StorageFiles.writeLog(dir, 2, List.of(put("c", "3"), put("b", "4")));
    StorageFiles.writeLog(dir, 3, List.of(put("d", "5")));
    StorageFiles.describe(dir);
    Map<String, byte[]> before = Recovery.read(dir, Long.MAX_VALUE, true).entries();

    long bytes = Compaction.run(dir, 3, () -> false);

    assertEquals(Files.size(Filenames.snapshot(dir)), bytes);
    assertFalse(Files.exists(Filenames.log(dir, 1)));
    assertFalse(Files.exists(Filenames.log(dir, 2)));
    Recovery.State after = Recovery.recover(dir);
    assertEquals(3, after.firstLogGeneration());
    assertSameMap(before, after.entries());
    assertEquals(1, after.recordsReplayed());
  }

  @Test
  void recoversTheSameMapWhenACompactionStoppedAfterItsRename() throws IOException {
    StorageFiles.writeLog(dir, 1, List.of(put("a", "1"), put("b", "2")));
    StorageFiles.writeLog(dir, 2, List.of(put("c", "3")));
    StorageFiles.describe(dir);
    Map<String, byte[]> before = Recovery.read(dir, Long.MAX_VALUE, true).entries();
    Snapshot.write(dir, Recovery.read(dir, 2, false).entries(), 2, () -> false);
    // log 1 is still there, as if the process died before deleting it
    Recovery.State after = Recovery.recover(dir);
    assertSameMap(before, after.entries());
    assertFalse(Files.exists(Filenames.log(dir, 1)), "recovery removes logs the snapshot covers");
  }

  @Test
  void removesLeftoverTempFilesOfAnInterruptedSnapshot() throws IOException {
    StorageFiles.writeLog(dir, 1, List.of(put("a", "1")));
    StorageFiles.describe(dir);
    Path temp = Filenames.temp(Filenames.snapshot(dir));
    Files.write(temp, new byte[] {1, 2, 3});
    Recovery.State s = Recovery.recover(dir);
    assertEquals(1, s.entries().size());
    assertFalse(Files.exists(temp));
  }

  @Test
  void refusesADamagedSnapshot() throws IOException {
    Map<String, byte[]> entries = new HashMap<>();
    for (int i = 0; i < 50; i++) {
      entries.put("k" + i, ("v" + i).getBytes(StandardCharsets.UTF_8));
    }
    Snapshot.write(dir, entries, 1, () -> false);
    StorageFiles.manifest(dir, true, 1, 0);
    Path snapshot = Filenames.snapshot(dir);
    long size = Files.size(snapshot);
    flip(snapshot, size / 2);
    CorruptDataException e = assertThrows(CorruptDataException.class, () -> Recovery.recover(dir));
    assertEquals(snapshot, e.file());
    assertTrue(e.offset() > 0 && e.offset() <= size / 2);
  }

  @Test
  void refusesATruncatedSnapshot() throws IOException {
    Snapshot.write(dir, Map.of("a", new byte[100], "b", new byte[100]), 1, () -> false);
    StorageFiles.manifest(dir, true, 1, 0);
    Path snapshot = Filenames.snapshot(dir);
    try (RandomAccessFile f = new RandomAccessFile(snapshot.toFile(), "rw")) {
      f.setLength(f.length() - 50);
    }
    assertThrows(CorruptDataException.class, () -> Recovery.recover(dir));
  }

  @Test
  void snapshotRoundTripsBinaryValues() throws IOException {
    byte[] binary = new byte[256];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) i;
    }
    Snapshot.write(dir, Map.of("bin", binary, "empty", new byte[0], "ключ", new byte[] {7}), 4, () -> false);
    Snapshot.Contents c = Snapshot.read(Filenames.snapshot(dir));
    assertEquals(4, c.firstLogGeneration());
    assertArrayEquals(binary, c.entries().get("bin"));
    assertArrayEquals(new byte[0], c.entries().get("empty"));
    assertArrayEquals(new byte[] {7}, c.entries().get("ключ"));
  }

  @Test
  void appendingAfterATornTailCutsItFirst() throws IOException {
    long[] offsets = StorageFiles.writeLog(dir, 1, List.of(put("a", "1"), put("b", "2")));
    StorageFiles.describe(dir);
    Path log = Filenames.log(dir, 1);
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "rw")) {
      f.setLength(offsets[2] - 3);
    }
    Recovery.State s = Recovery.recover(dir);
    try (RecordLog append = RecordLog.openForAppend(log, 1, s.lastLogValidLength())) {
      append.write(new RecordCodec().appendRecord(put("c", "3"), ByteBuffer.allocate(64)).flip());
      append.sync();
    }
    Recovery.State again = Recovery.recover(dir);
    assertTrue(again.tornTail().isEmpty());
    assertEquals(List.of("a", "c"), again.entries().keySet().stream().sorted().toList());
  }

  private static void assertSameMap(Map<String, byte[]> expected, Map<String, byte[]> actual) {
    assertEquals(expected.keySet(), actual.keySet());
    expected.forEach((k, v) -> assertArrayEquals(v, actual.get(k), k));
  }

  static void flip(Path file, long offset) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
      int b = f.read();
      f.seek(offset);
      f.write(b ^ 0x40);
    }
  }
}
