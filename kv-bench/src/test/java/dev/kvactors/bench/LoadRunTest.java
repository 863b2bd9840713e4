package dev.kvactors.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LoadRunTest {
  /** The window stays open until 100 requests fell inside it, however slow the machine is. */
  private static final long RECORDED = 100;
  private final LoadRun run = new LoadRun(Duration.ofMillis(50), Duration.ofMillis(200), RECORDED);

  @Test
  void countsAsyncRequestsAndTheirLatencies() throws Exception {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try {
      LoadRun.Measured m = run.runAsync(4, (c, n) -> {
        CompletableFuture<Void> f = new CompletableFuture<>();
        timer.schedule(() -> f.complete(null), 1, TimeUnit.MILLISECONDS);
        return f;
      });
      assertTrue(m.ops() >= RECORDED, "ops " + m.ops());
      assertEquals(0, m.errors());
      ScenarioResult r = m.toResult("x", 4, "n");
      assertTrue(r.p50Us() >= 1000, "p50 " + r.p50Us());
      assertTrue(r.p99Us() >= r.p50Us());
    } finally {
      timer.shutdownNow();
    }
  }

  @Test
  void runsAlreadyCompletedStagesWithoutRecursion() throws Exception {
    LoadRun.Measured m = run.runAsync(1, (c, n) -> CompletableFuture.completedFuture(null));
    assertTrue(m.ops() >= RECORDED, "ops " + m.ops());
  }

  @Test
  void countsErrorsOfBlockingClients() throws Exception {
    LoadRun.Measured m = run.runThreads(2, (c, n) -> {
      if (n % 2 == 1) {
        throw new IllegalStateException("odd");
      }
    });
    // Each thread alternates success and error, and at least 100 of them fell inside the window.
    assertTrue(m.ops() + m.errors() >= RECORDED, m.ops() + " + " + m.errors());
    assertTrue(m.ops() > 0);
    assertTrue(m.errors() > 0);
    assertTrue(m.toResult("x", 2, "n").notes().contains("ERRORS"));
  }
}
