package dev.kvactors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.kvactors.KeyValueStore.ExpireCondition;
import dev.kvactors.KeyValueStore.Expiry;
import dev.kvactors.internal.FaultHooks;
import dev.kvactors.internal.HeartbeatSender;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Expiry in the key-value actor, with a clock the test moves (no sleeping): deadlines, Redis's
 * EXPIRE conditions, lazy and active removal, listings, and deadlines across a restart.
 */
class ExpiryTest {
  static final ActorTestKit testKit = ActorTestKit.create();
  static final long T0 = 1_800_000_000_000L; // 2027-01-15

  @TempDir Path dir;

  /** The store's wall clock, moved by the test. */
  static final class ManualClock implements FaultHooks {
    final AtomicLong millis = new AtomicLong(T0);

    @Override
    public long currentTimeMillis() {
      return millis.get();
    }

    void advance(Duration d) {
      millis.addAndGet(d.toMillis());
    }
  }

  private final ManualClock clock = new ManualClock();
  private final TestProbe<HeartbeatSender.Beat> router = testKit.createTestProbe();
  private final TestProbe<StatusReply<KeyValueStore.Value>> values = testKit.createTestProbe();
  private final TestProbe<StatusReply<KeyValueStore.Stored>> stored = testKit.createTestProbe();
  private final TestProbe<StatusReply<KeyValueStore.Deleted>> deleted = testKit.createTestProbe();
  private final TestProbe<StatusReply<KeyValueStore.DeadlineChanged>> changes = testKit.createTestProbe();
  private final TestProbe<StatusReply<KeyValueStore.TimeToLive>> ttls = testKit.createTestProbe();
  private final TestProbe<StatusReply<KeySet>> keyLists = testKit.createTestProbe();
  private final TestProbe<StatusReply<KeyValueStore.Ready>> ready = testKit.createTestProbe();
  private final TestProbe<StatusReply<KeyValueStore.Answers>> answers = testKit.createTestProbe();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** Settings whose active expiry never runs on its own during a test (rounds every hour). */
  private KvSettings lazyOnly() {
    return settings("kv.expiry.interval = 1h");
  }

  private KvSettings settings(String overrides) {
    return KvSettings.create(ConfigFactory.parseString(overrides)
        .withFallback(KvSettings.defaults(dir).toConfig())
        .withFallback(ConfigFactory.load()));
  }

