package dev.kvactors.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What an actor does with a failure that comes back from work on another thread. */
class FuturesTest {

  private static Throwable failureOf(CompletableFuture<?> future) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
    return e.getCause();
  }

  @Test
  void anOutOfMemoryErrorCapturedByAFutureIsThrownAgain() {
    OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
    Throwable captured = failureOf(CompletableFuture.supplyAsync(() -> {
      throw oom;
    }));
    assertSame(oom, assertThrows(OutOfMemoryError.class, () -> Futures.rethrowIfFatal(captured)));
    assertSame(oom, assertThrows(OutOfMemoryError.class,
        () -> Futures.rethrowIfFatal(new CompletionException(new ExecutionException(oom)))));
    assertThrows(StackOverflowError.class, () -> Futures.rethrowIfFatal(new StackOverflowError()));
  }

  @Test
  void anOrdinaryFailureIsLeftToTheCaller() {
    Throwable captured = failureOf(CompletableFuture.supplyAsync(() -> {
      throw new UncheckedIOException(new IOException("No space left on device"));
    }));
    assertDoesNotThrow(() -> Futures.rethrowIfFatal(captured));
    assertDoesNotThrow(() -> Futures.rethrowIfFatal(new CompletionException(new IllegalStateException())));
  }
}
