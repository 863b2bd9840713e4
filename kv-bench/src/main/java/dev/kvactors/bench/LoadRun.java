package dev.kvactors.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Closed-loop load: {@code clients} clients, each issuing its next request when the previous one
 * completes. A warm-up phase is run and discarded; then every request that starts and completes
 * inside the measurement window is counted and its latency (nanoseconds, start to completion)
 * recorded in the client's own HdrHistogram, merged at the end.
 */
public final class LoadRun {
  private static final long MAX_LATENCY_NANOS = TimeUnit.SECONDS.toNanos(120);

  /** One request of an asynchronous store; {@code client} is the caller's index, {@code n} its request count. */
  @FunctionalInterface
  public interface AsyncOp {
    CompletionStage<?> call(int client, long n);
  }

  /** One request of a blocking store, run in the client's own thread. */
  @FunctionalInterface
  public interface SyncOp {
    void call(int client, long n) throws Exception;
  }

  /** What one run measured. */
  public record Measured(long ops, double seconds, Histogram latencies, long errors, String firstError) {
    public double opsPerSecond() {
      return ops / seconds;
    }

    public ScenarioResult toResult(String name, int clients, String notes) {
      String n = notes;
      if (errors > 0) {
        n += "; " + errors + " ERRORS, first: " + firstError;
      }
      if (ops == 0) {
        return new ScenarioResult(name, 0.0, null, null, null, clients, n);
      }
      return new ScenarioResult(name, opsPerSecond(), micros(latencies.getValueAtPercentile(50)),
          micros(latencies.getValueAtPercentile(99)), micros(latencies.getValueAtPercentile(99.9)), clients, n);
    }

    private static double micros(long nanos) {
      return nanos / 1000.0;
    }
  }

  private final Duration warmup;
  private final Duration measure;
  private final long minRecorded;

  public LoadRun(Duration warmup, Duration measure) {
    this(warmup, measure, 0);
  }

  /**
   * A run whose measurement window lasts {@code measure} and, beyond that, until at least
   * {@code minRecorded} requests (answers and errors) fell inside it: for tests, which then count
   * requests instead of hoping for a rate.
   */
  LoadRun(Duration warmup, Duration measure, long minRecorded) {
    this.warmup = warmup;
    this.measure = measure;
    this.minRecorded = minRecorded;
  }

  private static Histogram histogram() {
    return new Histogram(1, MAX_LATENCY_NANOS, 3);
  }

  /** Runs asynchronous clients: each completion issues that client's next request. */
  public Measured runAsync(int clients, AsyncOp op) throws InterruptedException {
    Window window = new Window();
    List<AsyncClient> all = new ArrayList<>();
    CountDownLatch stopped = new CountDownLatch(clients);
    for (int c = 0; c < clients; c++) {
      all.add(new AsyncClient(c, op, window, stopped));
    }
    // Each client starts in its own thread: a store whose stages complete at once keeps its client
    // looping in that thread, never in the one that times the run.
    List<Thread> starters = new ArrayList<>();
    for (AsyncClient client : all) {
      Thread t = new Thread(client::next, "bench-start-" + client.index);
      t.setDaemon(true);
      starters.add(t);
    }
    starters.forEach(Thread::start);
    window.run(warmup, measure, minRecorded);
    if (!stopped.await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("clients did not stop within 60 s of the end of the run");
    }
    return window.collect(all.stream().map(c -> c.stats).toList());
  }

  /** Runs one thread per client, each calling {@code op} in a loop. */
  public Measured runThreads(int clients, SyncOp op) throws InterruptedException {
    Window window = new Window();
    List<Stats> stats = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      Stats s = new Stats();
      stats.add(s);
      int client = c;
      Thread t = new Thread(() -> {
        long n = 0;
        while (!window.stop) {
          long start = System.nanoTime();
          Throwable error = null;
          try {
            op.call(client, n++);
          } catch (Throwable e) {
            error = e;
          }
          s.record(window, start, System.nanoTime(), error);
        }
      }, "bench-client-" + c);
      t.setDaemon(true);
      threads.add(t);
    }
    threads.forEach(Thread::start);
    window.run(warmup, measure, minRecorded);
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(60));
      if (t.isAlive()) {
        throw new IllegalStateException(t.getName() + " did not stop within 60 s of the end of the run");
      }
    }
    return window.collect(stats);
  }

  /** The measurement window, shared by all clients. */
  private static final class Window {
    volatile long measureStart = Long.MAX_VALUE;
    volatile long measureEnd = Long.MAX_VALUE;
    volatile boolean stop;
    final AtomicLong recorded = new AtomicLong();

    void run(Duration warmup, Duration measure, long minRecorded) throws InterruptedException {
      Thread.sleep(warmup.toMillis());
      long start = System.nanoTime();
      measureStart = start;
      TimeUnit.NANOSECONDS.sleep(measure.toNanos());
      while (recorded.get() < minRecorded) {
        Thread.sleep(1); // waiting for a count, not for a time: the window stays open until it is reached
      }
      measureEnd = System.nanoTime();
      stop = true;
    }

    Measured collect(List<Stats> stats) {
      Histogram merged = histogram();
      long ops = 0;
      long errors = 0;
      String first = null;
      for (Stats s : stats) {
        synchronized (s) {
          merged.add(s.latencies);
          ops += s.ops;
          errors += s.errors;
          if (first == null && s.firstError != null) {
            first = s.firstError;
          }
        }
      }
      return new Measured(ops, (measureEnd - measureStart) / 1e9, merged, errors, first);
    }
  }

  /** One client's counts; a client records from one thread at a time, the lock makes collection safe. */
  private static final class Stats {
    final Histogram latencies = histogram();
    long ops;
    long errors;
    String firstError;

    synchronized void record(Window w, long start, long end, Throwable error) {
      if (start < w.measureStart || end > w.measureEnd) {
        return;
      }
      w.recorded.incrementAndGet();
      if (error != null) {
        errors++;
        if (firstError == null) {
          firstError = error.toString();
        }
        return;
      }
      ops++;
      latencies.recordValue(Math.min(end - start, MAX_LATENCY_NANOS));
    }
  }

  private static final class AsyncClient {
    final int index;
    final AsyncOp op;
    final Window window;
    final CountDownLatch stopped;
    final Stats stats = new Stats();
    final AtomicLong n = new AtomicLong();

    AsyncClient(int index, AsyncOp op, Window window, CountDownLatch stopped) {
      this.index = index;
      this.op = op;
      this.window = window;
      this.stopped = stopped;
    }

    /** Issues requests until one does not complete at once (no recursion for already-completed stages). */
    void next() {
      while (true) {
        if (window.stop) {
          stopped.countDown();
          return;
        }
        long start = System.nanoTime();
        CompletableFuture<?> f;
        try {
          f = op.call(index, n.getAndIncrement()).toCompletableFuture();
        } catch (RuntimeException e) {
          f = CompletableFuture.failedFuture(e);
        }
        if (f.isDone()) {
          stats.record(window, start, System.nanoTime(), failure(f));
          continue;
        }
        f.whenComplete((v, e) -> {
          stats.record(window, start, System.nanoTime(), e);
          next();
        });
        return;
      }
    }

    private static Throwable failure(CompletableFuture<?> f) {
      try {
        f.join();
        return null;
      } catch (RuntimeException e) {
        return e.getCause() != null ? e.getCause() : e;
      }
    }
  }
}
