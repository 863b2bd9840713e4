package dev.kvactors.internal.storage;

import static dev.kvactors.internal.storage.StorageFiles.put;
import static dev.kvactors.internal.storage.StorageFiles.remove;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The batch record ({@code [4, [1, key, value], [2, key], ...]}): one frame that recovery keeps whole or drops whole. */
class BatchRecordTest {
  @TempDir Path dir;

  private static Map<String, String> text(Map<String, byte[]> entries) {
    Map<String, String> out = new TreeMap<>();
    entries.forEach((k, v) -> out.put(k, new String(v, StandardCharsets.UTF_8)));
    return out;
  }

  private static Mutation batch(Mutation... parts) {
    return new Mutation.Batch(List.of(parts));
  }

  @Test
  void aBatchRecordRoundTripsThroughTheCodec() throws IOException {
    Mutation batch = batch(put("a", "1"), remove("b"), put("a", "2"));
    ByteBuffer frame = new RecordCodec().appendRecord(batch, ByteBuffer.allocate(8)).flip();
    byte[] payload = Arrays.copyOfRange(frame.array(), RecordCodec.FRAME_HEADER_BYTES, frame.limit());
    assertEquals(payload.length, frame.getInt(0));
    Mutation.Batch decoded = (Mutation.Batch) RecordCodec.decodeRecord(payload);
    assertEquals(3, decoded.parts().size());
    assertEquals("a", decoded.parts().get(2).key());
    assertEquals("2", new String(((Mutation.Put) decoded.parts().get(2)).value(), StandardCharsets.UTF_8));
    assertEquals(new Mutation.Remove("b"), decoded.parts().get(1));
  }

  @Test
  void aBatchHoldsOnlyPutsAndRemoves() {
    assertThrows(IllegalArgumentException.class, () -> batch(new Mutation.Clear()));
    assertThrows(IllegalArgumentException.class, () -> batch(batch(put("a", "1"))));
    assertThrows(IllegalArgumentException.class, () -> new Mutation.Batch(List.of()));
  }

  @Test
  void recoveryAppliesABatchInOrder() throws IOException {
    StorageFiles.writeLog(dir, 1, List.of(put("b", "old"), batch(put("a", "1"), remove("b"), put("a", "2"),
        put("c", "3")), put("d", "4")));
    StorageFiles.describe(dir);
    assertEquals(Map.of("a", "2", "c", "3", "d", "4"), text(Recovery.recover(dir).entries()));
  }

  @Test
  void aBatchRecordCutAtEveryByteIsKeptWholeOrNotAtAll() throws IOException {
    Mutation big = batch(put("x", "1"), put("y", "2"), remove("before"), put("z", "3".repeat(100)));
    long[] offsets = StorageFiles.writeLog(dir, 1, List.of(put("before", "0"), big));
    Path log = Filenames.log(dir, 1);
    byte[] whole = Files.readAllBytes(log);
    for (long cut = offsets[1]; cut <= offsets[2]; cut++) {
      Files.write(log, Arrays.copyOf(whole, (int) cut));
      Recovery.State s = Recovery.read(dir, Long.MAX_VALUE, true);
      Map<String, String> map = text(s.entries());
      if (cut == offsets[2]) {
        assertEquals(Map.of("x", "1", "y", "2", "z", "3".repeat(100)), map, "the whole record");
        assertTrue(s.tornTail().isEmpty());
      } else {
        assertEquals(Map.of("before", "0"), map, "cut at " + cut + ": none of the batch");
        assertEquals(offsets[1], s.lastLogValidLength(), "cut at " + cut);
        if (cut > offsets[1]) {
          assertEquals(offsets[1], s.tornTail().orElseThrow().offset(), "cut at " + cut);
        }
      }
    }
  }

  @Test
  void aFlippedByteInABatchBeforeTheLastRecordIsRefused() throws IOException {
    long[] offsets = StorageFiles.writeLog(dir, 1, List.of(batch(put("a", "1"), put("b", "2")), put("c", "3")));
    RecoveryTest.flip(Filenames.log(dir, 1), offsets[0] + 12);
    CorruptDataException e = assertThrows(CorruptDataException.class,
        () -> Recovery.read(dir, Long.MAX_VALUE, true));
    assertTrue(e.getMessage().contains(String.valueOf(offsets[0])), e.getMessage());
  }

  @Test
  void compactionFoldsBatchesIntoTheSnapshot() throws IOException {
    StorageFiles.writeLog(dir, 1, List.of(put("a", "1"), batch(remove("a"), put("b", "2"), put("c", "3"))));
    StorageFiles.writeLog(dir, 2, List.of(batch(put("d", "4"), remove("c"))));

    Compaction.run(dir, 2, () -> false);

    assertEquals(Map.of("b", "2", "c", "3"), text(Snapshot.read(Filenames.snapshot(dir)).entries()));
    assertEquals(Map.of("b", "2", "d", "4"), text(Recovery.read(dir, Long.MAX_VALUE, false).entries()));
  }

  @Test
  void repairKeepsTheBatchesBeforeTheDamageAndNoneOfTheDamagedOne() throws IOException {
    long[] offsets = StorageFiles.writeLog(dir, 1, List.of(batch(put("a", "1"), put("b", "2")),
        batch(put("c", "3"), put("d", "4")), put("e", "5")));
    RecoveryTest.flip(Filenames.log(dir, 1), offsets[1] + 12); // inside the second batch

    Repair.Report report = Repair.run(dir, true);

    assertTrue(report.needed());
    assertEquals(Map.of("a", "1", "b", "2"), text(Recovery.recover(dir).entries()));
  }
}
