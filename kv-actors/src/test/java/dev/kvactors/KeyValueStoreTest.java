package dev.kvactors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvactors.internal.ActorKind;
import dev.kvactors.internal.FaultHooks;
import dev.kvactors.internal.FileWriterTest;
import dev.kvactors.internal.HeartbeatSender;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyValueStoreTest {
  static final ActorTestKit testKit = ActorTestKit.create();

  @TempDir Path dir;

  private final TestProbe<HeartbeatSender.Beat> router = testKit.createTestProbe();
  private final TestProbe<StatusReply<KeyValueStore.Value>> values = testKit.createTestProbe();
  private final TestProbe<StatusReply<KeyValueStore.Stored>> stored = testKit.createTestProbe();
  private final TestProbe<StatusReply<KeyValueStore.Deleted>> deleted = testKit.createTestProbe();
  private final TestProbe<StatusReply<KeySet>> keyLists = testKit.createTestProbe();
  private final TestProbe<StatusReply<KeyValueStore.Ready>> ready = testKit.createTestProbe();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private ActorRef<KeyValueStore.Command> spawn(KvSettings settings, FaultHooks hooks) {
    return testKit.spawn(KeyValueStore.create(settings, router.ref(), hooks));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private void set(ActorRef<KeyValueStore.Command> store, String key, String value) {
    store.tell(new KeyValueStore.Set(key, bytes(value), stored.ref()));
    assertTrue(stored.receiveMessage().isSuccess());
  }

  private KeyValueStore.Value get(ActorRef<KeyValueStore.Command> store, String key) {
    store.tell(new KeyValueStore.Get(key, values.ref()));
    return values.receiveMessage().getValue();
  }

  @Test
  void setThenGetReturnsTheValue() {
    ActorRef<KeyValueStore.Command> store = spawn(KvSettings.defaults(dir), FaultHooks.NONE);
    set(store, "greeting", "hello");
    assertArrayEquals(bytes("hello"), get(store, "greeting").value().orElseThrow());
    assertTrue(get(store, "missing").value().isEmpty());
  }

  @Test
  void batchIsTakenInOrderAndAnsweredAsOneMessage() {
    ActorRef<KeyValueStore.Command> store = spawn(KvSettings.defaults(dir), FaultHooks.NONE);
    set(store, "b", "0");
    TestProbe<StatusReply<KeyValueStore.Answers>> answers = testKit.createTestProbe();
    store.tell(new KeyValueStore.Batch(7, List.of(
        new KeyValueStore.Set("a", bytes("1"), null),
        new KeyValueStore.Get("a", null),
        new KeyValueStore.Set("a", bytes("2"), KeyValueStore.Condition.IF_ABSENT, null),
        new KeyValueStore.Delete("b", null),
        new KeyValueStore.Get("", null),
        new KeyValueStore.Keys(null)), answers.ref()));

    KeyValueStore.Answers a = answers.receiveMessage().getValue();
    assertEquals(7, a.id());
    assertEquals(6, a.replies().size());
    assertTrue(((KeyValueStore.Stored) a.replies().get(0).getValue()).applied());
    assertArrayEquals(bytes("1"), ((KeyValueStore.Value) a.replies().get(1).getValue()).value().orElseThrow());
    assertFalse(((KeyValueStore.Stored) a.replies().get(2).getValue()).applied());
    assertTrue(((KeyValueStore.Deleted) a.replies().get(3).getValue()).existed());
    assertInstanceOf(KvException.InvalidRequest.class, a.replies().get(4).getError());
    assertInstanceOf(KvException.InvalidRequest.class, a.replies().get(5).getError());
    answers.expectNoMessage(Duration.ofMillis(100));
    assertArrayEquals(bytes("1"), get(store, "a").value().orElseThrow());
    assertTrue(get(store, "b").value().isEmpty());
  }

  @Test
  void deleteTellsWhetherTheKeyExisted() {
    ActorRef<KeyValueStore.Command> store = spawn(KvSettings.defaults(dir), FaultHooks.NONE);
    set(store, "a", "1");
    store.tell(new KeyValueStore.Delete("a", deleted.ref()));
    assertTrue(deleted.receiveMessage().getValue().existed());
    store.tell(new KeyValueStore.Delete("a", deleted.ref()));
    assertFalse(deleted.receiveMessage().getValue().existed());
    assertTrue(get(store, "a").value().isEmpty());
  }

  @Test
  void deletingAnAbsentKeyWritesNothing() throws IOException {
    ActorRef<KeyValueStore.Command> store = spawn(KvSettings.defaults(dir), FaultHooks.NONE);
    set(store, "a", "1");
    long before = java.nio.file.Files.size(dev.kvactors.internal.storage.Filenames.log(dir, 1));
    store.tell(new KeyValueStore.Delete("never-set", deleted.ref()));
    assertFalse(deleted.receiveMessage().getValue().existed());
    assertEquals(before, java.nio.file.Files.size(dev.kvactors.internal.storage.Filenames.log(dir, 1)));
  }

  @Test
  void listsKeysWithAPrefixInOrder() {
    ActorRef<KeyValueStore.Command> store = spawn(KvSettings.defaults(dir), FaultHooks.NONE);
    for (String k : List.of("user:2", "user:1", "order:1", "user:10")) {
      set(store, k, "x");
    }
    store.tell(new KeyValueStore.Keys(keyLists.ref()));
    KeySet keys = keyLists.receiveMessage().getValue();
    assertEquals(List.of("user:1", "user:10", "user:2"), keys.sorted("user:"));
    assertEquals(4, keys.size());
  }

  @Test
  void answersAListingAfterTheWritesTakenBeforeItAndNeverWithAnUnconfirmedOne() {
    ActorRef<KeyValueStore.Command> store = spawn(KvSettings.defaults(dir), FaultHooks.NONE);
    TestProbe<Object> replies = testKit.createTestProbe();
    for (int i = 0; i < 50; i++) {
      store.tell(new KeyValueStore.Set("pipelined:" + i, bytes("v"), replies.ref().narrow()));
    }
    store.tell(new KeyValueStore.Keys(replies.ref().narrow()));
    for (int i = 0; i < 50; i++) {
      Object reply = replies.receiveMessage();
      assertTrue(reply instanceof StatusReply<?> r && r.getValue() instanceof KeyValueStore.Stored, reply.toString());
    }
    Object listing = replies.receiveMessage();
    assertTrue(listing instanceof StatusReply<?> r && r.getValue() instanceof KeySet, listing.toString());
    assertEquals(50, ((KeySet) ((StatusReply<?>) listing).getValue()).size());
  }

  @Test
  void stashesRequestsUntilTheWriterHasRecovered() {
    CountDownLatch release = new CountDownLatch(1);
    FaultHooks slowRecovery = new FaultHooks() {
      @Override
      public void beforeRecovery() {
        FileWriterTest.await(release);
      }
    };
    ActorRef<KeyValueStore.Command> store = spawn(KvSettings.defaults(dir), slowRecovery);
    store.tell(new KeyValueStore.Set("a", bytes("1"), stored.ref()));
    store.tell(new KeyValueStore.Get("a", values.ref()));
    store.tell(new KeyValueStore.AwaitReady(ready.ref()));
    stored.expectNoMessage(Duration.ofMillis(300));
    values.expectNoMessage(Duration.ZERO);
    ready.expectNoMessage(Duration.ZERO);

    release.countDown();

    assertTrue(stored.receiveMessage().isSuccess());
    // stashed behind the set, the get waits for its confirmation and sees it
    assertArrayEquals(bytes("1"), values.receiveMessage().getValue().value().orElseThrow());
    assertTrue(ready.receiveMessage().isSuccess());
  }

  @Test
  void aReadWaitsForTheUnconfirmedWritesOfItsKeyButNotForOthers() {
    RouterTest.StallingHooks hooks = new RouterTest.StallingHooks();
    ActorRef<KeyValueStore.Command> store = spawn(KvSettings.defaults(dir), hooks);
    set(store, "other", "o");
    hooks.armed.set(true);
    store.tell(new KeyValueStore.Set("a", bytes("1"), stored.ref()));
    FileWriterTest.await(hooks.stalled);
    store.tell(new KeyValueStore.Get("a", values.ref()));
    TestProbe<StatusReply<KeyValueStore.Value>> otherValues = testKit.createTestProbe();
    store.tell(new KeyValueStore.Get("other", otherValues.ref()));
    assertArrayEquals(bytes("o"), otherValues.receiveMessage().getValue().value().orElseThrow());
    values.expectNoMessage(Duration.ofMillis(200));

    hooks.release.countDown();

    assertTrue(stored.receiveMessage().isSuccess());
    assertArrayEquals(bytes("1"), values.receiveMessage().getValue().value().orElseThrow());
  }

  @Test
  void conditionalSetsSeeWritesThatAreNotConfirmedYet() {
    RouterTest.StallingHooks hooks = new RouterTest.StallingHooks();
    ActorRef<KeyValueStore.Command> store = spawn(KvSettings.defaults(dir), hooks);
    set(store, "warmup", "w");
    hooks.armed.set(true);
    store.tell(new KeyValueStore.Set("k", bytes("first"), KeyValueStore.Condition.IF_ABSENT, stored.ref()));
    FileWriterTest.await(hooks.stalled);
    // the first is not confirmed yet, but the second must not apply: k has a value by then
    store.tell(new KeyValueStore.Set("k", bytes("second"), KeyValueStore.Condition.IF_ABSENT, stored.ref()));
    store.tell(new KeyValueStore.Set("k", bytes("third"), KeyValueStore.Condition.IF_PRESENT, stored.ref()));
    KeyValueStore.Stored second = stored.receiveMessage().getValue();
    assertFalse(second.applied());
    assertArrayEquals(bytes("first"), second.previous().orElseThrow());
    hooks.release.countDown();

    KeyValueStore.Stored first = stored.receiveMessage().getValue();
    assertTrue(first.applied());
    assertTrue(first.previous().isEmpty());
    KeyValueStore.Stored third = stored.receiveMessage().getValue();
    assertTrue(third.applied());
    assertArrayEquals(bytes("first"), third.previous().orElseThrow());
    assertArrayEquals(bytes("third"), get(store, "k").value().orElseThrow());

    store.tell(new KeyValueStore.Set("absent", bytes("x"), KeyValueStore.Condition.IF_PRESENT, stored.ref()));
    assertFalse(stored.receiveMessage().getValue().applied());
    assertTrue(get(store, "absent").value().isEmpty());
  }

  @Test
  void syncPutsEverythingAcknowledgedInAsyncModeOnDisk() throws IOException {
    ActorRef<KeyValueStore.Command> store = spawn(KvSettings.defaults(dir).withDurability(Durability.ASYNC),
        FaultHooks.NONE);
    for (int i = 0; i < 1000; i++) {
      set(store, "k" + i, "v" + i);
    }
    TestProbe<StatusReply<KeyValueStore.Synced>> synced = testKit.createTestProbe();
    store.tell(new KeyValueStore.Sync(synced.ref()));
    assertTrue(synced.receiveMessage().isSuccess());
    // read the files directly while the store still runs: everything acknowledged is there
    assertEquals(1000, dev.kvactors.internal.storage.Recovery.read(dir, Long.MAX_VALUE, true).entries().size());
  }

  @Test
  void recoversItsMapAfterARestart() {
    KvSettings settings = KvSettings.defaults(dir);
    ActorRef<KeyValueStore.Command> store = spawn(settings, FaultHooks.NONE);
    for (int i = 0; i < 100; i++) {
      set(store, "k" + i, "v" + i);
    }
    store.tell(new KeyValueStore.Delete("k7", deleted.ref()));
    deleted.receiveMessage();
    testKit.stop(store);

    ActorRef<KeyValueStore.Command> again = spawn(settings, FaultHooks.NONE);
    again.tell(new KeyValueStore.AwaitReady(ready.ref()));
    assertEquals(99, ready.receiveMessage().getValue().keys());
    assertArrayEquals(bytes("v42"), get(again, "k42").value().orElseThrow());
    assertTrue(get(again, "k7").value().isEmpty());
  }

  @Test
  void rejectsEmptyAndOversizedKeysAndValues() {
    KvSettings settings = KvSettings.defaults(dir);
    ActorRef<KeyValueStore.Command> store = spawn(settings, FaultHooks.NONE);
    store.tell(new KeyValueStore.Set("", bytes("x"), stored.ref()));
    assertInvalid(stored.receiveMessage(), "key must not be empty");
    store.tell(new KeyValueStore.Get("", values.ref()));
    assertInvalid(values.receiveMessage(), "key must not be empty");
    store.tell(new KeyValueStore.Set("k".repeat(settings.maxKeyBytes() + 1), bytes("x"), stored.ref()));
    assertInvalid(stored.receiveMessage(), "kv.max-key-bytes");
    store.tell(new KeyValueStore.Set("big", new byte[settings.maxValueBytes() + 1], stored.ref()));
    assertInvalid(stored.receiveMessage(), "kv.max-value-bytes");
    store.tell(new KeyValueStore.Delete("\uD800", deleted.ref()));
    assertInvalid(deleted.receiveMessage(), "not valid Unicode");
    // a key of exactly the maximum is fine
    set(store, "k".repeat(settings.maxKeyBytes()), "x");
  }

  private static void assertInvalid(StatusReply<?> reply, String expected) {
    assertTrue(reply.isError());
    KvException e = assertInstanceOf(KvException.InvalidRequest.class, reply.getError());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void afterAFailedWriteRefusesWritesButKeepsServingReads() {
    boolean[] failNow = {false};
    FaultHooks failing = new FaultHooks() {
      @Override
      public void beforeFlush() throws IOException {
        if (failNow[0]) {
          throw new IOException("Input/output error");
        }
      }
    };
    ActorRef<KeyValueStore.Command> store = spawn(KvSettings.defaults(dir), failing);
    set(store, "a", "1");
    failNow[0] = true;
    store.tell(new KeyValueStore.Set("b", bytes("2"), stored.ref()));
    StatusReply<KeyValueStore.Stored> failed = stored.receiveMessage();
    assertInstanceOf(KvException.StorageFailed.class, failed.getError());
    assertTrue(failed.getError().getMessage().contains("Input/output error"));

    store.tell(new KeyValueStore.Set("c", bytes("3"), stored.ref()));
    assertInstanceOf(KvException.StorageFailed.class, stored.receiveMessage().getError());
    assertArrayEquals(bytes("1"), get(store, "a").value().orElseThrow());
    assertTrue(get(store, "b").value().isEmpty(), "a write that failed is not visible");
  }

  @Test
  void answersEveryRequestWithTheReasonWhenRecoveryFails() throws IOException {
    java.nio.file.Files.writeString(dir.resolve("not-a-dir"), "x");
    ActorRef<KeyValueStore.Command> store = spawn(KvSettings.defaults(dir.resolve("not-a-dir")), FaultHooks.NONE);
    store.tell(new KeyValueStore.AwaitReady(ready.ref()));
    KvException e = assertInstanceOf(KvException.RecoveryFailed.class, ready.receiveMessage().getError());
    assertTrue(e.getMessage().contains("is not a directory"), e.getMessage());
    store.tell(new KeyValueStore.Get("a", values.ref()));
    assertInstanceOf(KvException.RecoveryFailed.class, values.receiveMessage().getError());
  }

  @Test
  void sendsHeartbeatsWhileIdle() {
    ActorRef<KeyValueStore.Command> store = spawn(KvSettings.defaults(dir), FaultHooks.NONE);
    boolean sawStore = false;
    boolean sawWriter = false;
    for (int i = 0; i < 10 && !(sawStore && sawWriter); i++) {
      HeartbeatSender.Beat beat = router.expectMessageClass(HeartbeatSender.Beat.class, Duration.ofSeconds(2));
      sawStore |= beat.kind() == ActorKind.STORE && beat.from().equals(store);
      sawWriter |= beat.kind() == ActorKind.WRITER && beat.from().path().parent().equals(store.path());
    }
    assertTrue(sawStore && sawWriter);
  }
}
