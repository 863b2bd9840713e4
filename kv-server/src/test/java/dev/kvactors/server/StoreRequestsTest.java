package dev.kvactors.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.kvactors.Correlator;
import dev.kvactors.KeyValueStore;
import dev.kvactors.Router;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class StoreRequestsTest {
  static final ActorTestKit testKit = ActorTestKit.create();
  static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final TestProbe<Router.Command> router = testKit.createTestProbe();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private StoreRequests requests(int maxBatch) {
    return new StoreRequests(new Correlator(testKit.system(), router.ref(), TIMEOUT), TIMEOUT, maxBatch);
  }

  private static KeyValueStore.Set set(String key) {
    return new KeyValueStore.Set(key, key.getBytes(StandardCharsets.UTF_8), null);
  }

  @Test
  void theRequestsOfOneReadGoToTheStoreAsOneBatchOnceFlushed() throws Exception {
    try (StoreRequests requests = requests(128)) {
      CompletableFuture<KeyValueStore.Stored> a = requests.<KeyValueStore.Stored>send(set("a")).toCompletableFuture();
      CompletableFuture<KeyValueStore.Stored> b = requests.<KeyValueStore.Stored>send(set("b")).toCompletableFuture();
      router.expectNoMessage(Duration.ofMillis(100));
      CompletableFuture<KeyValueStore.Value> c = requests.<KeyValueStore.Value>send(
          new KeyValueStore.Get("a", null)).toCompletableFuture();
      requests.flush();

      KeyValueStore.Batch batch = router.expectMessageClass(KeyValueStore.Batch.class);
      assertEquals(List.of("a", "b"), batch.requests().subList(0, 2).stream()
          .map(r -> ((KeyValueStore.Set) r).key()).toList());
      assertEquals(3, batch.requests().size());
      KeyValueStore.Stored storedA = new KeyValueStore.Stored("a", true, Optional.empty());
      KeyValueStore.Value value = new KeyValueStore.Value("a", Optional.of(new byte[] {'a'}));
      batch.replyTo().tell(StatusReply.success(new KeyValueStore.Answers(batch.id(), List.of(
          StatusReply.success(storedA), StatusReply.error(new dev.kvactors.KvException.InvalidRequest("no")),
          StatusReply.success(value)))));

      assertSame(storedA, a.get(10, TimeUnit.SECONDS));
      assertSame(value, c.get(10, TimeUnit.SECONDS));
      assertEquals("no", b.handle((v, e) -> e.getMessage()).get(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void aFullBatchGoesOutWithoutWaitingForTheRestOfTheRead() {
    try (StoreRequests requests = requests(2)) {
      requests.send(set("a"));
      requests.send(set("b"));
      assertEquals(2, router.expectMessageClass(KeyValueStore.Batch.class).requests().size());
      requests.send(set("c"));
      requests.flush();
      assertEquals(1, router.expectMessageClass(KeyValueStore.Batch.class).requests().size());
      requests.flush();
      router.expectNoMessage(Duration.ofMillis(100));
      assertFalse(requests.send(set("d")).toCompletableFuture().isDone());
    }
  }
}
