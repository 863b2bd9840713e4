package dev.kvactors.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class KvTest {
  @TempDir
  Path dir;

  /** One run of the program with stdin, stdout (text and raw bytes) and stderr captured. */
  record Run(int exitCode, String out, byte[] rawOut, String err) {}

  private Run kv(String... args) {
    return kvWithStdin(new byte[0], args);
  }

  private Run kvWithStdin(byte[] stdin, String... args) {
    return run(new Kv(new ByteArrayInputStream(stdin), new ByteArrayOutputStream()), dir, args);
  }

  /** Runs the program on data directory {@code dataDir}. */
  static Run run(Kv kv, Path dataDir, String... args) {
    ByteArrayOutputStream raw = (ByteArrayOutputStream) kv.rawOut();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = Kv.newCommandLine(kv);
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    List<String> all = new ArrayList<>(List.of("--data-dir", dataDir.toString()));
    all.addAll(List.of(args));
    int code = cmd.execute(all.toArray(String[]::new));
    return new Run(code, out.toString(), raw.toByteArray(), err.toString());
  }

  static Run run(Path dataDir, String... args) {
    return run(new Kv(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream()), dataDir, args);
  }

  @Test
  void getReturnsTheValueSetBefore() {
    Run set = kv("set", "greeting", "hello world");
    assertEquals(0, set.exitCode(), set.err());

    Run get = kv("get", "greeting");

    assertEquals(0, get.exitCode(), get.err());
    assertEquals("hello world", new String(get.rawOut(), StandardCharsets.UTF_8));
    assertEquals("", get.err());
  }

  @Test
  void getAddsANewlineOnlyOnATerminalAndNotWithRaw() {
    kv("set", "greeting", "hello");

    Run terminal = run(new Kv(InputStream.nullInputStream(), new ByteArrayOutputStream(), true), dir, "get", "greeting");
    Run raw = run(new Kv(InputStream.nullInputStream(), new ByteArrayOutputStream(), true), dir,
        "get", "--raw", "greeting");

    assertEquals("hello\n", new String(terminal.rawOut(), StandardCharsets.UTF_8));
    assertEquals("hello", new String(raw.rawOut(), StandardCharsets.UTF_8));
  }

  @Test
  void setWithDashReadsTheValueFromStdinByteForByte() {
    byte[] value = {0, 1, (byte) 0xFF, '\n', '\r', 'x', 0};
    assertEquals(0, kvWithStdin(value, "set", "bin", "-").exitCode());

    Run get = kv("get", "bin");

    assertArrayEquals(value, get.rawOut());
  }

  @Test
  void getOfAMissingKeyExitsWithOneAndSaysNotFound() {
    Run get = kv("get", "nothing-here");

    assertEquals(1, get.exitCode());
    assertEquals("not found: nothing-here\n", get.err().replace("\r\n", "\n"));
    assertEquals(0, get.rawOut().length);
  }

  @Test
  void deleteRemovesTheKeyAndPrintsWhetherItExisted() {
    kv("set", "k", "v");

    Run deleted = kv("delete", "k");
    Run again = kv("delete", "k");

    assertEquals(0, deleted.exitCode(), deleted.err());
    assertEquals("1\n", deleted.out());
    assertEquals(1, kv("get", "k").exitCode());
    assertEquals(0, again.exitCode(), "deleting a missing key is not an error");
    assertEquals("0\n", again.out());
  }

  @Test
  void keysWithDashZeroEndsEachKeyWithANulSoANewlineInAKeyIsNotAmbiguous() {
    kv("set", "a\nb", "1");
    kv("set", "c", "2");

    Run keys = kv("keys", "-0");

    assertEquals(0, keys.exitCode(), keys.err());
    assertEquals("a\nb\0c\0", keys.out());
  }

  @Test
  void keysListsTheKeysWithThePrefixOneALine() {
    kv("set", "user-2", "b");
    kv("set", "user-1", "a");
    kv("set", "other", "c");

    Run keys = kv("keys", "user-");

    assertEquals(0, keys.exitCode(), keys.err());
    assertEquals(List.of("user-1", "user-2"), keys.out().lines().toList());
    assertEquals(List.of("other", "user-1", "user-2"), kv("keys").out().lines().toList());
  }

  @Test
  void anEmptyKeyExitsWithThreeAndOneLineWithoutStackTrace() {
    Run set = kv("set", "", "value");

    assertEquals(3, set.exitCode());
    assertEquals(1, set.err().lines().count(), set.err());
    assertTrue(set.err().startsWith("kv: "), set.err());
    assertTrue(set.err().contains("key must not be empty"), set.err());
    assertFalse(set.err().contains("Exception"), set.err());
  }

  @Test
  void verbosePrintsTheStackTraceOfAnError() {
    Run set = kv("--verbose", "set", "", "value");

    assertEquals(3, set.exitCode());
    assertTrue(set.err().startsWith("kv: "), set.err());
    assertTrue(set.err().contains("\tat "), set.err());
  }

  @Test
  void anUnknownOptionIsAUsageErrorWithExitCodeTwo() {
    Run run = kv("get", "--no-such-option", "k");

    assertEquals(2, run.exitCode());
    assertTrue(run.err().contains("--no-such-option"), run.err());
  }

  @Test
  void aMissingArgumentIsAUsageErrorWithExitCodeTwo() {
    assertEquals(2, kv("set", "only-a-key").exitCode());
  }

  @Test
  void versionPrintsTheProjectVersion() {
    Run run = kv("--version");

    assertEquals(0, run.exitCode());
    assertTrue(run.out().startsWith("kv "), run.out());
    assertFalse(run.out().contains("${"), "the version was not filtered in: " + run.out());
    assertTrue(run.out().lines().findFirst().orElseThrow().matches("kv \\d+\\.\\d+\\.\\d+.*"), run.out());
  }

  @Test
  void loadPrintsOneAckPerKeyAndVerifyFindsThemAll() {
    Run load = kv("load", "--count", "50", "--clients", "4", "--prefix", "t");

    assertEquals(0, load.exitCode(), load.err());
    assertEquals(50, load.out().lines().filter(l -> l.startsWith("ack t-")).distinct().count());

    Run verify = kv("load", "--verify", "--count", "50", "--prefix", "t");
    assertEquals(0, verify.exitCode(), verify.out());
    assertEquals("verified 50", verify.out().strip());
  }

  @Test
  void verifyNamesMissingAndWrongKeysAndExitsWithOne() {
    kv("load", "--count", "3", "--prefix", "t");
    kv("set", "t-1", "something else");
    kv("delete", "t-2");

    Run verify = kv("load", "--verify", "--count", "3", "--prefix", "t");

    assertEquals(1, verify.exitCode());
    assertTrue(verify.out().lines().toList().containsAll(List.of("wrong t-1", "missing t-2")), verify.out());
  }
}
