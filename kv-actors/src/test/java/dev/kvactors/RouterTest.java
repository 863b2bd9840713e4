package dev.kvactors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvactors.internal.ActorKind;
import dev.kvactors.internal.FaultHooks;
import dev.kvactors.internal.FileWriterTest;
import dev.kvactors.internal.RouterStats;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RouterTest {
  static final ActorTestKit testKit = ActorTestKit.create();

  @TempDir Path dir;

  private final TestProbe<StatusReply<KeyValueStore.Value>> values = testKit.createTestProbe();
  private final TestProbe<StatusReply<KeyValueStore.Stored>> stored = testKit.createTestProbe();
  private final TestProbe<RouterStats> stats = testKit.createTestProbe();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** Blocks the writer's next flush, once armed, until released: a writer alive but stuck. */
  static final class StallingHooks implements FaultHooks {
    final AtomicBoolean armed = new AtomicBoolean();
    final CountDownLatch stalled = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public void beforeFlush() {
      if (armed.compareAndSet(true, false)) {
        stalled.countDown();
        FileWriterTest.await(release);
      }
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private void set(ActorRef<Router.Command> router, String key, String value) {
    router.tell(new KeyValueStore.Set(key, bytes(value), stored.ref()));
  }

  private void get(ActorRef<Router.Command> router, String key) {
    router.tell(new KeyValueStore.Get(key, values.ref()));
  }

  @Test
  void routesRequestsToTheKeyValueActor() {
    ActorRef<Router.Command> router = testKit.spawn(Router.create(KvSettings.defaults(dir)));
    set(router, "a", "1");
    assertTrue(stored.receiveMessage().isSuccess());
    get(router, "a");
    assertArrayEquals(bytes("1"), values.receiveMessage().getValue().value().orElseThrow());
  }

  @Test
  void resetsAStalledWriterAndAnswersEveryRequestSentDuringTheReset() throws InterruptedException {
    StallingHooks hooks = new StallingHooks();
    ActorRef<Router.Command> router = testKit.spawn(Router.create(TestSettings.resettable(dir), hooks));
    set(router, "before", "1");
    assertTrue(stored.receiveMessage().isSuccess());

    TestProbe<StatusReply<KeyValueStore.Stored>> stalledCaller = testKit.createTestProbe();
    LoggingTestKit.warn("Resetting the key-value actor and its file writer (stale: writer)")
        .withOccurrences(1)
        .expect(testKit.system(), () -> {
          hooks.armed.set(true);
          router.tell(new KeyValueStore.Set("stalled", bytes("x"), stalledCaller.ref()));
          FileWriterTest.await(hooks.stalled);
          return null;
        });

    // The reset waits for the stuck writer to let go of the data directory; meanwhile requests are held.
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      keys.add("during-" + i);
      set(router, "during-" + i, "v" + i);
    }
    stored.expectNoMessage(Duration.ofMillis(200));
    router.tell(new RouterStats.Get(stats.ref()));
    assertEquals(new RouterStats(1, true), stats.receiveMessage());

    hooks.release.countDown();

    for (int i = 0; i < 20; i++) {
      StatusReply<KeyValueStore.Stored> reply = stored.receiveMessage(Duration.ofSeconds(5));
      assertTrue(reply.isSuccess(), () -> "held request failed: " + reply);
    }
    // The stuck writer finished its sync after the reset began: it must not acknowledge.
    StatusReply<KeyValueStore.Stored> stalledReply = stalledCaller.receiveMessage(Duration.ofSeconds(5));
    assertTrue(stalledReply.isError());
    KvException error = assertInstanceOf(KvException.Unavailable.class, stalledReply.getError());
    assertTrue(error.isRetryable());

    for (String key : keys) {
      get(router, key);
      assertTrue(values.receiveMessage().getValue().value().isPresent(), key);
    }
    get(router, "before");
    assertArrayEquals(bytes("1"), values.receiveMessage().getValue().value().orElseThrow());
    router.tell(new RouterStats.Get(stats.ref()));
    assertEquals(new RouterStats(1, false), stats.receiveMessage());
  }

  @Test
  void aResetInAsyncModeStillWritesWhatWasAcknowledged() {
    StallingHooks hooks = new StallingHooks();
    KvSettings settings = TestSettings.resettable(dir).withDurability(Durability.ASYNC);
    ActorRef<Router.Command> router = testKit.spawn(Router.create(settings, hooks));
    set(router, "warmup", "w");
    assertTrue(stored.receiveMessage().isSuccess());
    hooks.armed.set(true);
    for (int i = 0; i < 1000; i++) {
      set(router, "k" + i, "v" + i); // acknowledged at once; the writer is held in its first flush
    }
    for (int i = 0; i < 1000; i++) {
      assertTrue(stored.receiveMessage().isSuccess());
    }
    FileWriterTest.await(hooks.stalled);
    router.tell(new Router.Reset(ActorKind.WRITER));
    hooks.release.countDown();

    for (int i = 0; i < 1000; i++) {
      get(router, "k" + i);
      assertArrayEquals(bytes("v" + i), values.receiveMessage(Duration.ofSeconds(5)).getValue().value().orElse(null),
          "k" + i);
    }
    router.tell(new RouterStats.Get(stats.ref()));
    assertEquals(1, stats.receiveMessage().resets());
  }

  @Test
  void refusesHeldRequestsWithARetryableErrorBeforeTheirTimeout() {
    StallingHooks hooks = new StallingHooks();
    KvSettings settings = KvSettings.create(com.typesafe.config.ConfigFactory.parseString(
        "kv.request-timeout = 1s\nkv.heartbeat.stale-after = 500ms").withFallback(com.typesafe.config.ConfigFactory.load())).withDataDir(dir);
    ActorRef<Router.Command> router = testKit.spawn(Router.create(settings, hooks));
    set(router, "before", "1");
    assertTrue(stored.receiveMessage().isSuccess());
    try {
      LoggingTestKit.warn("Resetting the key-value actor").expect(testKit.system(), () -> {
        hooks.armed.set(true);
        set(router, "stalled", "x");
        return null;
      });
      set(router, "held", "y");
      StatusReply<KeyValueStore.Stored> first = stored.receiveMessage(Duration.ofSeconds(3));
      assertTrue(first.isError());
      assertInstanceOf(KvException.Unavailable.class, first.getError());
      assertTrue(first.getError().getMessage().contains("being reset"), first.getError().getMessage());
    } finally {
      hooks.release.countDown();
    }
    // the stalled write's caller is answered too once the old store is gone
    assertFalse(stored.receiveMessage(Duration.ofSeconds(5)).isSuccess());
    set(router, "after", "z");
    assertTrue(stored.receiveMessage(Duration.ofSeconds(5)).isSuccess());
  }
}
