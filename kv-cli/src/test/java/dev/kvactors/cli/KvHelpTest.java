package dev.kvactors.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Help and usage errors: what {@code kv ... --help} prints and how a wrong command line is reported. */
class KvHelpTest {
  @TempDir
  Path dir;

  private KvTest.Run kv(String... args) {
    return KvTest.run(dir, args);
  }

  @ParameterizedTest
  @ValueSource(strings = {"get", "set", "delete", "keys", "serve", "repair"})
  void eachCommandPrintsItsHelpWithoutNeedingItsArguments(String command) {
    KvTest.Run help = kv(command, "--help");

    assertEquals(0, help.exitCode(), help.err());
    assertTrue(help.out().startsWith("Usage: kv " + command), help.out());
    assertTrue(help.out().contains("--data-dir"), help.out());
    assertEquals("", help.err());
  }

  @ParameterizedTest
  @ValueSource(strings = {"serve", "repair"})
  void theServerOptionIsNotOfferedWhereItMeansNothing(String command) {
    assertFalse(kv(command, "--help").out().contains("--server"));
    assertTrue(kv("get", "--help").out().contains("--server"));
  }

  @Test
  void theServerOptionBeforeACommandThatDoesNotTakeItIsAUsageError() {
    KvTest.Run serve = kv("--server", "127.0.0.1:1", "serve");

    assertEquals(2, serve.exitCode());
    assertTrue(serve.err().startsWith("--server does not apply to kv serve"), serve.err());
  }

  @Test
  void anUnknownOptionIsNamedEvenWhenTheKeyIsMissingToo() {
    KvTest.Run get = kv("get", "-x");

    assertEquals(2, get.exitCode());
    assertTrue(get.err().startsWith("Unknown option: '-x'"), get.err());
    assertFalse(get.err().contains("Missing required parameter"), get.err());
  }

  @Test
  void aKeyStartingWithADashGoesAfterTheDoubleDash() {
    kv("set", "--", "-x", "dash");

    KvTest.Run get = kv("get", "--", "-x");

    assertEquals(0, get.exitCode(), get.err());
    assertEquals("dash", new String(get.rawOut(), java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void theTopHelpListsBenchTheEnvironmentAndEveryExitCode() {
    KvTest.Run help = kv("--help");

    assertEquals(0, help.exitCode(), help.err());
    for (String expected : new String[] {"bench", "KV_DATA_DIR", "KV_JAVA_OPTS", "KV_CDS", "KV_SERVER_PASSWORD",
        "--lock-wait", "get", "set", "delete", "keys", "serve", "repair"}) {
      assertTrue(help.out().contains(expected), expected + " is missing from:\n" + help.out());
    }
    for (int code = 0; code <= 4; code++) {
      assertTrue(help.out().contains("  " + code + "   "), "exit code " + code + " is missing from:\n" + help.out());
    }
  }

  @Test
  void aLockWaitThatIsNotADurationIsAUsageError() {
    KvTest.Run get = kv("--lock-wait", "soon", "get", "k");

    assertEquals(2, get.exitCode());
    assertTrue(get.err().contains("'soon' is not a duration"), get.err());
  }
}
