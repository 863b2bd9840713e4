package dev.kvactors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvactors.internal.FaultHooks;
import dev.kvactors.internal.HeartbeatSender;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
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
 * The actor protocol of operations and transactions ({@link KeyValueStore.Execute},
 * {@link KeyValueStore.Transaction}, {@link KeyValueStore.Watch}) with a clock the test moves:
 * how they treat deadlines, and when a watched transaction is aborted.
 */
class TransactionTest {
  static final ActorTestKit testKit = ActorTestKit.create();
  static final long T0 = 1_900_000_000_000L;

  @TempDir Path dir;

  private final AtomicLong clock = new AtomicLong(T0);
  private final FaultHooks hooks = new FaultHooks() {
    @Override
    public long currentTimeMillis() {
      return clock.get();
    }
  };
  private final TestProbe<HeartbeatSender.Beat> beats = testKit.createTestProbe();
  private final TestProbe<StatusReply<Object>> answers = testKit.createTestProbe();
  private final TestProbe<StatusReply<KeyValueStore.Executed>> executed = testKit.createTestProbe();
  private final TestProbe<StatusReply<KeyValueStore.Done>> done = testKit.createTestProbe();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private ActorRef<KeyValueStore.Command> spawn() {
    KvSettings settings = KvSettings.defaults(dir);
    return testKit.spawn(KeyValueStore.create(settings, beats.ref(), hooks));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private <R> R execute(ActorRef<KeyValueStore.Command> store, Op<R> op) {
    store.tell(new KeyValueStore.Execute<R>(op, (ActorRef) answers.ref()));
    StatusReply<Object> reply = answers.receiveMessage();
    if (reply.isError()) {
      throw (RuntimeException) reply.getError();
    }
    return (R) reply.getValue();
  }

  private KeyValueStore.Executed transaction(ActorRef<KeyValueStore.Command> store, KeyValueStore.Watcher watcher,
      Op<?>... ops) {
    store.tell(new KeyValueStore.Transaction(List.of(ops), watcher, executed.ref()));
    return executed.receiveMessage().getValue();
  }

  private void watch(ActorRef<KeyValueStore.Command> store, KeyValueStore.Watcher watcher, String... keys) {
    store.tell(new KeyValueStore.Watch(watcher, List.of(keys), done.ref()));
    assertTrue(done.receiveMessage().isSuccess());
  }

  private KeyValueStore.TimeToLive ttl(ActorRef<KeyValueStore.Command> store, String key) {
    return execute(store, new Op.Ttl(key));
  }

  private void setWithTtl(ActorRef<KeyValueStore.Command> store, String key, String value, Duration ttl) {
    execute(store, new Op.Set(key, bytes(value), KeyValueStore.Condition.ALWAYS, KeyValueStore.Expiry.after(ttl)));
  }

  @Test
  void incrementAppendAndSetRangeKeepTheDeadlineAsRedisDoes() {
    ActorRef<KeyValueStore.Command> store = spawn();
    setWithTtl(store, "n", "1", Duration.ofSeconds(10));
    assertEquals(2L, execute(store, new Op.Increment("n", 1)));
    assertEquals(T0 + 10_000, ttl(store, "n").deadlineMillis());
    execute(store, new Op.Append("n", bytes("0")));
    execute(store, new Op.SetRange("n", 0, bytes("3")));
    execute(store, new Op.IncrementFloat("n", "0.5"));
    assertEquals(T0 + 10_000, ttl(store, "n").deadlineMillis());
    assertEquals("30.5", new String(execute(store, new Op.Get("n")).value().orElseThrow(), StandardCharsets.UTF_8));
  }

  @Test
  void setLikeOpsClearTheDeadlineUnlessToldToKeepIt() {
    ActorRef<KeyValueStore.Command> store = spawn();
    setWithTtl(store, "k", "1", Duration.ofSeconds(10));
    execute(store, new Op.Set("k", bytes("2"), KeyValueStore.Condition.ALWAYS, KeyValueStore.Expiry.KEEP));
    assertEquals(T0 + 10_000, ttl(store, "k").deadlineMillis());
    execute(store, new Op.GetAndSet("k", bytes("3")));
    assertFalse(ttl(store, "k").hasDeadline());
    setWithTtl(store, "k", "1", Duration.ofSeconds(10));
    execute(store, new Op.Set("k", bytes("4")));
    assertFalse(ttl(store, "k").hasDeadline());
  }

  @Test
  void renameAndCopyCarryTheDeadline() {
    ActorRef<KeyValueStore.Command> store = spawn();
    setWithTtl(store, "a", "1", Duration.ofSeconds(10));
    assertTrue(execute(store, new Op.Copy("a", "b", false)));
    assertTrue(execute(store, new Op.Rename("a", "c", false)));
    assertEquals(T0 + 10_000, ttl(store, "b").deadlineMillis());
    assertEquals(T0 + 10_000, ttl(store, "c").deadlineMillis());
    assertFalse(ttl(store, "a").exists());
  }

  @Test
  void anExpiredKeyIsAbsentToEveryOp() {
    ActorRef<KeyValueStore.Command> store = spawn();
    setWithTtl(store, "n", "41", Duration.ofSeconds(1));
    clock.addAndGet(1_000);
    assertEquals(1L, execute(store, new Op.Increment("n", 1)), "the expired 41 counts as missing");
    assertFalse(ttl(store, "n").hasDeadline(), "a new key, with no deadline");
    setWithTtl(store, "gone", "x", Duration.ofSeconds(1));
    clock.addAndGet(1_000);
    KvException e = org.junit.jupiter.api.Assertions.assertThrows(KvException.OperationFailed.class,
        () -> execute(store, new Op.Rename("gone", "other", false)));
    assertEquals("no such key", e.getMessage());
    assertTrue(execute(store, new Op.GetAndDelete("gone")).value().isEmpty());
  }

  @Test
  void anExpireAtOrBeforeTheEpochDeletesTheKeyInsteadOfClearingItsDeadline() {
    ActorRef<KeyValueStore.Command> store = spawn();
    for (long when : new long[] {-1, 0, Long.MIN_VALUE}) {
      setWithTtl(store, "k", "v", Duration.ofSeconds(10));
      KeyValueStore.DeadlineChanged changed = execute(store, new Op.Expire("k", KeyValueStore.Expiry.atMillis(when),
          KeyValueStore.ExpireCondition.ALWAYS));
      assertTrue(changed.changed(), "EXPIREAT k " + when);
      assertFalse(ttl(store, "k").exists(), "EXPIREAT k " + when + " deletes k, as Redis does");
    }
    execute(store, new Op.Set("k", bytes("v")));
    execute(store, new Op.Expire("k", KeyValueStore.Expiry.after(Duration.ofMillis(-T0 - 1)),
        KeyValueStore.ExpireCondition.ALWAYS));
    assertFalse(ttl(store, "k").exists(), "a TTL reaching before the epoch deletes k");
  }

  @Test
  void aTransactionCanSetAndExpireAndItsOpsSeeEachOther() {
    ActorRef<KeyValueStore.Command> store = spawn();
    KeyValueStore.Executed result = transaction(store, null,
        new Op.Set("k", bytes("v")),
        new Op.Expire("k", KeyValueStore.Expiry.after(Duration.ofSeconds(5)), KeyValueStore.ExpireCondition.ALWAYS),
        new Op.Ttl("k"),
        new Op.Persist("k"),
        new Op.Increment("k", 1));
    assertFalse(result.aborted());
    assertEquals(5_000, ((KeyValueStore.TimeToLive) result.results().get(2).getValue()).remainingMillis());
    assertTrue(((KeyValueStore.DeadlineChanged) result.results().get(3).getValue()).changed());
    assertInstanceOf(KvException.OperationFailed.class, result.results().get(4).getError());
    assertArrayEquals(bytes("v"), execute(store, new Op.Get("k")).value().orElseThrow());
  }

  @Test
  void aWatchedTransactionRunsWhenNothingWatchedChanged() {
    ActorRef<KeyValueStore.Command> store = spawn();
    KeyValueStore.Watcher watcher = KeyValueStore.Watcher.next();
    execute(store, new Op.Set("a", bytes("1")));
    watch(store, watcher, "a", "b");
    execute(store, new Op.Set("unwatched", bytes("x")));
    execute(store, new Op.Get("a"));
    KeyValueStore.Executed result = transaction(store, watcher, new Op.Increment("a", 1));
    assertFalse(result.aborted());
    assertEquals(2L, result.results().get(0).getValue());
  }

  @Test
  void aWatchedTransactionIsAbortedByAConcurrentChangeAndAppliesNothing() {
    ActorRef<KeyValueStore.Command> store = spawn();
    KeyValueStore.Watcher watcher = KeyValueStore.Watcher.next();
    execute(store, new Op.Set("a", bytes("1")));
    watch(store, watcher, "a");
    execute(store, new Op.Increment("a", 10)); // another connection
    KeyValueStore.Executed result = transaction(store, watcher, new Op.Set("a", bytes("mine")), new Op.Set("z", bytes("1")));
    assertTrue(result.aborted());
    assertTrue(result.results().isEmpty());
    assertArrayEquals(bytes("11"), execute(store, new Op.Get("a")).value().orElseThrow());
    assertTrue(execute(store, new Op.Get("z")).value().isEmpty());
    // the watch is gone after the aborted transaction: the same watcher's next one runs
    assertFalse(transaction(store, null, new Op.Set("z", bytes("2"))).aborted());
  }

  @Test
  void aWatchedKeyThatExpiresAbortsButOneExpiredWhenWatchedDoesNot() {
    ActorRef<KeyValueStore.Command> store = spawn();
    setWithTtl(store, "live", "1", Duration.ofSeconds(1));
    KeyValueStore.Watcher first = KeyValueStore.Watcher.next();
    watch(store, first, "live");
    clock.addAndGet(1_000); // "live" expires between WATCH and EXEC
    assertTrue(transaction(store, first, new Op.Set("x", bytes("1"))).aborted());

    setWithTtl(store, "dead", "1", Duration.ofSeconds(1));
    clock.addAndGet(1_000);
    KeyValueStore.Watcher second = KeyValueStore.Watcher.next();
    watch(store, second, "dead");
    execute(store, new Op.Get("dead")); // the lazy expiry removes it meanwhile
    assertFalse(transaction(store, second, new Op.Set("x", bytes("2"))).aborted());
  }

  @Test
  void aTransactionOfAnUnknownWatcherIsAborted() {
    ActorRef<KeyValueStore.Command> store = spawn();
    assertTrue(transaction(store, KeyValueStore.Watcher.next(), new Op.Set("x", bytes("1"))).aborted(),
        "a watcher the store does not know (it was reset since the WATCH) never commits");
  }

  @Test
  void unwatchForgetsTheWatchedKeys() {
    ActorRef<KeyValueStore.Command> store = spawn();
    KeyValueStore.Watcher watcher = KeyValueStore.Watcher.next();
    watch(store, watcher, "a");
    store.tell(new KeyValueStore.Unwatch(watcher, done.ref()));
    assertTrue(done.receiveMessage().isSuccess());
    execute(store, new Op.Set("a", bytes("1")));
    assertFalse(transaction(store, null, new Op.Set("a", bytes("2"))).aborted());
  }

  @Test
  void inAsyncModeATransactionIsAppliedAtOnceAndSurvivesARestart() {
    KvSettings settings = KvSettings.defaults(dir).withDurability(Durability.ASYNC);
    ActorRef<KeyValueStore.Command> store = testKit.spawn(KeyValueStore.create(settings, beats.ref(), hooks));
    KeyValueStore.Executed result = transaction(store, null, new Op.Set("a", bytes("1")), new Op.Rename("a", "b", false),
        new Op.Increment("b", 1));
    assertEquals(2L, result.results().get(2).getValue());
    TestProbe<StatusReply<KeyValueStore.Synced>> synced = testKit.createTestProbe();
    store.tell(new KeyValueStore.Sync(synced.ref()));
    assertTrue(synced.receiveMessage().isSuccess());
    testKit.stop(store);
    ActorRef<KeyValueStore.Command> again = testKit.spawn(KeyValueStore.create(settings, beats.ref(), hooks));
    assertArrayEquals(bytes("2"), execute(again, new Op.Get("b")).value().orElseThrow());
    assertTrue(execute(again, new Op.Get("a")).value().isEmpty());
  }

  @Test
  void aBatchOfRequestsMayHoldOpsAndTransactions() {
    ActorRef<KeyValueStore.Command> store = spawn();
    TestProbe<StatusReply<KeyValueStore.Answers>> batch = testKit.createTestProbe();
    store.tell(new KeyValueStore.Batch(3, List.of(
        new KeyValueStore.Execute<>(new Op.Increment("n", 5), null),
        new KeyValueStore.Transaction(List.of(new Op.Increment("n", 1), new Op.Get("n")), null, null),
        new KeyValueStore.Get("n", null)), batch.ref()));
    List<StatusReply<?>> replies = batch.receiveMessage().getValue().replies();
    assertEquals(5L, replies.get(0).getValue());
    assertEquals(6L, ((KeyValueStore.Executed) replies.get(1).getValue()).results().get(0).getValue());
    assertArrayEquals(bytes("6"), ((KeyValueStore.Value) replies.get(2).getValue()).value().orElseThrow());
  }
}
