package dev.kvactors.cluster;

import static java.util.Objects.requireNonNull;

import dev.kvactors.KeyValueStore;
import dev.kvactors.KvException;
import dev.kvactors.Router;
import dev.kvactors.internal.RouterStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;

/**
 * The entry point of a node in cluster mode: takes the same {@link Router.Command}s as the
 * single-machine {@link Router} (the records of {@link KeyValueStore.Request}), so the RESP server
 * serves it unchanged, and sends each key's request to the key's {@link KeyBucket} through Cluster
 * Sharding, wherever that bucket lives. Every request is answered: with the bucket's answer, or,
 * when the bucket does not answer within {@code kv.cluster.request-timeout} (its node died and its
 * shard is not back yet, or the database is down), with a retryable {@link KvException.Unavailable}.
 * Sharding delivers at most once (a message to a node that has just died is lost), so a read is
 * sent again every {@code kv.cluster.read-retry-interval} until answered; a write is sent once.
 *
 * <p>A {@link KeyValueStore.Batch} is split into its requests, sent at once (the requests of one
 * bucket keep their order) and answered with one {@link KeyValueStore.Answers}. Listing and clearing
 * every key ({@code Keys}, {@code Clear}) are refused in cluster mode. {@code Sync} is answered at
 * once: an acknowledged write is already committed in the journal.
 */
public final class ClusterRouter extends AbstractBehavior<Router.Command> {

  /**
   * A router sending to the buckets of {@code sharding} (on which {@link KeyBucket#TYPE_KEY} is initialized).
   *
   * @param sharding the node's Cluster Sharding
   * @param settings the cluster's settings
   * @return the router's behavior
   */
  public static Behavior<Router.Command> create(ClusterSharding sharding, ClusterSettings settings) {
    return Behaviors.setup(ctx -> new ClusterRouter(ctx, sharding, settings));
  }

  private final ClusterSharding sharding;
  private final ClusterSettings settings;
  private final Duration timeout;

  private ClusterRouter(ActorContext<Router.Command> ctx, ClusterSharding sharding, ClusterSettings settings) {
    super(ctx);
    this.sharding = requireNonNull(sharding, "sharding is null");
    this.settings = requireNonNull(settings, "settings is null");
    this.timeout = settings.askTimeout();
  }

