package dev.kvactors.internal.storage;

import static dev.kvactors.internal.storage.StorageFiles.put;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestTest {
  @TempDir Path dir;

  private static void append(DataDir data, RecordLog log, Mutation m) throws IOException {
    data.beforeAppend();
    log.write(new RecordCodec().appendRecord(m, ByteBuffer.allocate(64)).flip());
    log.sync();
  }

  /** Opens, appends {@code m}, and shuts down cleanly. */
  private void session(Mutation... ms) throws IOException {
    try (DataDir data = DataDir.open(dir, Duration.ZERO)) {
      RecordLog log = data.log();
      for (Mutation m : ms) {
        append(data, log, m);
      }
      log.close();
      data.closeCleanly(log);
    }
  }

  @Test
  void roundTripsThroughItsFile() throws IOException {
    Manifest m = new Manifest(true, 4, 6, List.of(100L, 200L), true, 300);
    m.write(dir);
    assertEquals(m, Manifest.read(dir).orElseThrow());
    assertFalse(Files.exists(Filenames.temp(Filenames.manifest(dir))));
  }

  @Test
  void aNewDirectoryGetsAManifestNamingItsFirstLog() throws IOException {
    try (DataDir data = DataDir.open(dir, Duration.ZERO)) {
      data.log().close();
      assertEquals(new Manifest(false, 1, 1, List.of(), false, -1), Manifest.read(dir).orElseThrow());
    }
  }

  @Test
  void aCleanShutdownIsRecordedWithTheNewestLogsLengthAndClearedBeforeTheNextAppend() throws IOException {
    session(put("a", "1"));
    Manifest closed = Manifest.read(dir).orElseThrow();
    assertTrue(closed.clean());
    assertEquals(Files.size(Filenames.log(dir, 1)), closed.newestLogLength());

    try (DataDir data = DataDir.open(dir, Duration.ZERO)) {
      assertTrue(Manifest.read(dir).orElseThrow().clean(), "opening alone changes nothing");
      append(data, data.log(), put("b", "2"));
      assertFalse(Manifest.read(dir).orElseThrow().clean(), "the first append clears the clean mark");
      data.log().close(); // a crash: no clean shutdown recorded
    }
    // after the crash a torn end is cut, as before
    Path log = Filenames.log(dir, 1);
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "rw")) {
      f.setLength(f.length() - 2);
    }
    try (DataDir data = DataDir.open(dir, Duration.ZERO)) {
      data.log().close();
      assertTrue(data.recovered().tornTail().isPresent());
      assertEquals(Map.of("a", "1"), text(data.recovered().entries()));
    }
  }

  @Test
  void aSessionThatOnlyReadsLeavesTheManifestAsItWas() throws IOException {
    session(put("a", "1"));
    byte[] before = Files.readAllBytes(Filenames.manifest(dir));
    session();
    assertArrayEquals(before, Files.readAllBytes(Filenames.manifest(dir)));
  }

  @Test
  void refusesALogAppendedToAfterTheCleanShutdown() throws IOException {
    session(put("a", "1"));
    Path log = Filenames.log(dir, 1);
    try (RecordLog extra = RecordLog.openForAppend(log, 1, Files.size(log))) {
      extra.write(new RecordCodec().appendRecord(put("b", "2"), ByteBuffer.allocate(64)).flip());
    }
    CorruptDataException e = assertThrows(CorruptDataException.class, () -> DataDir.open(dir, Duration.ZERO));
    assertEquals(log, e.file());
    assertTrue(e.getMessage().contains("clean shutdown"), e.getMessage());
  }

  @Test
  void removesAnEmptyLogTheManifestDoesNotNameYetButRefusesOneWithRecords() throws IOException {
    session(put("a", "1"));
    RecordLog.create(dir, 2).close(); // a crash between creating log 2 and naming it
    try (DataDir data = DataDir.open(dir, Duration.ZERO)) {
      data.log().close();
      assertFalse(Files.exists(Filenames.log(dir, 2)));
      assertEquals(1, data.recovered().notes().size(), data.recovered().notes().toString());
    }
    StorageFiles.writeLog(dir, 2, List.of(put("b", "2")));
    CorruptDataException e = assertThrows(CorruptDataException.class, () -> DataDir.open(dir, Duration.ZERO));
    assertEquals(Filenames.log(dir, 2), e.file());
  }

  @Test
  void refusesASealedLogCutAtARecordBoundary() throws IOException {
    long[] offsets = StorageFiles.writeLog(dir, 1, List.of(put("a", "1"), put("b", "2")));
    StorageFiles.writeLog(dir, 2, List.of(put("c", "3")));
    StorageFiles.describe(dir);
    try (RandomAccessFile f = new RandomAccessFile(Filenames.log(dir, 1).toFile(), "rw")) {
      f.setLength(offsets[1]);
    }
    CorruptDataException e = assertThrows(CorruptDataException.class, () -> DataDir.open(dir, Duration.ZERO));
    assertEquals(Filenames.log(dir, 1), e.file());
    assertTrue(e.getMessage().contains("sealed"), e.getMessage());
  }

  @Test
  void upgradesADirectoryWrittenBeforeTheManifestExistedThenMissesItsManifest() throws IOException {
    StorageFiles.writeLog(dir, 1, List.of(put("a", "1"), put("b", "2")));
    setVersion(Filenames.log(dir, 1), 1);
    try (DataDir data = DataDir.open(dir, Duration.ZERO)) {
      data.log().close();
      assertEquals(Map.of("a", "1", "b", "2"), text(data.recovered().entries()));
      assertEquals(1, data.recovered().notes().size());
      assertTrue(data.recovered().notes().get(0).contains("format version 1"), data.recovered().notes().toString());
    }
    assertTrue(Files.exists(Filenames.manifest(dir)));
    assertEquals(FileHeader.VERSION, FileHeader.LOG.versionOf(Filenames.log(dir, 1)),
        "the log is marked as the new format");

    Files.delete(Filenames.manifest(dir));
    CorruptDataException e = assertThrows(CorruptDataException.class, () -> DataDir.open(dir, Duration.ZERO));
    assertEquals(Filenames.manifest(dir), e.file());
    assertTrue(e.getMessage().contains("the manifest is missing"), e.getMessage());
  }

  @Test
  void aCompactionStoppedBeforeTheManifestNamedItsSnapshotRecovers() throws IOException {
    session(put("a", "1"), put("b", "2"));
    try (DataDir data = DataDir.open(dir, Duration.ZERO)) {
      RecordLog log = data.startNewLog(data.log());
      append(data, log, put("c", "3"));
      log.close();
    }
    // the snapshot is renamed into place, the process dies before the manifest names it
    Compaction.run(dir, 2, () -> false);
    try (DataDir data = DataDir.open(dir, Duration.ZERO)) {
      data.log().close();
      assertEquals(Map.of("a", "1", "b", "2", "c", "3"), text(data.recovered().entries()));
      Manifest m = Manifest.read(dir).orElseThrow();
      assertTrue(m.snapshot());
      assertEquals(2, m.firstLogGeneration());
    }
  }

  private static void setVersion(Path file, int version) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(4);
      f.writeInt(version);
    }
  }

  private static Map<String, String> text(Map<String, byte[]> entries) {
    Map<String, String> m = new java.util.TreeMap<>();
    entries.forEach((k, v) -> m.put(k, new String(v, java.nio.charset.StandardCharsets.UTF_8)));
    return m;
  }
}
