package dev.kvactors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvactors.internal.FaultHooks;
import dev.kvactors.internal.RouterStats;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stall injected into the writer, or into the key-value actor, while clients write: one reset,
 * every request answered within its timeout (done, or a retryable error), nothing acknowledged lost.
 */
class HeartbeatUnderLoadTest {
  static final ActorTestKit testKit = ActorTestKit.create();
  static final int CLIENTS = 8;
  static final Duration STALL = Duration.ofMillis(1500);

  @TempDir Path dir;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** Sleeps once, the first time the armed point is reached: alive but stuck, as a blocked disk would be. */
  static final class OneStall implements FaultHooks {
    final AtomicBoolean writerArmed = new AtomicBoolean();
    final AtomicBoolean storeArmed = new AtomicBoolean();

    @Override
    public void beforeFlush() {
      if (writerArmed.compareAndSet(true, false)) {
        sleep(STALL);
      }
    }

    @Override
    public void beforeRequest() {
      if (storeArmed.compareAndSet(true, false)) {
        sleep(STALL);
      }
    }

    private static void sleep(Duration d) {
      try {
        Thread.sleep(d.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** What the clients saw. */
  record Outcome(Map<String, byte[]> acknowledged, int retryableErrors, List<Throwable> unexpected) {}

  @Test
  void aStalledWriterIsResetOnceAndNoAcknowledgedWriteIsLost() {
    OneStall hooks = new OneStall();
    runStallUnderLoad(hooks, hooks.writerArmed, "writer");
  }

  @Test
  void aStalledKeyValueActorIsResetOnceAndNoAcknowledgedWriteIsLost() {
    OneStall hooks = new OneStall();
    runStallUnderLoad(hooks, hooks.storeArmed, "store");
  }

  private void runStallUnderLoad(OneStall hooks, AtomicBoolean arm, String kind) {
    KvSettings settings = TestSettings.resettable(dir);
    ActorRef<Router.Command> router = testKit.spawn(Router.create(settings, hooks));
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger acks = new AtomicInteger();

    CompletableFuture<Outcome> load = CompletableFuture.supplyAsync(() -> drive(router, settings, stop, acks));
    waitFor(() -> acks.get() >= 200);

    LoggingTestKit.warn("Resetting the key-value actor and its file writer (stale: " + kind + ")")
        .withOccurrences(1)
        .expect(testKit.system(), () -> {
          arm.set(true);
          waitFor(() -> !arm.get()); // the stall has begun
          return null;
        });
    int acksAtReset = acks.get();
    waitFor(() -> acks.get() >= acksAtReset + 200); // clients go on through and after the reset
    stop.set(true);
    Outcome outcome = load.join();

    assertEquals(List.of(), outcome.unexpected(), "every request is answered: done or a retryable error");
    TestProbe<RouterStats> stats = testKit.createTestProbe();
    router.tell(new RouterStats.Get(stats.ref()));
    assertEquals(new RouterStats(1, false), stats.receiveMessage(), "exactly one reset");

    assertAllPresent(router, settings, outcome.acknowledged());
    testKit.stop(router);
    ActorRef<Router.Command> restarted = testKit.spawn(Router.create(settings));
    assertAllPresent(restarted, settings, outcome.acknowledged());
    testKit.stop(restarted);
    System.out.printf("stall of the %s: %d writes acknowledged, %d retryable errors, 0 lost%n", kind,
        outcome.acknowledged().size(), outcome.retryableErrors());
  }

  /** {@link #CLIENTS} clients, each setting its own keys one after the other until told to stop. */
  private static Outcome drive(ActorRef<Router.Command> router, KvSettings settings, AtomicBoolean stop,
      AtomicInteger acks) {
    Map<String, byte[]> acknowledged = new ConcurrentHashMap<>();
    AtomicInteger retryable = new AtomicInteger();
    List<Throwable> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicLong seq = new AtomicLong();
    List<CompletableFuture<Void>> clients = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      int client = c;
      clients.add(CompletableFuture.runAsync(() -> {
        while (!stop.get() && unexpected.isEmpty()) {
          String key = "c" + client + "-" + seq.incrementAndGet();
          byte[] value = key.getBytes(StandardCharsets.UTF_8);
          try {
            AskPattern.<Router.Command, KeyValueStore.Stored>askWithStatus(router,
                    r -> new KeyValueStore.Set(key, value, r),
                    settings.requestTimeout(), testKit.system().scheduler())
                .toCompletableFuture().join();
            acknowledged.put(key, value);
            acks.incrementAndGet();
          } catch (CompletionException e) {
            if (e.getCause() instanceof KvException kv && kv.isRetryable()) {
              retryable.incrementAndGet();
            } else {
              unexpected.add(e.getCause() instanceof TimeoutException ? e.getCause() : e);
            }
          }
        }
      }));
    }
    clients.forEach(CompletableFuture::join);
    return new Outcome(acknowledged, retryable.get(), List.copyOf(unexpected));
  }

  private static void assertAllPresent(ActorRef<Router.Command> router, KvSettings settings,
      Map<String, byte[]> acknowledged) {
    TestProbe<StatusReply<KeyValueStore.Value>> values = testKit.createTestProbe();
    acknowledged.forEach((key, value) -> {
      router.tell(new KeyValueStore.Get(key, values.ref()));
      StatusReply<KeyValueStore.Value> reply = values.receiveMessage(settings.requestTimeout());
      assertTrue(reply.isSuccess(), () -> key + ": " + reply);
      assertArrayEquals(value, reply.getValue().value().orElse(null), key);
    });
  }

  private static void waitFor(java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached within 20 s");
      }
      Thread.onSpinWait();
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