  private ActorRef<KeyValueStore.Command> spawn(KvSettings settings) {
    ActorRef<KeyValueStore.Command> store = testKit.spawn(KeyValueStore.create(settings, router.ref(), clock));
    store.tell(new KeyValueStore.AwaitReady(ready.ref()));
    ready.receiveMessage(Duration.ofSeconds(60));
    return store;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private KeyValueStore.Stored set(ActorRef<KeyValueStore.Command> store, String key, String value, Expiry expiry) {
    store.tell(new KeyValueStore.Set(key, bytes(value), KeyValueStore.Condition.ALWAYS, expiry, stored.ref()));
    return stored.receiveMessage().getValue();
  }

  private String get(ActorRef<KeyValueStore.Command> store, String key) {
    store.tell(new KeyValueStore.Get(key, values.ref()));
    return values.receiveMessage().getValue().asString().orElse(null);
  }

  private KeyValueStore.TimeToLive ttl(ActorRef<KeyValueStore.Command> store, String key) {
    store.tell(new KeyValueStore.Ttl(key, ttls.ref()));
    return ttls.receiveMessage().getValue();
  }

  private boolean expire(ActorRef<KeyValueStore.Command> store, String key, Expiry deadline,
      ExpireCondition condition) {
    store.tell(new KeyValueStore.Expire(key, deadline, condition, changes.ref()));
    return changes.receiveMessage().getValue().changed();
  }

  private boolean persist(ActorRef<KeyValueStore.Command> store, String key) {
    store.tell(new KeyValueStore.Persist(key, changes.ref()));
    return changes.receiveMessage().getValue().changed();
  }

  private KeySet keys(ActorRef<KeyValueStore.Command> store) {
    store.tell(new KeyValueStore.Keys(keyLists.ref()));
    return keyLists.receiveMessage().getValue();
  }

  @Test
  void aKeySetWithATtlIsReturnedUntilItsDeadlineAndNeverAfter() {
    ActorRef<KeyValueStore.Command> store = spawn(lazyOnly());
    set(store, "session", "abc", Expiry.after(Duration.ofSeconds(10)));
    assertEquals("abc", get(store, "session"));
    KeyValueStore.TimeToLive ttl = ttl(store, "session");
    assertEquals(T0 + 10_000, ttl.deadlineMillis());
    assertEquals(10_000, ttl.pttl());
    assertEquals(10, ttl.ttl());
    assertEquals((T0 + 10_000) / 1000, ttl.expireTime());
    assertEquals(T0 + 10_000, ttl.pexpireTime());

    clock.advance(Duration.ofMillis(9_999));
    assertEquals("abc", get(store, "session"));
    assertEquals(1, ttl(store, "session").pttl());
    assertEquals(0, ttl(store, "session").ttl(), "Redis rounds 1 ms to 0 s");

    clock.advance(Duration.ofMillis(1));
    assertEquals(null, get(store, "session"));
    assertEquals(-2, ttl(store, "session").pttl());
    assertFalse(ttl(store, "session").exists());
  }

  @Test
  void aPlainSetClearsTheDeadlineAndKeepTtlKeepsIt() {
    ActorRef<KeyValueStore.Command> store = spawn(lazyOnly());
    set(store, "k", "1", Expiry.after(Duration.ofSeconds(10)));
    set(store, "k", "2", Expiry.KEEP);
    assertEquals(T0 + 10_000, ttl(store, "k").deadlineMillis());
    set(store, "k", "3", Expiry.NONE);
    assertEquals(-1, ttl(store, "k").pttl());
    assertEquals(-1, ttl(store, "k").ttl());
    assertTrue(ttl(store, "k").remaining().isEmpty());
    clock.advance(Duration.ofDays(1));
    assertEquals("3", get(store, "k"));
  }

  @Test
  void keepTtlOnAnExpiredKeyGivesTheNewValueNoDeadline() {
    ActorRef<KeyValueStore.Command> store = spawn(lazyOnly());
    set(store, "k", "old", Expiry.after(Duration.ofSeconds(1)));
    clock.advance(Duration.ofSeconds(2));
    KeyValueStore.Stored s = set(store, "k", "new", Expiry.KEEP);
    assertTrue(s.previous().isEmpty(), "an expired value is no previous value");
    assertEquals(-1, ttl(store, "k").pttl());
  }

  @Test
  void aSetWithADeadlineInThePastIsAppliedAndGoneAtOnce() {
    ActorRef<KeyValueStore.Command> store = spawn(lazyOnly());
    set(store, "k", "1", Expiry.NONE);
    KeyValueStore.Stored s = set(store, "k", "2", Expiry.atMillis(T0 - 1));
    assertTrue(s.applied());
    assertArrayEquals(bytes("1"), s.previous().orElseThrow());
    assertEquals(null, get(store, "k"));
    assertEquals(0, keys(store).size(), "logged and applied as a delete");
  }

  @Test
  void aSetRefusesATtlThatIsNotPositive() {
    ActorRef<KeyValueStore.Command> store = spawn(lazyOnly());
    store.tell(new KeyValueStore.Set("k", bytes("v"), KeyValueStore.Condition.ALWAYS, Expiry.after(Duration.ZERO),
        stored.ref()));
    assertInstanceOf(KvException.InvalidRequest.class, stored.receiveMessage().getError());
    store.tell(new KeyValueStore.Set("k", bytes("v"), KeyValueStore.Condition.ALWAYS, Expiry.atMillis(0),
        stored.ref()));
    assertInstanceOf(KvException.InvalidRequest.class, stored.receiveMessage().getError());
    assertEquals(null, get(store, "k"));
  }

  @Test
  void setIfAbsentTreatsAnExpiredKeyAsAbsent() {
    ActorRef<KeyValueStore.Command> store = spawn(lazyOnly());
    set(store, "lock", "a", Expiry.after(Duration.ofSeconds(30)));
    store.tell(new KeyValueStore.Set("lock", bytes("b"), KeyValueStore.Condition.IF_ABSENT, Expiry.NONE,
        stored.ref()));
    assertFalse(stored.receiveMessage().getValue().applied());
    clock.advance(Duration.ofSeconds(30));
    store.tell(new KeyValueStore.Set("lock", bytes("b"), KeyValueStore.Condition.IF_ABSENT,
        Expiry.after(Duration.ofSeconds(30)), stored.ref()));
    assertTrue(stored.receiveMessage().getValue().applied());
    assertEquals("b", get(store, "lock"));
  }

  @Test
  void expireFollowsRedisNxXxGtLtConditions() {
    ActorRef<KeyValueStore.Command> store = spawn(lazyOnly());
    Expiry in10 = Expiry.after(Duration.ofSeconds(10));
    Expiry in20 = Expiry.after(Duration.ofSeconds(20));
    Expiry in5 = Expiry.after(Duration.ofSeconds(5));
    assertFalse(expire(store, "missing", in10, ExpireCondition.ALWAYS), "no key: 0");

    set(store, "k", "v", Expiry.NONE);
    assertFalse(expire(store, "k", in10, ExpireCondition.IF_DEADLINE), "XX without a deadline");
    assertFalse(expire(store, "k", in10, ExpireCondition.IF_LATER), "GT: no deadline counts as infinite");
    assertFalse(expire(store, "k", in10, ExpireCondition.IF_DEADLINE_AND_EARLIER), "XX LT without a deadline");
    assertEquals(-1, ttl(store, "k").pttl());
    assertTrue(expire(store, "k", in20, ExpireCondition.IF_EARLIER), "LT: anything is earlier than infinite");
    assertEquals(20_000, ttl(store, "k").pttl());

    assertFalse(expire(store, "k", in10, ExpireCondition.IF_NO_DEADLINE), "NX with a deadline");
    assertFalse(expire(store, "k", in10, ExpireCondition.IF_LATER), "GT: 10 s is not later than 20 s");
    assertTrue(expire(store, "k", Expiry.after(Duration.ofSeconds(30)), ExpireCondition.IF_LATER));
    assertEquals(30_000, ttl(store, "k").pttl());
    assertFalse(expire(store, "k", Expiry.after(Duration.ofSeconds(30)), ExpireCondition.IF_EARLIER),
        "LT: equal is not earlier");
    assertTrue(expire(store, "k", in5, ExpireCondition.IF_DEADLINE_AND_EARLIER));
    assertEquals(5_000, ttl(store, "k").pttl());
    assertTrue(expire(store, "k", in10, ExpireCondition.IF_DEADLINE));
    assertEquals(10_000, ttl(store, "k").pttl());
    assertTrue(expire(store, "k", Expiry.atMillis(T0 + 60_000), ExpireCondition.ALWAYS));
    assertEquals(T0 + 60_000, ttl(store, "k").pexpireTime());
    assertEquals("v", get(store, "k"), "an expire keeps the value");
  }

  @Test
  void expireConditionsFromRedisOptionsRefuseTheCombinationsRedisRefuses() {
    assertEquals(ExpireCondition.ALWAYS, ExpireCondition.of(false, false, false, false));
    assertEquals(ExpireCondition.IF_NO_DEADLINE, ExpireCondition.of(true, false, false, false));
    assertEquals(ExpireCondition.IF_DEADLINE, ExpireCondition.of(false, true, false, false));
    assertEquals(ExpireCondition.IF_LATER, ExpireCondition.of(false, false, true, false));
    assertEquals(ExpireCondition.IF_LATER, ExpireCondition.of(false, true, true, false));
    assertEquals(ExpireCondition.IF_EARLIER, ExpireCondition.of(false, false, false, true));
    assertEquals(ExpireCondition.IF_DEADLINE_AND_EARLIER, ExpireCondition.of(false, true, false, true));
    assertEquals("NX and XX, GT or LT options at the same time are not compatible",
        assertThrows(IllegalArgumentException.class, () -> ExpireCondition.of(true, false, true, false)).getMessage());
    assertEquals("GT and LT options at the same time are not compatible",
        assertThrows(IllegalArgumentException.class, () -> ExpireCondition.of(false, false, true, true)).getMessage());
  }

  @Test
  void anExpireAtOrBeforeNowDeletesTheKeyAndCountsAsChanged() {
    ActorRef<KeyValueStore.Command> store = spawn(lazyOnly());
    set(store, "a", "1", Expiry.NONE);
    set(store, "b", "2", Expiry.NONE);
    assertTrue(expire(store, "a", Expiry.after(Duration.ZERO), ExpireCondition.ALWAYS));
    assertTrue(expire(store, "b", Expiry.atMillis(T0 - 5_000), ExpireCondition.ALWAYS));
    assertEquals(null, get(store, "a"));
    assertEquals(null, get(store, "b"));
    assertEquals(0, keys(store).size());
  }

  @Test
  void persistRemovesADeadlineAndReportsWhetherThereWasOne() {
    ActorRef<KeyValueStore.Command> store = spawn(lazyOnly());
    assertFalse(persist(store, "missing"));
    set(store, "k", "v", Expiry.NONE);
    assertFalse(persist(store, "k"), "no deadline to remove");
    expire(store, "k", Expiry.after(Duration.ofSeconds(1)), ExpireCondition.ALWAYS);
    assertTrue(persist(store, "k"));
    clock.advance(Duration.ofSeconds(5));
    assertEquals("v", get(store, "k"));
    assertEquals(-1, ttl(store, "k").pttl());
  }

  @Test
  void getAndExpireReturnsTheValueAndChangesTheDeadline() {
    ActorRef<KeyValueStore.Command> store = spawn(lazyOnly());
    set(store, "k", "v", Expiry.NONE);
    store.tell(new KeyValueStore.GetAndExpire("k", Expiry.after(Duration.ofSeconds(10)), values.ref()));
    assertEquals("v", values.receiveMessage().getValue().asString().orElseThrow());
    assertEquals(10_000, ttl(store, "k").pttl());
    store.tell(new KeyValueStore.GetAndExpire("k", Expiry.KEEP, values.ref()));
    assertEquals("v", values.receiveMessage().getValue().asString().orElseThrow());
    assertEquals(10_000, ttl(store, "k").pttl());
    store.tell(new KeyValueStore.GetAndExpire("k", Expiry.NONE, values.ref()));
    assertEquals("v", values.receiveMessage().getValue().asString().orElseThrow());
    assertEquals(-1, ttl(store, "k").pttl());
    store.tell(new KeyValueStore.GetAndExpire("k", Expiry.atMillis(T0 - 1), values.ref()));
    assertEquals("v", values.receiveMessage().getValue().asString().orElseThrow(), "the value, then deleted");
    assertEquals(null, get(store, "k"));
    store.tell(new KeyValueStore.GetAndExpire("k", Expiry.after(Duration.ofSeconds(1)), values.ref()));
    assertTrue(values.receiveMessage().getValue().value().isEmpty());
  }

  @Test
  void expiredKeysAreAbsentFromListingsButCountedUntilRemoved() {
    ActorRef<KeyValueStore.Command> store = spawn(lazyOnly());
    set(store, "a", "1", Expiry.NONE);
    set(store, "b", "2", Expiry.after(Duration.ofSeconds(1)));
    set(store, "c", "3", Expiry.after(Duration.ofSeconds(60)));
    assertEquals(List.of("a", "b", "c"), keys(store).sorted(""));
    clock.advance(Duration.ofSeconds(1));
    KeySet listed = keys(store);
    assertEquals(List.of("a", "c"), listed.sorted(""));
    List<String> iterated = new ArrayList<>();
    listed.forEach(iterated::add);
    assertEquals(List.of("a", "c"), iterated.stream().sorted().toList());
    assertEquals(List.of("a", "c"), listed.scan(0, 100, k -> true).keys().stream().sorted().toList());
    assertEquals(3, listed.size(), "DBSIZE counts an expired key until it is removed, as Redis does");

    assertEquals(null, get(store, "b")); // a read removes it
    assertEquals(2, keys(store).size());
  }

  @Test
  void deletingAnExpiredKeyReportsThatItDidNotExist() {
    ActorRef<KeyValueStore.Command> store = spawn(lazyOnly());
    set(store, "k", "v", Expiry.after(Duration.ofSeconds(1)));
    clock.advance(Duration.ofSeconds(2));
    store.tell(new KeyValueStore.Delete("k", deleted.ref()));
    assertFalse(deleted.receiveMessage().getValue().existed());
  }

  @Test
  void deadlinesSurviveARestartAndAnExpiredKeyIsNotResurrected() {
    KvSettings settings = lazyOnly();
    ActorRef<KeyValueStore.Command> store = spawn(settings);
    set(store, "short", "1", Expiry.after(Duration.ofSeconds(5)));
    set(store, "long", "2", Expiry.after(Duration.ofHours(1)));
    set(store, "changed", "3", Expiry.NONE);
    expire(store, "changed", Expiry.atMillis(T0 + 120_000), ExpireCondition.ALWAYS);
    set(store, "persisted", "4", Expiry.after(Duration.ofSeconds(5)));
    persist(store, "persisted");
    testKit.stop(store);

    clock.advance(Duration.ofSeconds(10));
    ActorRef<KeyValueStore.Command> again = spawn(settings);
    assertEquals(null, get(again, "short"), "its deadline passed while the store was down");
    assertEquals(T0 + 3_600_000, ttl(again, "long").deadlineMillis());
    assertEquals(T0 + 120_000, ttl(again, "changed").deadlineMillis());
    assertEquals("3", get(again, "changed"));
    assertEquals(-1, ttl(again, "persisted").pttl());
    assertEquals(List.of("changed", "long", "persisted"), keys(again).sorted(""));
    testKit.stop(again);
  }

  @Test
  void theRemovalOfAnExpiredKeyIsLoggedSoAClockSetBackDoesNotBringItBack() {
    KvSettings settings = lazyOnly();
    ActorRef<KeyValueStore.Command> store = spawn(settings);
    set(store, "k", "v", Expiry.after(Duration.ofSeconds(5)));
    clock.advance(Duration.ofSeconds(6));
    assertEquals(null, get(store, "k")); // removed lazily, and the removal logged
    store.tell(new KeyValueStore.Get("k", values.ref())); // behind the removal
    values.receiveMessage();
    testKit.stop(store);

    clock.advance(Duration.ofSeconds(-6)); // the wall clock jumps back before the deadline
    ActorRef<KeyValueStore.Command> again = spawn(settings);
    assertEquals(null, get(again, "k"));
    testKit.stop(again);
  }

  @Test
  void activeExpiryRemoves100000KeysInBoundedRoundsWhileTheStoreKeepsAnswering() {
    KvSettings settings = settings("kv.expiry.interval = 20ms\nkv.expiry.max-keys-per-round = 500\n"
        + "kv.durability = flush");
    ActorRef<KeyValueStore.Command> store = spawn(settings);
    int n = 100_000;
    List<KeyValueStore.Request> sets = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      sets.add(new KeyValueStore.Set("e-" + i, bytes("v" + i), KeyValueStore.Condition.ALWAYS,
          Expiry.after(Duration.ofSeconds(10)), null));
    }
    store.tell(new KeyValueStore.Batch(1, sets, answers.ref()));
    KeyValueStore.Answers setAnswers = answers.receiveMessage(Duration.ofSeconds(60)).getValue();
    assertTrue(setAnswers.replies().stream().allMatch(StatusReply::isSuccess));
    set(store, "stays", "here", Expiry.NONE);
    assertEquals(n + 1, keys(store).size());

    clock.advance(Duration.ofSeconds(10)); // every one of them expires at once
    // The store answers while it removes them: reads, writes and listings all get their answers.
    for (int round = 0; round < 20; round++) {
      assertEquals("here", get(store, "stays"));
      set(store, "w-" + round, "x", Expiry.NONE);
      assertEquals(null, get(store, "e-" + (round * 4999)));
      assertTrue(keys(store).sorted("e-").isEmpty(), "no expired key is ever listed");
    }
    // Then every one of them is removed (each removal logged), the others stay.
    TestProbe<StatusReply<KeySet>> polls = testKit.createTestProbe();
    polls.awaitAssert(Duration.ofSeconds(120), Duration.ofMillis(50), () -> {
      store.tell(new KeyValueStore.Keys(polls.ref()));
      assertEquals(21, polls.receiveMessage().getValue().size());
      return null;
    });
    testKit.stop(store);

    clock.advance(Duration.ofSeconds(-10)); // a restart with the clock set back: the removals were logged
    ActorRef<KeyValueStore.Command> again = spawn(settings);
    KeySet after = keys(again);
    assertEquals(21, after.size());
    assertTrue(after.sorted("e-").isEmpty());
    testKit.stop(again);
  }

