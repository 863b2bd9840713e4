package dev.kvactors.internal.storage;

import static dev.kvactors.internal.storage.StorageFiles.put;
import static dev.kvactors.internal.storage.StorageFiles.remove;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepairTest {
  @TempDir Path dir;

  @Test
  void reportsNothingToDoForAHealthyDirectory() throws IOException {
    StorageFiles.writeLog(dir, 1, List.of(put("a", "1")));
    StorageFiles.describe(dir);
    Repair.Report report = Repair.run(dir, true);
    assertFalse(report.needed());
    assertEquals(1, report.keys());
    assertTrue(report.backup().isEmpty());
    assertTrue(Files.exists(Filenames.log(dir, 1)), "a healthy directory is left alone");
  }

  @Test
  void withoutConfirmationChangesNothing() throws IOException {
    long[] offsets = StorageFiles.writeLog(dir, 1, List.of(put("a", "1"), put("b", "2"), put("c", "3")));
    RecoveryTest.flip(Filenames.log(dir, 1), offsets[1] + 10);
    byte[] before = Files.readAllBytes(Filenames.log(dir, 1));

    Repair.Report report = Repair.run(dir, false);

    assertTrue(report.needed());
    assertEquals(1, report.keys(), "the prefix before the damage holds one key");
    assertTrue(report.backup().isEmpty());
    assertArrayEquals(before, Files.readAllBytes(Filenames.log(dir, 1)));
    assertFalse(Files.exists(Filenames.snapshot(dir)));
    assertThrows(CorruptDataException.class, () -> Recovery.recover(dir));
  }

  @Test
  void salvagesTheLongestValidPrefixAndKeepsABackup() throws IOException {
    long[] first = StorageFiles.writeLog(dir, 1, List.of(put("a", "1"), put("b", "2"), remove("a"), put("c", "3")));
    StorageFiles.writeLog(dir, 2, List.of(put("d", "4")));
    RecoveryTest.flip(Filenames.log(dir, 1), first[3] + 10); // the 4th record of log 1 is damaged
    byte[] damaged = Files.readAllBytes(Filenames.log(dir, 1));

    Repair.Report report = Repair.run(dir, true);

    assertTrue(report.needed());
    assertEquals(List.of("log-0000000001.kvl: 3 records (bytes 0 to " + first[3] + ")"), report.kept());
    assertEquals(2, report.dropped().size(), report.dropped().toString());
    assertTrue(report.dropped().get(0).startsWith("log-0000000001.kvl: "), report.dropped().toString());
    assertTrue(report.dropped().get(1).startsWith("log-0000000002.kvl: all of it"), report.dropped().toString());
    Path backup = report.backup().orElseThrow();
    assertArrayEquals(damaged, Files.readAllBytes(backup.resolve("log-0000000001.kvl")));
    assertTrue(Files.exists(backup.resolve("log-0000000002.kvl")));

    Recovery.State repaired = Recovery.recover(dir);
    assertEquals(Map.of("b", "2"), text(repaired.entries()));
    assertTrue(repaired.tornTail().isEmpty());
  }

  @Test
  void salvagesTheReadableEntriesOfADamagedSnapshotThenItsLogs() throws IOException {
    Map<String, byte[]> entries = new HashMap<>();
    for (int i = 0; i < 20; i++) {
      entries.put("k" + i, ("v" + i).getBytes(StandardCharsets.UTF_8));
    }
    Snapshot.write(dir, entries, 3, () -> false);
    StorageFiles.writeLog(dir, 3, List.of(put("late", "x")));
    long size = Files.size(Filenames.snapshot(dir));
    RecoveryTest.flip(Filenames.snapshot(dir), size - 5); // inside the last entry

    Repair.Report report = Repair.run(dir, true);

    assertTrue(report.needed());
    Map<String, byte[]> repaired = Recovery.recover(dir).entries();
    assertEquals(20, repaired.size(), "19 snapshot entries and the log's key");
    assertTrue(repaired.containsKey("late"));
  }

  @Test
  void refusesWhileTheDirectoryIsLocked() throws IOException {
    StorageFiles.writeLog(dir, 1, List.of(put("a", "1")));
    try (DataDirLock held = DataDirLock.acquire(dir)) {
      assertThrows(DataDirLockedException.class, () -> Repair.run(dir, true));
    }
  }

  private static Map<String, String> text(Map<String, byte[]> entries) {
    Map<String, String> m = new HashMap<>();
    entries.forEach((k, v) -> m.put(k, new String(v, StandardCharsets.UTF_8)));
    return m;
  }
}
