package dev.kvactors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvactors.internal.FaultHooks;
import dev.kvactors.internal.FileWriterTest;
import dev.kvactors.internal.HeartbeatSender;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClearTest {
  static final ActorTestKit testKit = ActorTestKit.create();

  @TempDir Path dir;

  private final TestProbe<HeartbeatSender.Beat> router = testKit.createTestProbe();
  private final TestProbe<StatusReply<KeyValueStore.Value>> values = testKit.createTestProbe();
  private final TestProbe<StatusReply<KeyValueStore.Stored>> stored = testKit.createTestProbe();
  private final TestProbe<StatusReply<KeyValueStore.Cleared>> cleared = testKit.createTestProbe();
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

  private Optional<byte[]> get(ActorRef<KeyValueStore.Command> store, String key) {
    store.tell(new KeyValueStore.Get(key, values.ref()));
    return values.receiveMessage().getValue().value();
  }

  @Test
  void requestsAfterAnUnconfirmedClearWaitForItAndNeverSeeOldValues() {
    RouterTest.StallingHooks hooks = new RouterTest.StallingHooks();
    KvSettings settings = KvSettings.defaults(dir);
    ActorRef<KeyValueStore.Command> store = spawn(settings, hooks);
    set(store, "a", "1");
    set(store, "b", "2");
    hooks.armed.set(true);
    store.tell(new KeyValueStore.Clear(cleared.ref()));
    FileWriterTest.await(hooks.stalled);
    store.tell(new KeyValueStore.Get("a", values.ref()));
    store.tell(new KeyValueStore.Set("c", bytes("3"), stored.ref()));
    store.tell(new KeyValueStore.Keys(keyLists.ref()));
    // "a" has no write of its own pending: without the clear holding it back it would be answered "1" now
    values.expectNoMessage(Duration.ofMillis(200));
    stored.expectNoMessage(Duration.ZERO);
    keyLists.expectNoMessage(Duration.ZERO);

    hooks.release.countDown();

    assertEquals(2, cleared.receiveMessage().getValue().keysRemoved());
    assertTrue(values.receiveMessage().getValue().value().isEmpty());
    KeyValueStore.Stored c = stored.receiveMessage().getValue();
    assertTrue(c.applied());
    assertTrue(c.previous().isEmpty());
    assertEquals(List.of("c"), keyLists.receiveMessage().getValue().sorted(""));
    assertTrue(get(store, "b").isEmpty());
    testKit.stop(store);

    ActorRef<KeyValueStore.Command> again = spawn(settings, FaultHooks.NONE);
    again.tell(new KeyValueStore.AwaitReady(ready.ref()));
    assertEquals(1, ready.receiveMessage().getValue().keys());
    assertArrayEquals(bytes("3"), get(again, "c").orElseThrow());
    assertTrue(get(again, "a").isEmpty());
  }

  @Test
  void anUnconfirmedWriteBeforeAClearIsAcknowledgedThenCleared() {
    RouterTest.StallingHooks hooks = new RouterTest.StallingHooks();
    ActorRef<KeyValueStore.Command> store = spawn(KvSettings.defaults(dir), hooks);
    set(store, "warmup", "w");
    hooks.armed.set(true);
    store.tell(new KeyValueStore.Set("x", bytes("1"), stored.ref()));
    FileWriterTest.await(hooks.stalled);
    store.tell(new KeyValueStore.Clear(cleared.ref()));
    store.tell(new KeyValueStore.Set("x", bytes("2"), stored.ref()));
    hooks.release.countDown();

    assertTrue(stored.receiveMessage().getValue().previous().isEmpty());
    assertEquals(2, cleared.receiveMessage().getValue().keysRemoved());
    KeyValueStore.Stored after = stored.receiveMessage().getValue();
    assertTrue(after.previous().isEmpty(), "the set after the clear saw the value before it");
    assertArrayEquals(bytes("2"), get(store, "x").orElseThrow());
  }

  @Test
  void clearsInAsyncModeAndTheClearSurvivesARestart() {
    KvSettings settings = KvSettings.defaults(dir).withDurability(Durability.ASYNC);
    ActorRef<KeyValueStore.Command> store = spawn(settings, FaultHooks.NONE);
    set(store, "a", "1");
    store.tell(new KeyValueStore.Clear(cleared.ref()));
    store.tell(new KeyValueStore.Set("b", bytes("2"), stored.ref()));
    assertEquals(1, cleared.receiveMessage().getValue().keysRemoved());
    assertTrue(stored.receiveMessage().isSuccess());
    assertTrue(get(store, "a").isEmpty());
    TestProbe<StatusReply<KeyValueStore.Synced>> synced = testKit.createTestProbe();
    store.tell(new KeyValueStore.Sync(synced.ref())); // async mode: on disk only after a sync
    assertTrue(synced.receiveMessage().isSuccess());
    testKit.stop(store);

    ActorRef<KeyValueStore.Command> again = spawn(settings, FaultHooks.NONE);
    assertTrue(get(again, "a").isEmpty());
    assertArrayEquals(bytes("2"), get(again, "b").orElseThrow());
  }

  @Test
  void theFacadeClearsThroughTheRouterAndASetPipelinedAfterItSurvivesAReopen() {
    try (KvStore store = KvStore.open(KvSettings.defaults(dir))) {
      for (int i = 0; i < 10; i++) {
        store.blocking().set("k" + i, "v" + i);
      }
      var clear = store.clear();
      var set = store.set("after", "yes");
      assertEquals(10L, clear.toCompletableFuture().join());
      set.toCompletableFuture().join();
      assertEquals(List.of("after"), store.blocking().keys(""));
      assertEquals(1L, store.blocking().clear());
      assertEquals(0L, store.blocking().clear());
      store.blocking().set("after", "again");
    }
    try (KvStore store = KvStore.open(KvSettings.defaults(dir))) {
      assertEquals(List.of("after"), store.blocking().keys(""));
      assertEquals(Optional.of("again"), store.blocking().getString("after"));
      assertFalse(store.blocking().getString("k3").isPresent());
    }
  }
}
