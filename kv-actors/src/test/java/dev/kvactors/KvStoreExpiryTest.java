package dev.kvactors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The facade's expiry calls, blocking and asynchronous, on the real clock: deadlines far in the
 * future or already past, so nothing depends on how long a step takes.
 */
class KvStoreExpiryTest {
  @TempDir Path dir;

  @Test
  void theFacadeSetsReadsChangesAndRemovesDeadlines() {
    Instant inAYear = Instant.now().plus(Duration.ofDays(365));
    try (KvStore store = KvStore.open(KvSettings.defaults(dir))) {
      KvStore.Blocking kv = store.blocking();
      kv.set("ttl", "1", Duration.ofHours(1));
      KeyValueStore.TimeToLive ttl = kv.ttl("ttl");
      assertTrue(ttl.exists());
      Duration left = ttl.remaining().orElseThrow();
      assertTrue(left.compareTo(Duration.ofHours(1)) <= 0 && left.compareTo(Duration.ofMinutes(50)) > 0, left::toString);

      kv.set("at", "2", inAYear);
      assertEquals(inAYear.toEpochMilli(), kv.ttl("at").deadline().orElseThrow().toEpochMilli());
      assertFalse(kv.expireAt("at", inAYear.plusSeconds(1), KeyValueStore.ExpireCondition.IF_NO_DEADLINE));
      assertTrue(kv.expireAt("at", inAYear.plusSeconds(1), KeyValueStore.ExpireCondition.IF_LATER));
      assertTrue(kv.persist("at"));
      assertTrue(kv.ttl("at").remaining().isEmpty());
      assertEquals(-1, kv.ttl("at").pttl());

      kv.set("gone", "3", Instant.now().minusSeconds(1));
      assertTrue(kv.get("gone").isEmpty(), "a deadline already past sets and removes the key at once");
      kv.set("zero", "4");
      assertTrue(kv.expire("zero", Duration.ZERO));
      assertTrue(kv.getString("zero").isEmpty());
      assertFalse(kv.expire("zero", Duration.ofSeconds(5)), "no key");
      assertEquals(-2, kv.ttl("zero").pttl());

      assertEquals(List.of("at", "ttl"), kv.keys(""));
      assertTrue(KvStore.await(store.expire("ttl", Duration.ofMinutes(1)), Duration.ofSeconds(5)));
      assertThrows(KvException.InvalidRequest.class, () -> kv.set("bad", "x", Duration.ofSeconds(-1)));
    }
    try (KvStore again = KvStore.open(KvSettings.defaults(dir))) {
      assertTrue(again.blocking().ttl("ttl").remaining().orElseThrow().compareTo(Duration.ofMinutes(1)) <= 0);
      assertEquals(-1, again.blocking().ttl("at").pttl());
    }
  }
}
