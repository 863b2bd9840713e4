package dev.kvactors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real disk faults on a small tmpfs of the test's own. A full disk: the writer stops acknowledging
 * (fail-stop), every later write fails fast naming the cause, reads keep working, and a restart
 * has everything acknowledged. A read-only file system: the store refuses to open, naming it.
 * Needs root (to mount); skipped elsewhere.
 */
class DiskFaultTest {
  static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;
  Path mount;

  @BeforeEach
  void mountTmpfs() throws Exception {
    mount = dir.resolve("mnt");
    Files.createDirectories(mount);
    assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mount.toString()) == 0,
        "mounting a tmpfs needs root");
  }

  @AfterEach
  void unmount() throws Exception {
    if (mount != null) {
      run("umount", "-l", mount.toString());
    }
  }

  @Test
  void aFullDiskStopsWritesWithTheCauseAndKeepsReadsAndAcknowledgedData() throws Exception {
    Path data = mount.resolve("data");
    List<String> acknowledged = new ArrayList<>();
    KvException failure = null;
    try (KvStore store = KvStore.open(KvSettings.defaults(data))) {
      byte[] value = new byte[4096];
      for (int i = 0; i < 1000 && failure == null; i++) {
        try {
          KvStore.await(store.set("k" + i, value), WAIT);
          acknowledged.add("k" + i);
        } catch (KvException e) {
          failure = e;
        }
      }
      assertTrue(failure instanceof KvException.StorageFailed, "the disk filled up: " + failure);
      assertTrue(failure.getMessage().contains("No space left on device"), failure.getMessage());
      KvException later = assertThrows(KvException.StorageFailed.class,
          () -> KvStore.await(store.set("small", new byte[] {1}), WAIT));
      assertEquals(failure.getMessage(), later.getMessage(), "later writes fail fast with the same cause");
      assertTrue(KvStore.await(store.get(acknowledged.get(0)), WAIT).isPresent(), "reads keep working");
    }
    assertTrue(acknowledged.size() > 10);
    run("mount", "-o", "remount,size=4m", mount.toString());
    try (KvStore store = KvStore.open(KvSettings.defaults(data))) {
      for (String key : acknowledged) {
        assertTrue(KvStore.await(store.get(key), WAIT).isPresent(), key);
      }
      KvStore.await(store.set("after", "the disk has room again"), WAIT);
    }
  }

  /**
   * Linux refuses to remount a file system read-only while a file on it is open for writing, so a
   * read-only data directory is met at start (the running case is the injected write failure of
   * {@code KeyValueStoreTest}): the store refuses to open, naming the cause, and changes nothing.
   */
  @Test
  void aReadOnlyDataDirectoryIsRefusedAtStartNamingTheCause() throws Exception {
    Path data = mount.resolve("data");
    try (KvStore store = KvStore.open(KvSettings.defaults(data))) {
      KvStore.await(store.set("before", "1"), WAIT);
    }
    assertEquals(0, run("mount", "-o", "remount,ro", mount.toString()));
    KvException reopen = assertThrows(KvException.RecoveryFailed.class, () -> KvStore.open(KvSettings.defaults(data)));
    assertTrue(reopen.getMessage().contains("Read-only file system"), reopen.getMessage());
    assertEquals(0, run("mount", "-o", "remount,rw", mount.toString()));
    try (KvStore store = KvStore.open(KvSettings.defaults(data))) {
      assertEquals(Optional.of("1"), KvStore.await(store.getString("before"), WAIT));
    }
  }

  private static int run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }
}
