package dev.kvactors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class CorrelatorTest {
  static final ActorTestKit testKit = ActorTestKit.create();

  private final TestProbe<Router.Command> router = testKit.createTestProbe();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static Throwable failure(CompletableFuture<?> f) throws Exception {
    try {
      f.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("completed without an error");
  }

  @Test
  void answersReachTheirOwnCallsWhateverTheOrder() throws Exception {
    try (Correlator c = new Correlator(testKit.system(), router.ref(), Duration.ofSeconds(5))) {
      CompletableFuture<KeyValueStore.Value> first = c.callOne(new KeyValueStore.Get("a", null), Duration.ofSeconds(5));
      CompletableFuture<KeyValueStore.Value> second = c.callOne(new KeyValueStore.Get("b", null), Duration.ofSeconds(5));
      KeyValueStore.Batch a = router.expectMessageClass(KeyValueStore.Batch.class);
      KeyValueStore.Batch b = router.expectMessageClass(KeyValueStore.Batch.class);
      KeyValueStore.Value valueB = new KeyValueStore.Value("b", Optional.empty());
      b.replyTo().tell(StatusReply.success(new KeyValueStore.Answers(b.id(), List.of(StatusReply.success(valueB)))));
      KvException refused = new KvException.InvalidRequest("no");
      a.replyTo().tell(StatusReply.success(new KeyValueStore.Answers(a.id(), List.of(StatusReply.error(refused)))));

      assertSame(valueB, second.get(10, TimeUnit.SECONDS));
      assertSame(refused, failure(first));
    }
  }

  @Test
  void aCallWithoutAnswerFailsBeforeItsDeadline() throws Exception {
    try (Correlator c = new Correlator(testKit.system(), router.ref(), Duration.ofMillis(300))) {
      CompletableFuture<Object> call = c.callOne(new KeyValueStore.Get("a", null), Duration.ofMillis(300));
      KeyValueStore.Batch sent = router.expectMessageClass(KeyValueStore.Batch.class);
      Throwable error = failure(call);
      assertInstanceOf(KvException.Unavailable.class, error);
      assertTrue(error.getMessage().contains("no answer from the store within 300 ms"), error.getMessage());
      // A late answer is dropped; the call stays failed.
      sent.replyTo().tell(StatusReply.success(new KeyValueStore.Answers(sent.id(), List.of(StatusReply.success("late")))));
      assertInstanceOf(KvException.Unavailable.class, failure(call));
    }
  }

  @Test
  void closingFailsTheCallsInFlightAndRefusesNewOnes() throws Exception {
    Correlator c = new Correlator(testKit.system(), router.ref(), Duration.ofSeconds(5));
    CompletableFuture<List<StatusReply<?>>> batch = c.call(List.of(new KeyValueStore.Get("a", null),
        new KeyValueStore.Delete("b", null)), Duration.ofSeconds(5));
    assertEquals(2, router.expectMessageClass(KeyValueStore.Batch.class).requests().size());
    c.close();
    assertInstanceOf(KvException.Unavailable.class, failure(batch));
    assertInstanceOf(KvException.Unavailable.class,
        failure(c.callOne(new KeyValueStore.Get("a", null), Duration.ofSeconds(5))));
  }
}
