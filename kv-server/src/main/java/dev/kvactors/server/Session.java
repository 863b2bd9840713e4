package dev.kvactors.server;

import static java.util.Objects.requireNonNull;

import dev.kvactors.internal.Futures;
import dev.kvactors.internal.RouterStats;
import dev.kvactors.KeySet;
import dev.kvactors.KeyValueStore;
import dev.kvactors.Op;
import dev.kvactors.Router;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.pattern.StatusReply;

/**
 * One connection's state (authenticated, closing, its name) and its way to the store. Used by one
 * stream stage at a time, so it needs no locking.
 */
final class Session {
  private final ServerContext server;
  private final long clientId;
  private final Duration timeout;
  private final StoreRequests requests;
  /** Read by the connection's parser too ({@link CommandHandler#unauthenticated}). */
  private volatile boolean authenticated;
  private boolean closing;
  private String clientName;
  private final Multi multi = new Multi();

  Session(ServerContext server, long clientId) {
    this.server = requireNonNull(server, "server is null");
    this.clientId = clientId;
    this.timeout = server.kvSettings().requestTimeout();
    this.authenticated = server.settings().password().isEmpty();
    this.requests = server.storeRequests();
  }

  ServerContext server() {
    return server;
  }

  long clientId() {
    return clientId;
  }

  Duration timeout() {
    return timeout;
  }

  boolean authenticated() {
    return authenticated;
  }

  void authenticate() {
    authenticated = true;
  }

  boolean closing() {
    return closing;
  }

  /** Nothing more is run on this connection; it closes after the current reply. */
  void close() {
    closing = true;
  }

  String clientName() {
    return clientName;
  }

  void name(String name) {
    clientName = name;
  }

  /**
   * Sends one request to the store; completes with its reply, or fails with its error. A
   * {@code Get}, {@code Set} or {@code Delete} joins the connection's batch of this TCP read
   * ({@link StoreRequests}); any other request goes after that batch, so the store takes the
   * connection's requests in the order they were sent.
   */
  <T> CompletionStage<T> ask(Function<ActorRef<StatusReply<T>>, KeyValueStore.Request> request) {
    KeyValueStore.Request batched = request.apply(null);
    if (batched instanceof KeyValueStore.Get || batched instanceof KeyValueStore.Set
        || batched instanceof KeyValueStore.Delete || batched instanceof KeyValueStore.Execute) {
      return requests.send(batched);
    }
    requests.flush();
    return Futures.direct(AskPattern.askWithStatus(server.router(), replyTo -> request.apply(replyTo),
        timeout, server.scheduler()));
  }

  /** The commands read so far have been run: their batch goes to the store. */
  void flush() {
    requests.flush();
  }

  /** The connection is gone: its reply-to stops. */
  void disconnected() {
    requests.close();
  }

  /**
   * The store's keys, once every write this connection sent before is settled (the store holds a
   * listing until the writes taken before it are confirmed): a pipelined SET then KEYS sees its own
   * write. Completes on the store's thread: attach only O(1) work, or go async on {@link ServerContext#listing}.
   */
  CompletionStage<KeySet> keySet() {
    return this.<KeySet>ask(KeyValueStore.Keys::new);
  }

  CompletionStage<RouterStats> routerStats() {
    return AskPattern.ask(server.router(), RouterStats.Get::new, timeout, server.scheduler());
  }

  /**
   * Runs a {@link StoreCommand}: no operation, its reply at once; one, an {@code Execute}; several,
   * one {@code Transaction} (atomic, one log record).
   */
  CompletionStage<Reply> run(StoreCommand command) {
    List<Op<?>> ops = command.ops();
    if (ops.isEmpty()) {
      return done(command.reply(List.of()));
    }
    if (ops.size() == 1) {
      Op<?> op = ops.get(0);
      return this.<Object>ask(r -> execute(op, r)).thenApply(result -> command.reply(List.of(result)));
    }
    return transaction(ops, null).thenApply(executed -> {
      List<Object> results = new ArrayList<>(executed.results().size());
      for (StatusReply<?> result : executed.results()) {
        if (result.isError()) {
          return CommandHandler.errorReply(result.getError(), timeout);
        }
        results.add(result.getValue());
      }
      return command.reply(results);
    });
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static KeyValueStore.Request execute(Op<?> op, ActorRef<StatusReply<Object>> replyTo) {
    return new KeyValueStore.Execute(op, replyTo);
  }

  /** One transaction of {@code ops}, checked against {@code watcher}'s watched keys if not null. */
  CompletionStage<KeyValueStore.Executed> transaction(List<Op<?>> ops, KeyValueStore.Watcher watcher) {
    return this.<KeyValueStore.Executed>ask(r -> new KeyValueStore.Transaction(ops, watcher, r));
  }

  /** The connection's MULTI/WATCH state. */
  Multi multi() {
    return multi;
  }

  /** The connection is gone: the store forgets its watched keys (nothing waits for the answer). */
  void forgetWatches() {
    KeyValueStore.Watcher watcher = multi.watcher();
    if (watcher != null) {
      AskPattern.<Router.Command, KeyValueStore.Done>askWithStatus(server.router(),
          r -> new KeyValueStore.Unwatch(watcher, r), timeout, server.scheduler());
    }
  }

  static <T> CompletionStage<List<T>> all(List<CompletionStage<T>> stages) {
    CompletableFuture<?>[] futures = stages.stream().map(CompletionStage::toCompletableFuture)
        .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(futures).thenApply(v -> Arrays.stream(futures)
        .map(f -> {
          @SuppressWarnings("unchecked")
          T value = (T) f.join();
          return value;
        })
        .toList());
  }

  static CompletionStage<Reply> done(Reply reply) {
    return CompletableFuture.completedFuture(reply);
  }
}
