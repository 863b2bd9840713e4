package dev.kvactors.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kv set --ttl}, {@code kv ttl}, {@code kv expire}, {@code kv persist} on a data directory. */
class ExpiryCommandsTest {
  @TempDir
  Path dir;

  private KvTest.Run kv(String... args) {
    return KvTest.run(dir, args);
  }

  private long pttl(String key) {
    KvTest.Run ttl = kv("ttl", "--ms", key);
    assertEquals(0, ttl.exitCode(), ttl.err());
    return Long.parseLong(ttl.out().strip());
  }

  @Test
  void setWithATtlThenTtlPrintsTheTimeLeft() {
    KvTest.Run set = kv("set", "session", "abc", "--ttl", "1h");
    assertEquals(0, set.exitCode(), set.err());

    KvTest.Run ttl = kv("ttl", "session");
    assertEquals(0, ttl.exitCode(), ttl.err());
    assertTrue(ttl.out().strip().matches("59m\\d\\ds|1h0m0s"), ttl.out());
    long ms = pttl("session");
    assertTrue(ms > 3_000_000 && ms <= 3_600_000, "ms left: " + ms);
    assertEquals("abc", new String(kv("get", "session").rawOut(), StandardCharsets.UTF_8));
  }

  @Test
  void ttlPrintsNoneForAKeyWithoutExpiryAndExitsOneForAMissingKey() {
    kv("set", "k", "v");
    KvTest.Run none = kv("ttl", "k");
    assertEquals(0, none.exitCode(), none.err());
    assertEquals("none", none.out().strip());
    assertEquals(-1, pttl("k"));

    KvTest.Run missing = kv("ttl", "nope");
    assertEquals(1, missing.exitCode());
    assertEquals("not found: nope", missing.err().strip());
    assertEquals("", missing.out());
  }

  @Test
  void expireGivesAKeyATtlAndZeroDeletesIt() {
    kv("set", "k", "v");
    KvTest.Run expire = kv("expire", "k", "10m");
    assertEquals(0, expire.exitCode(), expire.err());
    long ms = pttl("k");
    assertTrue(ms > 500_000 && ms <= 600_000, "ms left: " + ms);

    assertEquals(0, kv("expire", "k", "30").exitCode(), "plain seconds");
    ms = pttl("k");
    assertTrue(ms > 0 && ms <= 30_000, "ms left: " + ms);

    assertEquals(0, kv("expire", "k", "0").exitCode());
    assertEquals(1, kv("get", "k").exitCode(), "an expiry of 0 deletes the key, as Redis's EXPIRE k 0");

    KvTest.Run missing = kv("expire", "nope", "10s");
    assertEquals(1, missing.exitCode());
    assertEquals("not found: nope", missing.err().strip());
  }

  @Test
  void persistRemovesTheExpiryAndExitsOneOnlyForAMissingKey() {
    kv("set", "k", "v", "--ttl", "1h");
    KvTest.Run persist = kv("persist", "k");
    assertEquals(0, persist.exitCode(), persist.err());
    assertEquals("none", kv("ttl", "k").out().strip());
    assertEquals(0, kv("persist", "k").exitCode(), "a key without expiry: nothing to do, but it exists");
    KvTest.Run missing = kv("persist", "nope");
    assertEquals(1, missing.exitCode());
    assertEquals("not found: nope", missing.err().strip());
  }

  @Test
  void aBadDurationIsAUsageErrorOfOneLine() {
    for (String[] args : new String[][] {
        {"set", "k", "v", "--ttl", "soon"},
        {"set", "k", "v", "--ttl", "0"},
        {"set", "k", "v", "--ttl", "10x"},
        {"expire", "k", "1.5s"},
    }) {
      KvTest.Run run = kv(args);
      assertEquals(2, run.exitCode(), String.join(" ", args) + ": " + run.err());
      assertEquals(1, run.err().strip().lines().count(), run.err());
      assertTrue(run.err().contains("'" + args[args.length - 1] + "'"), run.err());
    }
    assertEquals(1, kv("get", "k").exitCode(), "nothing was set");
  }

  @Test
  void durationsAreReadWithUnitsOrAsPlainSeconds() {
    assertEquals(Duration.ofSeconds(10), TtlFormat.parse("10s"));
    assertEquals(Duration.ofMillis(500), TtlFormat.parse("500ms"));
    assertEquals(Duration.ofMinutes(5), TtlFormat.parse("5m"));
    assertEquals(Duration.ofHours(1), TtlFormat.parse("1h"));
    assertEquals(Duration.ofDays(2), TtlFormat.parse("2d"));
    assertEquals(Duration.ofSeconds(10), TtlFormat.parse("10"));
    assertThrows(IllegalArgumentException.class, () -> TtlFormat.parse("-5s"));
    assertThrows(IllegalArgumentException.class, () -> TtlFormat.parse("999999999999999999d"));
  }

  @Test
  void theTimeLeftIsPrintedInTheUnitsAPersonReads() {
    assertEquals("734ms", TtlFormat.format(734));
    assertEquals("9.8s", TtlFormat.format(9_899));
    assertEquals("59.9s", TtlFormat.format(59_999));
    assertEquals("1m0s", TtlFormat.format(60_000));
    assertEquals("4m59s", TtlFormat.format(299_999));
    assertEquals("2h0m1s", TtlFormat.format(7_201_000));
    assertEquals("3d4h0m0s", TtlFormat.format(3 * 86_400_000L + 4 * 3_600_000L));
  }
}
