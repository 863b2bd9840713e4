package dev.kvactors.system;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kvactors.KvSettings;
import dev.kvactors.KvStore;
import dev.kvactors.system.KvProgram.Result;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged program as a shell user runs it: output redirected to a file, several commands at
 * once, and data directories that are missing, a file, read-only or held by another process.
 */
class KvCliSystemTest {
  @TempDir
  Path tmp;

  @Test
  void aBinaryFileRoundTripsThroughSetDashAndGetIntoAFile() throws IOException {
    Path dir = tmp.resolve("data");
    byte[] bytes = new byte[200_000];
    new Random(42).nextBytes(bytes);
    bytes[0] = 0;
    bytes[bytes.length - 1] = '\n';
    Path f = Files.write(tmp.resolve("f"), bytes);
    Path g = tmp.resolve("g");

    // kv set k - < f; kv get k > g; cmp f g
    assertEquals(0, runRedirected(KvProgram.command(dir, "set", "k", "-"), f, null));
    assertEquals(0, runRedirected(KvProgram.command(dir, "get", "k"), null, g));

    assertArrayEquals(bytes, Files.readAllBytes(g));
  }

  @Test
  void sixConcurrentSetsAllSucceedWhileTheLockWaitLasts() {
    Path dir = tmp.resolve("data");
    List<Process> sets = new ArrayList<>();
    for (int i = 1; i <= 6; i++) {
      sets.add(KvProgram.start(dir, tmp.resolve("set-" + i + ".err"), "--lock-wait", "60s", "set", "k" + i, "v"));
    }
    for (int i = 1; i <= 6; i++) {
      Path err = tmp.resolve("set-" + i + ".err");
      int code = KvProgram.waitFor(sets.get(i - 1), KvProgram.TIMEOUT, List.of("kv set k" + i));
      assertEquals(0, code, () -> "kv set: " + read(err));
    }

    assertEquals(List.of("k1", "k2", "k3", "k4", "k5", "k6"), KvProgram.run(dir, "keys").outLines());
  }

  @Test
  void aDirectoryStillLockedAfterTheWaitExitsWithFourNotThree() {
    Path dir = tmp.resolve("data");
    try (KvStore holder = KvStore.open(KvSettings.defaults(dir))) {
      Result get = KvProgram.run(dir, "--lock-wait", "300ms", "get", "k");

      assertEquals(4, get.exitCode(), get.describe());
      assertEquals(1, get.stderr().lines().count(), get.describe());
      assertTrue(get.stderr().startsWith("kv: data directory " + dir + " is locked by another process"),
          get.describe());
    }
  }

  @Test
  void readCommandsOnAMissingDirectorySaySoAndCreateNothing() {
    Path typo = tmp.resolve("dtaa");

    Result get = KvProgram.run(typo, "get", "k");
    Result keys = KvProgram.run(typo, "keys");

    for (Result r : List.of(get, keys)) {
      assertEquals(3, r.exitCode(), r.describe());
      assertEquals("kv: data directory " + typo + " does not exist (kv set creates it)\n", r.stderr(), r.describe());
    }
    assertFalse(Files.exists(typo), "a mistyped data directory was created");
    assertEquals(0, KvProgram.run(typo, "set", "k", "v").exitCode(), "set creates it");
    assertEquals("v", KvProgram.run(typo, "get", "k").out());
  }

  @Test
  void aFileAsTheDataDirectoryIsOneClearLine() throws IOException {
    Path file = Files.writeString(tmp.resolve("notes.txt"), "hello");

    Result set = KvProgram.run(file, "set", "k", "v");

    assertEquals(3, set.exitCode(), set.describe());
    assertEquals("kv: data directory " + file + " is not a directory\n", set.stderr());
  }

  @Test
  void aReadOnlyDataDirectoryIsReadableButNotWritable() throws Exception {
    Path dir = tmp.resolve("data");
    assertEquals(0, KvProgram.run(dir, "set", "k", "value").exitCode());
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
    boolean immutable = false;
    try {
      if (Files.isWritable(dir)) { // root: make it immutable instead
        immutable = chattr("+i", dir) && !Files.isWritable(dir);
        assumeTrue(immutable, "cannot make a directory read-only for this user");
      }
      Result get = KvProgram.run(dir, "get", "k");
      Result keys = KvProgram.run(dir, "keys");
      Result set = KvProgram.run(dir, "set", "k", "new");

      assertEquals(0, get.exitCode(), get.describe());
      assertEquals("value", get.out());
      assertEquals(List.of("k"), keys.outLines(), keys.describe());
      assertEquals(3, set.exitCode(), set.describe());
      assertEquals(1, set.stderr().lines().count(), set.describe());
      assertTrue(set.stderr().startsWith("kv: data directory " + dir + " is read-only"), set.describe());
    } finally {
      if (immutable) {
        chattr("-i", dir);
      }
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  @Test
  void kvLogRollsOverAtItsSizeCapKeepingThreeOldFiles() throws IOException {
    Path dir = tmp.resolve("data");
    for (int i = 0; i < 12; i++) {
      List<String> command = KvProgram.command(dir, "set", "k" + i, "v");
      command.add(1, "-Dkv.log.max-file-size=1KB"); // the cap is 10MB by default
      assertEquals(0, KvProgram.run(command, null, new byte[0], KvProgram.TIMEOUT).exitCode());
    }

    assertTrue(Files.isRegularFile(dir.resolve("kv.log.1")), "kv.log did not roll over");
    assertTrue(Files.isRegularFile(dir.resolve("kv.log.3")));
    assertFalse(Files.exists(dir.resolve("kv.log.4")), "more than three old logs are kept");
    assertTrue(Files.size(dir.resolve("kv.log")) < 4096, "kv.log is past its cap");
  }

  @Test
  void openingAStoreAsTheFirstUseOfLoggingPrintsNoSlf4jWarning() throws IOException {
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", classpath, OpenOneStore.class.getName(), tmp.resolve("data").toString());

    Result run = KvProgram.run(command, null, new byte[0], KvProgram.TIMEOUT);

    assertEquals(0, run.exitCode(), run.describe());
    assertFalse(run.stderr().contains("SLF4J"), run.describe());
  }

  /** Opens a store, sets a key and closes it: an application's first use of the library. */
  static final class OpenOneStore {
    public static void main(String[] args) throws Exception {
      try (KvStore store = KvStore.open(KvSettings.defaults(Path.of(args[0])))) {
        store.set("k", new byte[] {1}).toCompletableFuture().get();
      }
    }
  }

  private static int runRedirected(List<String> command, Path stdin, Path stdout) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
    pb.environment().remove("KV_DATA_DIR");
    if (stdin != null) {
      pb.redirectInput(stdin.toFile());
    }
    if (stdout != null) {
      pb.redirectOutput(stdout.toFile());
    }
    return KvProgram.waitFor(pb.start(), KvProgram.TIMEOUT, command);
  }

  private static boolean chattr(String flag, Path dir) throws InterruptedException {
    try {
      Process p = new ProcessBuilder("chattr", flag, dir.toString()).redirectErrorStream(true).start();
      p.getInputStream().transferTo(OutputStream.nullOutputStream());
      return p.waitFor() == 0;
    } catch (IOException e) {
      return false; // no chattr
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }
}
