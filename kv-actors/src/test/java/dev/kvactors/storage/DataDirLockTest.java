package dev.kvactors.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirLockTest {
  @TempDir Path dir;

  @Test
  void secondAcquireFailsWhileTheFirstIsHeld() throws IOException {
    try (DataDirLock first = DataDirLock.acquire(dir)) {
      DataDirLockedException e = assertThrows(DataDirLockedException.class, () -> DataDirLock.acquire(dir));
      assertTrue(e.getMessage().contains("data directory " + dir + " is locked by another process"), e.getMessage());
    }
  }

  @Test
  void aFailedSecondAcquireInThisProcessDoesNotReleaseTheLockForOtherProcesses() throws Exception {
    try (DataDirLock first = DataDirLock.acquire(dir)) {
      assertThrows(DataDirLockedException.class, () -> DataDirLock.acquire(dir));
      assertThrows(DataDirLockedException.class, () -> DataDirLock.acquire(dir.resolve(".")));
      assertEquals(1, probe(), "another process still finds the directory locked");
    }
    assertEquals(0, probe(), "once released, another process can lock it");
  }

  private int probe() throws IOException, InterruptedException {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), LockProbe.class.getName(), dir.toString())
        .inheritIO().start();
    if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("lock probe did not finish");
    }
    return p.exitValue();
  }

  @Test
  void lockCanBeTakenAgainAfterRelease() throws IOException {
    DataDirLock.acquire(dir).close();
    try (DataDirLock again = DataDirLock.acquire(dir)) {
      String pid = Files.readString(Filenames.lock(dir), StandardCharsets.US_ASCII).trim();
      assertEquals(String.valueOf(ProcessHandle.current().pid()), pid);
    }
  }

  @Test
  void createsAMissingDirectory() throws IOException {
    Path nested = dir.resolve("a/b");
    try (DataDirLock lock = DataDirLock.acquire(nested)) {
      assertTrue(Files.isDirectory(nested));
    }
  }

  @Test
  void refusesAPathThatIsAFile() throws IOException {
    Path file = Files.writeString(dir.resolve("file"), "x");
    NotDirectoryException e = assertThrows(NotDirectoryException.class, () -> DataDirLock.acquire(file));
    assertTrue(e.getMessage().contains("is not a directory"));
  }
}
