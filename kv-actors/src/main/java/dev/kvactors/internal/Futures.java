package dev.kvactors.internal;

import dev.kvactors.KeySet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;

/**
 * Continuations of Pekko's ask replies without a thread hop, and the executor for the work that
 * must not run on the store's thread.
 */
public final class Futures {
  private Futures() {}

  /**
   * A future completed on the thread that completes {@code stage}. A plain {@code thenApply} or
   * {@code whenComplete} on the stage of Pekko's Java ask ({@code AskPattern.ask},
   * {@code EntityRef.ask}, and {@code ActorContext.ask}, which pipes one: Scala's adapter makes
   * every continuation async) runs on the JDK's default executor, which on a machine of 2 or fewer
   * CPUs starts a new thread per callback (measured: 72,485 thread starts in 13 s of 64-client
   * writes; in cluster mode half of a node's JFR samples). Continuations of the returned future
   * run on the thread that answered, often the key-value actor's own, unless made async: keep them
   * O(1); anything that grows with the number of keys or is shaped by a caller goes to
   * {@link #listing}.
   */
  public static <T> CompletableFuture<T> direct(CompletionStage<T> stage) {
    return direct(stage, Function.identity());
  }

  /**
   * The dispatcher {@code kv.listing-dispatcher}, for work whose cost grows with the number of keys
   * or is shaped by a caller (filtering, glob matching, sorting, paging over a {@link KeySet}). A
   * reply of the store completes on the store's own thread; such work is attached with
   * {@code thenApplyAsync(..., Futures.listing(system))}, so it never delays the store.
   */
  public static Executor listing(ActorSystem<?> system) {
    return system.dispatchers().lookup(DispatcherSelector.fromConfig("kv.listing-dispatcher"));
  }

  /**
   * Throws {@code error}, or the cause it wraps, if it is a {@link VirtualMachineError} (an
   * {@code OutOfMemoryError} above all). Work run on another thread through a
   * {@code CompletableFuture} ends with any throwable captured in the future, and an actor that
   * gets the failure back through {@code pipeToSelf} would handle it as an ordinary failure
   * (retry a compaction, say) with the JVM out of memory. Thrown on the actor's thread, it is fatal
   * as everywhere else: Pekko stops the JVM ({@code pekko.jvm-exit-on-fatal-error}), and
   * {@code kv serve} exits non-zero.
   */
  public static void rethrowIfFatal(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof VirtualMachineError fatal) {
      throw fatal;
    }
  }

  /** As {@link #direct(CompletionStage)}, failing with {@code mapError} of the stage's error. */
  public static <T> CompletableFuture<T> direct(CompletionStage<T> stage, Function<Throwable, Throwable> mapError) {
    CompletableFuture<T> result = new CompletableFuture<>();
    stage.whenCompleteAsync((value, error) -> {
      if (error == null) {
        result.complete(value);
      } else {
        result.completeExceptionally(mapError.apply(error));
      }
    }, Runnable::run);
    return result;
  }
}
