package dev.kvactors.internal.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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

  @Test
  void aWaitingAcquireSucceedsOnceTheHolderReleasesWithinTheWait() throws Exception {
    DataDirLock first = DataDirLock.acquire(dir);
    CompletableFuture<DataDirLock> second = CompletableFuture.supplyAsync(() -> {
      try {
        return DataDirLock.acquire(dir, Duration.ofSeconds(60));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    assertFalse(second.isDone(), "the second acquire waits while the first holds the lock");
    first.close();
    try (DataDirLock lock = second.get(60, TimeUnit.SECONDS)) {
      assertEquals(String.valueOf(ProcessHandle.current().pid()),
          Files.readString(Filenames.lock(dir), StandardCharsets.US_ASCII).trim());
    }
  }

  @Test
  void aWaitingAcquireFailsAfterTheWaitWithTheHoldersPid() throws Exception {
    try (DataDirLock first = DataDirLock.acquire(dir)) {
      DataDirLockedException e = assertThrows(DataDirLockedException.class,
          () -> DataDirLock.acquire(dir, Duration.ofMillis(100)));
      assertTrue(e.getMessage().contains("data directory " + dir + " is locked by another process"), e.getMessage());
      assertEquals(1, probe("0.2"), "another process gives up after its wait");
    }
  }

  @Test
  void anotherProcessWaitingForTheLockGetsItWhenReleased() throws Exception {
    Process waiting;
    try (DataDirLock first = DataDirLock.acquire(dir)) {
      waiting = startProbe("60");
      assertTrue(waiting.isAlive(), "the other process waits while the lock is held");
    }
    assertTrue(waiting.waitFor(60, TimeUnit.SECONDS), "the waiting process finished");
    assertEquals(0, waiting.exitValue(), "it took the lock once released");
  }

  private int probe() throws IOException, InterruptedException {
    return probe("0");
  }

  private Process startProbe(String waitSeconds) throws IOException {
    return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), LockProbe.class.getName(), dir.toString(), waitSeconds)
        .inheritIO().start();
  }

  private int probe(String waitSeconds) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), LockProbe.class.getName(), dir.toString(), waitSeconds)
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
