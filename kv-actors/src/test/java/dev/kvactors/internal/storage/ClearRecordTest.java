package dev.kvactors.internal.storage;

import static dev.kvactors.internal.storage.StorageFiles.put;
import static dev.kvactors.internal.storage.StorageFiles.remove;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClearRecordTest {
  @TempDir Path dir;

  private static Map<String, String> text(Map<String, byte[]> entries) {
    Map<String, String> out = new TreeMap<>();
    entries.forEach((k, v) -> out.put(k, new String(v, StandardCharsets.UTF_8)));
    return out;
  }

  @Test
  void aClearRecordIsTheCborArrayThreeAndDecodesBack() throws IOException {
    ByteBuffer frame = new RecordCodec().appendRecord(new Mutation.Clear(), ByteBuffer.allocate(16)).flip();
    byte[] payload = Arrays.copyOfRange(frame.array(), RecordCodec.FRAME_HEADER_BYTES, frame.limit());
    // CBOR: an indefinite-length array (0x9f, as Jackson writes every record) holding the
    // unsigned integer 3 (0x03), then the break (0xff).
    assertArrayEquals(new byte[] {(byte) 0x9f, 0x03, (byte) 0xff}, payload);
    assertEquals(payload.length, frame.getInt(0));
    assertEquals(RecordCodec.checksum(payload, 0, payload.length), frame.getInt(4));
    assertInstanceOf(Mutation.Clear.class, RecordCodec.decodeRecord(payload));
  }

  @Test
  void recoveryForgetsEverythingBeforeAClearAndKeepsWhatCameAfter() throws IOException {
    StorageFiles.writeLog(dir, 1, List.of(put("old", "1"), put("gone", "2")));
    StorageFiles.writeLog(dir, 2, List.of(put("also-old", "3"), new Mutation.Clear(), put("new", "4"),
        remove("missing"), put("old", "5")));
    StorageFiles.describe(dir);

    assertEquals(Map.of("new", "4", "old", "5"), text(Recovery.recover(dir).entries()));
  }

  @Test
  void compactionFoldsAClearSoTheSnapshotHoldsOnlyLaterKeys() throws IOException {
    StorageFiles.writeLog(dir, 1, List.of(put("old", "1"), new Mutation.Clear(), put("new", "2")));
    StorageFiles.writeLog(dir, 2, List.of(put("later", "3")));

    Compaction.run(dir, 2, () -> false);

    assertEquals(Map.of("new", "2"), text(Snapshot.read(Filenames.snapshot(dir)).entries()));
    assertEquals(Map.of("new", "2", "later", "3"), text(Recovery.read(dir, Long.MAX_VALUE, false).entries()));
  }

  @Test
  void aClearAfterASnapshotEmptiesTheRecoveredMap() throws IOException {
    StorageFiles.writeLog(dir, 1, List.of(put("old", "1")));
    Compaction.run(dir, 2, () -> false);
    StorageFiles.writeLog(dir, 2, List.of(new Mutation.Clear(), put("after", "2")));

    assertEquals(Map.of("after", "2"), text(Recovery.read(dir, Long.MAX_VALUE, false).entries()));
  }

  @Test
  void repairKeepsAClearInTheValidPrefix() throws IOException {
    long[] offsets = StorageFiles.writeLog(dir, 1, List.of(put("old", "1"), new Mutation.Clear(), put("new", "2"),
        put("damaged", "3")));
    RecoveryTest.flip(Filenames.log(dir, 1), offsets[3] + 10); // the 4th record is damaged

    Repair.Report report = Repair.run(dir, true);

    assertTrue(report.needed());
    assertEquals(Map.of("new", "2"), text(Recovery.recover(dir).entries()));
  }
}
