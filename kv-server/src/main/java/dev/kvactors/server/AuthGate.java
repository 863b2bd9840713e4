package dev.kvactors.server;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.Scheduler;
import scala.concurrent.ExecutionContext;

/**
 * Failed AUTH on one connection: the reply to a failed attempt is held back
 * {@code kv.server.auth-failure-delay} (by the scheduler, no thread waits), and the connection's next
 * AUTH or HELLO is not run before that reply is out, so pipelining does not speed up guessing. Other
 * commands are not held back. Used by one connection's {@link CommandHandler}, one call at a time.
 */
final class AuthGate {
  private final AuthFailureLog failures;
  private final InetSocketAddress remote;
  private final Duration delay;
  private final Scheduler scheduler;
  private final ExecutionContext executor;
  private CompletableFuture<?> lastAuth = CompletableFuture.completedFuture(null);

  AuthGate(AuthFailureLog failures, InetSocketAddress remote, Duration delay, Scheduler scheduler,
      ExecutionContext executor) {
    this.failures = requireNonNull(failures, "failures is null");
    this.remote = remote;
    this.delay = requireNonNull(delay, "delay is null");
    this.scheduler = requireNonNull(scheduler, "scheduler is null");
    this.executor = requireNonNull(executor, "executor is null");
  }

  /** Whether the command is an AUTH or a HELLO (which may authenticate). */
  static boolean isAuth(RespFrame frame) {
    if (frame instanceof RespFrame.Command command && command.args().get(0).length <= 5) {
      String name = new String(command.args().get(0), StandardCharsets.US_ASCII);
      return name.equalsIgnoreCase("AUTH") || name.equalsIgnoreCase("HELLO");
    }
    return false;
  }

  /** What an AUTH or HELLO must wait for before it runs; done when it may run now. */
  CompletableFuture<?> turn() {
    return lastAuth;
  }

  /** The reply of an AUTH or HELLO: after a failure, held back by the delay; the next one waits for it. */
  CompletionStage<Reply> replied(CompletionStage<Reply> reply) {
    CompletableFuture<Reply> out = reply.thenCompose(r -> {
      if (!(r instanceof Reply.Error error && error.message().startsWith("WRONGPASS"))) {
        return CompletableFuture.completedFuture(r);
      }
      failures.failed(remote);
      if (delay.isZero()) {
        return CompletableFuture.completedFuture(r);
      }
      CompletableFuture<Reply> later = new CompletableFuture<>();
      scheduler.scheduleOnce(delay, () -> later.complete(r), executor);
      return later;
    }).toCompletableFuture();
    lastAuth = out;
    return out;
  }
}
