package dev.kvactors;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;

/**
 * Sends {@link KeyValueStore.Batch}es to the router with one long-lived reply-to for all of them:
 * no temporary ask actor, promise and scheduled timeout per request, as Pekko's ask pattern makes.
 * Each batch gets a correlation id; a small actor of its own takes every {@link KeyValueStore.Answers}
 * and completes the batch's future with them, on its own thread (the actor system's default
 * dispatcher, {@code kv.dispatcher}), so continuations run there, not inside the store's message handling.
 *
 * <p>Deadlines: a call that has no answer within its timeout fails with
 * {@link KvException.Unavailable} shortly before the timeout ends. One periodic sweep per
 * correlator (every {@code sweep} interval, a tenth of the shortest timeout and at most 100 ms)
 * looks at the calls in flight; nothing is scheduled per call. A call is answered once: a late
 * answer after the sweep failed it, or after {@link #close}, is dropped. The answers of a store
 * that is reset reach this actor as any other (it does not belong to the store), so none is lost
 * across a reset; when the actor system terminates, the calls still in flight fail.
 *
 * <p>Thread-safe: any thread may call {@link #call} and {@link #callOne}.
 */
public final class Correlator implements AutoCloseable {
  private static final AtomicLong INSTANCES = new AtomicLong();
  private static final Object STOP = new Object();
  private static final long MAX_SWEEP_NANOS = Duration.ofMillis(100).toNanos();

  private final ActorRef<Router.Command> router;
  private final ActorRef<Object> actor;
  private final ActorRef<StatusReply<KeyValueStore.Answers>> replyTo;
  private final Map<Long, Call> calls = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private final long sweepNanos;
  private final Cancellable sweep;
  private volatile boolean closed;

  /** A call in flight: completes {@code future} with the batch's replies, or with the single reply's value. */
  private record Call(CompletableFuture<Object> future, boolean single, long deadlineNanos, Duration timeout) {}

  /**
   * A correlator for the router of {@code system}'s {@link KvExtension}.
   *
   * @param system the actor system the store runs in
   * @param router the store's router
   * @param shortestTimeout the shortest timeout its calls will use; the sweep runs ten times within it
   */
  public Correlator(ActorSystem<?> system, ActorRef<Router.Command> router, Duration shortestTimeout) {
    requireNonNull(system, "system is null");
    this.router = requireNonNull(router, "router is null");
    this.sweepNanos = Math.max(1_000_000, Math.min(MAX_SWEEP_NANOS, shortestTimeout.toNanos() / 10));
    this.actor = system.systemActorOf(Behaviors.receive(Object.class)
            .onMessage(StatusReply.class, reply -> {
              answered((KeyValueStore.Answers) reply.getValue());
              return Behaviors.same();
            })
            .onMessageEquals(STOP, Behaviors::stopped)
            .build(),
        "kv-replies-" + INSTANCES.incrementAndGet(), DispatcherSelector.fromConfig("kv.dispatcher"));
    this.replyTo = actor.narrow();
    Duration every = Duration.ofNanos(sweepNanos);
    this.sweep = system.scheduler().scheduleAtFixedRate(every, every, this::sweep, system.executionContext());
    system.getWhenTerminated().thenRun(() -> failAll("the actor system terminated"));
  }

  /**
   * Sends {@code requests} as one batch.
   *
   * @param requests {@link KeyValueStore.Get}, {@link KeyValueStore.Set} or {@link KeyValueStore.Delete}
   *     requests (their {@code replyTo} is not used)
   * @param timeout how long to wait for the answers
   * @return a future with one reply per request, in order; it fails with a {@link KvException} only if
   *     the batch got no answer in time
   */
  @SuppressWarnings("unchecked")
  public CompletableFuture<List<StatusReply<?>>> call(List<KeyValueStore.Request> requests, Duration timeout) {
    CompletableFuture<Object> future = send(requests, false, timeout);
    return (CompletableFuture<List<StatusReply<?>>>) (CompletableFuture<?>) future;
  }

  /**
   * Sends one request, as a batch of one.
   *
   * @param <T> the type of the request's answer ({@link KeyValueStore.Value}, ...)
   * @param request a {@link KeyValueStore.Get}, {@link KeyValueStore.Set} or {@link KeyValueStore.Delete}
   * @param timeout how long to wait for the answer
   * @return a future with the answer, failed with the store's {@link KvException} or with
   *     {@link KvException.Unavailable} if there was no answer in time
   */
  @SuppressWarnings("unchecked")
  public <T> CompletableFuture<T> callOne(KeyValueStore.Request request, Duration timeout) {
    return (CompletableFuture<T>) send(List.of(request), true, timeout);
  }

  private CompletableFuture<Object> send(List<KeyValueStore.Request> requests, boolean single, Duration timeout) {
    CompletableFuture<Object> future = new CompletableFuture<>();
    if (closed) {
      future.completeExceptionally(new KvException.Unavailable("the store is closed"));
      return future;
    }
    long id = ids.incrementAndGet();
    Call call = new Call(future, single, System.nanoTime() + timeout.toNanos(), timeout);
    calls.put(id, call);
    if (closed && calls.remove(id, call)) { // closed meanwhile: close() may not have seen this call
      future.completeExceptionally(new KvException.Unavailable("the store is closed"));
      return future;
    }
    router.tell(new KeyValueStore.Batch(id, requests, replyTo));
    return future;
  }

  private void answered(KeyValueStore.Answers answers) {
    Call call = calls.remove(answers.id());
    if (call == null) {
      return; // failed by the sweep already
    }
    if (!call.single()) {
      call.future().complete(answers.replies());
      return;
    }
    StatusReply<?> reply = answers.replies().get(0);
    if (reply.isSuccess()) {
      call.future().complete(reply.getValue());
    } else {
      call.future().completeExceptionally(asKvException(reply.getError()));
    }
  }

  /** Fails the calls whose deadline falls before the next sweep, so each fails before its deadline. */
  private void sweep() {
    long horizon = System.nanoTime() + sweepNanos;
    for (Map.Entry<Long, Call> e : calls.entrySet()) {
      Call call = e.getValue();
      if (horizon - call.deadlineNanos() >= 0 && calls.remove(e.getKey(), call)) {
        call.future().completeExceptionally(new KvException.Unavailable("no answer from the store within "
            + call.timeout().toMillis() + " ms (it may be resetting or overloaded); retry"));
      }
    }
  }

  private void failAll(String why) {
    for (Long id : calls.keySet()) {
      Call call = calls.remove(id);
      if (call != null) {
        call.future().completeExceptionally(new KvException.Unavailable(why + " before the store answered; retry"));
      }
    }
  }

  static KvException asKvException(Throwable error) {
    return error instanceof KvException kv ? kv : new KvException("unexpected failure: " + error, false, error);
  }

  /** Stops the sweep and the reply actor; calls still in flight fail with {@link KvException.Unavailable}. */
  @Override
  public void close() {
    closed = true;
    sweep.cancel();
    actor.tell(STOP);
    failAll("the store was closed");
  }
}