  @Test
  void aReadInABatchSeesTheWritesBeforeItAndNotThoseAfterIt() {
    ActorRef<KeyValueStore.Command> store = spawn(lazyOnly());
    List<KeyValueStore.Request> requests = List.of(
        new KeyValueStore.Set("k", bytes("1"), null),
        new KeyValueStore.Get("k", null),
        new KeyValueStore.Set("k", bytes("2"), KeyValueStore.Condition.ALWAYS, Expiry.after(Duration.ofSeconds(9)),
            null),
        new KeyValueStore.Ttl("k", null),
        new KeyValueStore.Get("k", null),
        new KeyValueStore.Set("k", bytes("3"), null));
    store.tell(new KeyValueStore.Batch(3, requests, answers.ref()));
    List<StatusReply<?>> replies = answers.receiveMessage().getValue().replies();
    assertEquals("1", ((KeyValueStore.Value) replies.get(1).getValue()).asString().orElseThrow());
    assertEquals(9_000, ((KeyValueStore.TimeToLive) replies.get(3).getValue()).pttl());
    assertEquals("2", ((KeyValueStore.Value) replies.get(4).getValue()).asString().orElseThrow());
    assertEquals("3", get(store, "k"));
  }

  @Test
  void expiryRequestsInABatchAreAnsweredInOrder() {
    ActorRef<KeyValueStore.Command> store = spawn(lazyOnly());
    List<KeyValueStore.Request> requests = List.of(
        new KeyValueStore.Set("k", bytes("v"), KeyValueStore.Condition.ALWAYS, Expiry.NONE, null),
        new KeyValueStore.Expire("k", Expiry.after(Duration.ofSeconds(10)), null),
        new KeyValueStore.Ttl("k", null),
        new KeyValueStore.Persist("k", null),
        new KeyValueStore.Ttl("k", null),
        new KeyValueStore.GetAndExpire("k", Expiry.after(Duration.ofSeconds(3)), null),
        new KeyValueStore.Ttl("k", null));
    store.tell(new KeyValueStore.Batch(7, requests, answers.ref()));
    List<StatusReply<?>> replies = answers.receiveMessage().getValue().replies();
    assertEquals(new KeyValueStore.DeadlineChanged("k", true), replies.get(1).getValue());
    assertEquals(10_000, ((KeyValueStore.TimeToLive) replies.get(2).getValue()).pttl());
    assertEquals(new KeyValueStore.DeadlineChanged("k", true), replies.get(3).getValue());
    assertEquals(-1, ((KeyValueStore.TimeToLive) replies.get(4).getValue()).pttl());
    assertEquals("v", ((KeyValueStore.Value) replies.get(5).getValue()).asString().orElseThrow());
    assertEquals(3_000, ((KeyValueStore.TimeToLive) replies.get(6).getValue()).pttl());
  }
}
