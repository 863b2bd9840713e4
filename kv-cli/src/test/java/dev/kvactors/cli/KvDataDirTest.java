package dev.kvactors.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kvactors.KvSettings;
import dev.kvactors.KvStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the commands do with a data directory that is missing, a file, read-only or locked. */
class KvDataDirTest {
  @TempDir
  Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {"get k", "keys", "delete k"})
  void aCommandThatReadsAMissingDirectorySaysSoWithoutCreatingIt(String command) {
    Path typo = tmp.resolve("dtaa");

    KvTest.Run run = KvTest.run(typo, command.split(" "));

    assertEquals(3, run.exitCode());
    assertEquals("kv: data directory " + typo + " does not exist (kv set creates it)\n", run.err());
    assertFalse(Files.exists(typo), "the mistyped directory was created");
  }

  @Test
  void setCreatesAMissingDirectory() {
    Path fresh = tmp.resolve("a/b");

    KvTest.Run set = KvTest.run(fresh, "set", "k", "v");

    assertEquals(0, set.exitCode(), set.err());
    assertEquals("v", new String(KvTest.run(fresh, "get", "k").rawOut(), StandardCharsets.UTF_8));
  }

  @ParameterizedTest
  @ValueSource(strings = {"get k", "keys", "set k v", "delete k", "repair"})
  void aFileGivenAsTheDataDirectoryIsOneClearLine(String command) throws IOException {
    Path file = Files.writeString(tmp.resolve("notes.txt"), "not a store");

    KvTest.Run run = KvTest.run(file, command.split(" "));

    assertEquals(3, run.exitCode());
    assertEquals("kv: data directory " + file + " is not a directory\n", run.err());
  }

  @Test
  void aReadOnlyDirectoryCanBeReadButNotWritten() throws IOException, InterruptedException {
    Path dir = tmp.resolve("ro");
    assertEquals(0, KvTest.run(dir, "set", "k", "value").exitCode());
    assertEquals(0, KvTest.run(dir, "set", "j", "other").exitCode());
    try (ReadOnly ro = ReadOnly.make(dir)) {
      KvTest.Run get = KvTest.run(dir, "get", "k");
      KvTest.Run keys = KvTest.run(dir, "keys");
      KvTest.Run set = KvTest.run(dir, "set", "k", "new");

      assertEquals(0, get.exitCode(), get.err());
      assertEquals("value", new String(get.rawOut(), StandardCharsets.UTF_8));
      assertEquals(List.of("j", "k"), keys.out().lines().toList(), keys.err());
      assertEquals(3, set.exitCode());
      assertEquals("kv: data directory " + dir + " is read-only; get and keys can read it, but set need write access\n",
          set.err());
    }
  }

  @Test
  void aDirectoryLockedByAnotherStoreIsExitCodeFourAfterTheLockWait() {
    Path dir = tmp.resolve("held");
    try (KvStore holder = KvStore.open(KvSettings.defaults(dir))) {
      KvTest.Run get = KvTest.run(dir, "--lock-wait", "200ms", "get", "k");

      assertEquals(4, get.exitCode(), get.err());
      assertTrue(get.err().startsWith("kv: ") && get.err().contains("locked"), get.err());
      assertEquals(1, get.err().lines().count(), get.err());
    }
  }

  /** A directory this process cannot write: mode 555, or immutable (chattr +i) when running as root. */
  private record ReadOnly(Path dir, boolean immutable) implements AutoCloseable {
    static ReadOnly make(Path dir) throws IOException, InterruptedException {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
      if (!Files.isWritable(dir)) {
        return new ReadOnly(dir, false);
      }
      boolean immutable = chattr("+i", dir) && !Files.isWritable(dir);
      assumeTrue(immutable, "cannot make a directory read-only for this user (root without chattr)");
      return new ReadOnly(dir, true);
    }

    private static boolean chattr(String flag, Path dir) throws IOException, InterruptedException {
      try {
        Process p = new ProcessBuilder("chattr", flag, dir.toString()).redirectErrorStream(true).start();
        p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        return p.waitFor() == 0;
      } catch (IOException e) {
        return false; // no chattr
      }
    }

    @Override
    public void close() throws IOException, InterruptedException {
      if (immutable) {
        chattr("-i", dir);
      }
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }
}
