package dev.kvactors.cli;

import dev.kvactors.KvException;
import dev.kvactors.KvStore;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * Writes (or checks) keys {@code P-<i>} = {@code value-<i>} for a range of {@code i}. For the
 * system tests and fault injection: each acknowledged set is printed as {@code ack P-<i>} and
 * flushed at once, so a parent that kills this process knows exactly what was acknowledged.
 */
@Command(name = "load", hidden = true,
    description = "Set keys PREFIX-<i> to value-<i> for i in [start, start+count), printing 'ack KEY' per acknowledged set; "
        + "with --verify, check them instead.")
final class LoadCommand implements Callable<Integer> {
  private static final int RETRIES = 20;
  private static final Executor RETRY_DELAY = CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS);

  @ParentCommand
  Kv kv;

  @Spec
  CommandSpec spec;

  @Option(names = "--count", required = true, paramLabel = "N")
  int count;

  @Option(names = "--prefix", defaultValue = "load", paramLabel = "P")
  String prefix;

  @Option(names = "--start", defaultValue = "0", paramLabel = "I")
  int start;

  @Option(names = "--clients", defaultValue = "1", paramLabel = "C", description = "Requests in flight at once.")
  int clients;

  @Option(names = "--verify", description = "Read the keys back and check their values.")
  boolean verify;

  @Override
  public Integer call() throws InterruptedException {
    if (count < 0 || start < 0 || clients < 1) {
      throw new ParameterException(spec.commandLine(), "--count and --start must not be negative, --clients must be positive");
    }
    PrintWriter out = spec.commandLine().getOut();
    try (KvStore store = kv.openStore()) {
      if (!verify) {
        run(i -> store.set(key(i), value(i)).thenApply(done -> {
          synchronized (out) {
            out.println("ack " + key(i));
            out.flush();
          }
          return true;
        }));
        return Kv.EXIT_OK;
      }
      AtomicInteger verified = new AtomicInteger();
      run(i -> store.get(key(i)).thenApply(found -> {
        String problem = check(found, i);
        synchronized (out) {
          if (problem == null) {
            verified.incrementAndGet();
          } else {
            out.println(problem + " " + key(i));
          }
        }
        return problem == null;
      }));
      boolean ok = verified.get() == count;
      out.println(ok ? "verified " + count : "verified " + verified.get() + " of " + count);
      out.flush();
      return ok ? Kv.EXIT_OK : Kv.EXIT_NOT_FOUND;
    }
  }

  /**
   * Runs {@code request} for every index, {@code clients} at a time, retrying a retryable error
   * (the store was being reset) as any client would; stops at the first other error and throws it.
   */
  private void run(IntFunction<CompletionStage<Boolean>> request) throws InterruptedException {
    Semaphore inFlight = new Semaphore(clients);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    for (int i = start; i < start + count && failure.get() == null; i++) {
      inFlight.acquire();
      attempt(request, i, RETRIES).whenComplete((result, error) -> {
        if (error != null) {
          failure.compareAndSet(null, error);
        }
        inFlight.release();
      });
    }
    inFlight.acquire(clients);
    Throwable error = failure.get();
    if (error instanceof KvException e) {
      throw e;
    }
    if (error != null) {
      throw new KvException("unexpected failure: " + error, false, error);
    }
  }

  private static CompletionStage<Boolean> attempt(IntFunction<CompletionStage<Boolean>> request, int i,
      int retriesLeft) {
    return request.apply(i).exceptionallyCompose(error -> {
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      if (retriesLeft > 0 && cause instanceof KvException kv && kv.isRetryable()) {
        return CompletableFuture.supplyAsync(() -> i, RETRY_DELAY)
            .thenCompose(again -> attempt(request, again, retriesLeft - 1));
      }
      return CompletableFuture.failedStage(cause);
    });
  }

  private String check(Optional<byte[]> found, int i) {
    if (found.isEmpty()) {
      return "missing";
    }
    return Arrays.equals(found.get(), value(i)) ? null : "wrong";
  }

  private String key(int i) {
    return prefix + "-" + i;
  }

  private static byte[] value(int i) {
    return ("value-" + i).getBytes(StandardCharsets.UTF_8);
  }
}