  @Override
  public Receive<Router.Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(KeyValueStore.Batch.class, this::onBatch)
        .onMessage(KeyValueStore.Request.class, this::onRequest)
        .onMessage(RouterStats.Get.class, this::onGetStats)
        .build();
  }

  private Behavior<Router.Command> onRequest(KeyValueStore.Request request) {
    @SuppressWarnings("unchecked")
    ActorRef<StatusReply<?>> replyTo = (ActorRef<StatusReply<?>>) request.replyTo();
    answer(request).thenAccept(replyTo::tell);
    return this;
  }

  private Behavior<Router.Command> onBatch(KeyValueStore.Batch batch) {
    List<CompletableFuture<StatusReply<?>>> answers = new ArrayList<>(batch.requests().size());
    for (KeyValueStore.Request request : batch.requests()) {
      answers.add(answer(request).toCompletableFuture());
    }
    CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenRun(() -> {
      StatusReply<?>[] replies = new StatusReply<?>[answers.size()];
      Arrays.setAll(replies, i -> answers.get(i).join());
      batch.replyTo().tell(StatusReply.success(new KeyValueStore.Answers(batch.id(), Arrays.asList(replies))));
    });
    return this;
  }

  private Behavior<Router.Command> onGetStats(RouterStats.Get get) {
    get.replyTo().tell(new RouterStats(0, false));
    return this;
  }

  /** The answer {@code request} gets; never fails (a failure is an error reply). */
  private CompletionStage<StatusReply<?>> answer(KeyValueStore.Request request) {
    if (request instanceof KeyValueStore.Get get) {
      return askRead(get.key(), to -> new KeyBucket.Get(get.key(), to),
          reply -> new KeyValueStore.Value(get.key(), ((KeyBucket.Got) reply).value()));
    } else if (request instanceof KeyValueStore.Set set) {
      byte[] value = set.value().clone();
      return ask(set.key(), to -> new KeyBucket.Set(set.key(), value, set.condition(), to), reply -> {
        KeyBucket.Stored stored = (KeyBucket.Stored) reply;
        return new KeyValueStore.Stored(set.key(), stored.applied(), stored.previous());
      });
    } else if (request instanceof KeyValueStore.Delete delete) {
      return ask(delete.key(), to -> new KeyBucket.Delete(delete.key(), to),
          reply -> new KeyValueStore.Deleted(delete.key(), ((KeyBucket.Deleted) reply).existed()));
    } else if (request instanceof KeyValueStore.Sync) {
      return done(StatusReply.success(KeyValueStore.Synced.INSTANCE));
    } else if (request instanceof KeyValueStore.AwaitReady) {
      return done(StatusReply.success(new KeyValueStore.Ready(0)));
    } else if (request instanceof KeyValueStore.Batch batch) {
      return done(StatusReply.error(new KvException.InvalidRequest("a batch inside a batch is not supported")));
    } else {
      return done(StatusReply.error(new KvException.InvalidRequest(
          "listing or clearing every key is not supported in cluster mode")));
    }
  }

  /** Sends a write to {@code key}'s bucket once and waits for its answer until the deadline. */
  private CompletionStage<StatusReply<?>> ask(String key, Function<ActorRef<KeyBucket.Reply>, KeyBucket.Command> command,
      Function<KeyBucket.Reply, Object> success) {
    String bucket = KeyBucket.entityId(key, settings.buckets());
    return sharding.entityRefFor(KeyBucket.TYPE_KEY, bucket).ask(command::apply, timeout)
        .<StatusReply<?>>thenApply(reply -> StatusReply.success(success.apply(reply)))
        .exceptionally(error -> StatusReply.error(unavailable(bucket, error)));
  }

  /**
   * Sends a read (which changes nothing, so sending it twice is harmless) to {@code key}'s bucket,
   * again every {@code read-retry-interval} it is not answered, until the deadline: a read that went
   * to a node that died (Cluster Sharding delivers at most once) is answered once its shard is back.
   */
  private CompletionStage<StatusReply<?>> askRead(String key,
      Function<ActorRef<KeyBucket.Reply>, KeyBucket.Command> command, Function<KeyBucket.Reply, Object> success) {
    String bucket = KeyBucket.entityId(key, settings.buckets());
    CompletableFuture<StatusReply<?>> answer = new CompletableFuture<>();
    attemptRead(bucket, command, success, System.nanoTime() + timeout.toNanos(), answer);
    return answer;
  }

  private void attemptRead(String bucket, Function<ActorRef<KeyBucket.Reply>, KeyBucket.Command> command,
      Function<KeyBucket.Reply, Object> success, long deadline, CompletableFuture<StatusReply<?>> answer) {
    long left = deadline - System.nanoTime();
    Duration wait = Duration.ofNanos(Math.max(1, Math.min(left, settings.readRetryInterval().toNanos())));
    sharding.entityRefFor(KeyBucket.TYPE_KEY, bucket).ask(command::apply, wait).whenComplete((reply, error) -> {
      if (error == null) {
        answer.complete(StatusReply.success(success.apply(reply)));
      } else if (isTimeout(error) && deadline - System.nanoTime() > 0) {
        attemptRead(bucket, command, success, deadline, answer);
      } else {
        answer.complete(StatusReply.error(unavailable(bucket, error)));
      }
    });
  }

  private static boolean isTimeout(Throwable error) {
    Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
        ? error.getCause() : error;
    return cause instanceof TimeoutException;
  }

  private KvException unavailable(String bucket, Throwable error) {
    Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
        ? error.getCause() : error;
    if (isTimeout(error)) {
      return new KvException.Unavailable("the key's bucket " + bucket + " did not answer within "
          + timeout.toMillis() + " ms (its node may be down and its shard moving, or the journal's database "
          + "unreachable); retry");
    }
    return new KvException.Unavailable("the key's bucket " + bucket + " failed: " + cause.getMessage() + "; retry");
  }

  private static CompletionStage<StatusReply<?>> done(StatusReply<?> reply) {
    return CompletableFuture.completedFuture(reply);
  }
}
