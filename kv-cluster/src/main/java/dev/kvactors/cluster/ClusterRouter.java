package dev.kvactors.cluster;

import static java.util.Objects.requireNonNull;

import dev.kvactors.KeyValueStore;
import dev.kvactors.KvException;
import dev.kvactors.Op;
import dev.kvactors.Router;
import dev.kvactors.internal.Futures;
import dev.kvactors.internal.RouterStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.pattern.StatusReply;

/**
 * The entry point of a node in cluster mode: takes the same {@link Router.Command}s as the
 * single-machine {@link Router} (the records of {@link KeyValueStore.Request}), so the RESP server
 * serves it unchanged, and sends each key's request to the key's {@link KeyBucket} through Cluster
 * Sharding, wherever that bucket lives. Every request is answered: with the bucket's answer, or,
 * when the bucket does not answer within {@code kv.cluster.request-timeout} (its node died and its
 * shard is not back yet, or the database is down), with a retryable {@link KvException.Unavailable}.
 *
 * <p>Sharding delivers at most once: a request sent to a node that has just died, or that reaches
 * a shard in the instant it is handed over to another node, is lost. So a request not answered
 * within {@code kv.cluster.resend-interval} is sent again, with the same request id, until its
 * deadline; a bucket that already applied it answers with the answer it remembers (see
 * {@link KeyBucket.Changed}), so a write is applied once however often it is sent.
 *
 * <p>Every request on keys becomes a list of {@link dev.kvactors.Op}s that the key's bucket
 * evaluates as one atomic unit ({@link KeyBucket.Evaluate}): {@code Get}, {@code Set} (with its
 * condition and expiry), {@code Delete}, {@code Expire}, {@code Persist}, {@code Ttl},
 * {@code GetAndExpire}, {@code Execute} and {@code Transaction}. An op or a transaction whose keys
 * are in different buckets is refused with {@link KvException.CrossSlot}, as Redis Cluster refuses
 * keys of different slots; keys with the same hash tag ({@code {user1}.a}, {@code {user1}.b}) share
 * a bucket. {@code Watch} is kept by the watched keys' bucket: the keys of one watcher must share
 * one bucket, and so must the transaction it checks (else {@code CROSSSLOT}).
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
  /** The most bytes of keys and values one request may carry to a bucket on another node. */
  private final long messageBudget;
  /** This node, unique in the cluster's life: what makes this router's watcher names unique. */
  private final String node;
  /** This node's unique id, in hex: the first part of this router's request ids. */
  private final String requestIdPrefix;
  private long nextRequest;
  /** The bucket each watcher of this node watches keys in, from its WATCH to its EXEC or UNWATCH. */
  private final Map<Long, String> watching = new HashMap<>();

  private ClusterRouter(ActorContext<Router.Command> ctx, ClusterSharding sharding, ClusterSettings settings) {
    super(ctx);
    this.sharding = requireNonNull(sharding, "sharding is null");
    this.settings = requireNonNull(settings, "settings is null");
    this.timeout = settings.askTimeout();
    this.node = Cluster.get(ctx.getSystem()).selfMember().uniqueAddress().toString();
    this.requestIdPrefix = Long.toHexString(Cluster.get(ctx.getSystem()).selfMember().uniqueAddress().longUid()) + "-";
    this.messageBudget = ClusterSettings.messageBudget(ctx.getSystem().settings().config());
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
    try {
      if (request instanceof KeyValueStore.Get get) {
        return evaluate(List.of(new Op.Get(key(get.key()))), null, ClusterRouter::first);
      } else if (request instanceof KeyValueStore.Set set) {
        if (set.value() == null) {
          return done(StatusReply.error(new KvException.InvalidRequest("value is missing")));
        }
        return evaluate(List.of(new Op.Set(key(set.key()), set.value(), set.condition(), set.expiry())), null,
            ClusterRouter::first);
      } else if (request instanceof KeyValueStore.Delete delete) {
        return evaluate(List.of(new Op.Delete(key(delete.key()))), null, ClusterRouter::first);
      } else if (request instanceof KeyValueStore.Expire expire) {
        return evaluate(List.of(new Op.Expire(key(expire.key()), expire.deadline(), expire.condition())), null,
            ClusterRouter::first);
      } else if (request instanceof KeyValueStore.Persist persist) {
        return evaluate(List.of(new Op.Persist(key(persist.key()))), null, ClusterRouter::first);
      } else if (request instanceof KeyValueStore.Ttl ttl) {
        return evaluate(List.of(new Op.Ttl(key(ttl.key()))), null, ClusterRouter::first);
      } else if (request instanceof KeyValueStore.GetAndExpire getEx) {
        return getAndExpire(getEx);
      } else if (request instanceof KeyValueStore.Execute<?> execute) {
        return evaluate(List.of(execute.op()), null, ClusterRouter::first);
      } else if (request instanceof KeyValueStore.Transaction tx) {
        return transaction(tx);
      } else if (request instanceof KeyValueStore.Watch watch) {
        return watch(watch);
      } else if (request instanceof KeyValueStore.Unwatch unwatch) {
        return unwatch(unwatch.watcher());
      } else if (request instanceof KeyValueStore.Sync) {
        return done(StatusReply.success(KeyValueStore.Synced.INSTANCE));
      } else if (request instanceof KeyValueStore.AwaitReady) {
        return done(StatusReply.success(new KeyValueStore.Ready(0)));
      } else if (request instanceof KeyValueStore.Batch) {
        return done(StatusReply.error(new KvException.InvalidRequest("a batch inside a batch is not supported")));
      } else if (request instanceof KeyValueStore.Keys) {
        return done(StatusReply.error(new KvException.InvalidRequest("listing every key (KEYS, SCAN, RANDOMKEY, "
            + "DBSIZE) is not supported in cluster mode: the keys are spread over the buckets of every node")));
      } else if (request instanceof KeyValueStore.Clear) {
        return done(StatusReply.error(new KvException.InvalidRequest("clearing every key (FLUSHDB, FLUSHALL) is "
            + "not supported in cluster mode: the keys are spread over the buckets of every node")));
      }
      return done(StatusReply.error(new KvException.InvalidRequest(
          "unknown request " + request.getClass().getSimpleName())));
    } catch (NullPointerException | IllegalArgumentException e) {
      // An argument the records' own checks refuse (a null condition, a negative offset).
      return done(StatusReply.error(new KvException.InvalidRequest(String.valueOf(e.getMessage()))));
    }
  }

  /** {@code key}, or the store's error for a missing key (the key's other rules are the bucket's). */
  private static String key(String key) {
    if (key == null) {
      throw new KvException.InvalidRequest("key must not be empty");
    }
    return key;
  }

  /**
   * GETEX as the same ops the server queues for it in a transaction: a read, then the deadline's
   * change ({@code PERSIST} or an {@code EXPIRE}), atomically in the key's bucket; the answer is the
   * value read. A TTL or instant that is not positive is refused, as the single-machine store does.
   */
  private CompletionStage<StatusReply<?>> getAndExpire(KeyValueStore.GetAndExpire getEx) {
    String key = key(getEx.key());
    KeyValueStore.Expiry expiry = getEx.expiry();
    List<Op<?>> ops;
    if (expiry instanceof KeyValueStore.Expiry.Keep) {
      ops = List.of(new Op.Get(key));
    } else if (expiry instanceof KeyValueStore.Expiry.None) {
      ops = List.of(new Op.Get(key), new Op.Persist(key));
    } else if ((expiry instanceof KeyValueStore.Expiry.After after && after.ttl().toMillis() > 0)
        || (expiry instanceof KeyValueStore.Expiry.At at && at.epochMillis() > 0)) {
      ops = List.of(new Op.Get(key), new Op.Expire(key, expiry, KeyValueStore.ExpireCondition.ALWAYS));
    } else {
      return done(StatusReply.error(new KvException.InvalidRequest("invalid expire time in getex: " + expiry)));
    }
    return evaluate(ops, null, evaluated -> {
      for (Outcome outcome : evaluated.outcomes()) {
        if (outcome instanceof Outcome.Failure failure) {
          return StatusReply.error(failure.exception());
        }
      }
      return first(evaluated);
    });
  }

  /**
   * A transaction: run in the bucket of its keys, with the watcher's check if it has one there.
   * Its keys must share a bucket, and the watched keys' bucket too, else {@code CROSSSLOT} (the
   * watcher is released all the same, as {@code EXEC} unwatches). A watcher this router does not
   * know (its {@code WATCH} was refused) aborts the transaction, as the single-machine store does.
   */
  private CompletionStage<StatusReply<?>> transaction(KeyValueStore.Transaction tx) {
    Function<KeyBucket.Evaluated, StatusReply<?>> executed = evaluated -> StatusReply.success(
        new KeyValueStore.Executed(evaluated.aborted(), evaluated.outcomes().stream()
            .<StatusReply<?>>map(Outcome::toReply).toList()));
    if (tx.watcher() == null) {
      if (tx.ops().isEmpty()) {
        return done(StatusReply.success(new KeyValueStore.Executed(false, List.of())));
      }
      return evaluate(tx.ops(), null, executed);
    }
    String watched = watching.remove(tx.watcher().id());
    if (watched == null) {
      return done(StatusReply.success(new KeyValueStore.Executed(true, List.of())));
    }
    String bucket = bucketOf(tx.ops(), watched);
    KvException refused = bucket == null ? new KvException.CrossSlot() : tooLarge(tx.ops());
    if (refused != null) {
      sharding.entityRefFor(KeyBucket.TYPE_KEY, watched).tell(new KeyBucket.Unwatch(watcherName(tx.watcher()), null));
      return done(StatusReply.error(refused));
    }
    String id = nextRequestId();
    return ask(bucket, to -> new KeyBucket.Evaluate(tx.ops(), watcherName(tx.watcher()), id, to), executed);
  }

  /**
   * WATCH: every key in one bucket, the same as the keys this watcher already watches, else
   * {@code CROSSSLOT}; the bucket keeps the watch, so the transaction it checks must run there.
   */
  private CompletionStage<StatusReply<?>> watch(KeyValueStore.Watch watch) {
    if (watch.keys().isEmpty()) {
      return done(StatusReply.success(KeyValueStore.Done.INSTANCE));
    }
    for (String key : watch.keys()) {
      key(key);
    }
    String bucket = KeyBucket.entityId(watch.keys().get(0), settings.buckets());
    String before = watching.get(watch.watcher().id());
    List<String> buckets = watch.keys().stream().map(k -> KeyBucket.entityId(k, settings.buckets())).distinct().toList();
    if (buckets.size() > 1 || (before != null && !before.equals(bucket))) {
      return done(StatusReply.error(new KvException.CrossSlot()));
    }
    watching.put(watch.watcher().id(), bucket);
    return ask(bucket, to -> new KeyBucket.Watch(watcherName(watch.watcher()), watch.keys(), to),
        ClusterRouter::first);
  }

  private CompletionStage<StatusReply<?>> unwatch(KeyValueStore.Watcher watcher) {
    String bucket = watching.remove(watcher.id());
    if (bucket == null) {
      return done(StatusReply.success(KeyValueStore.Done.INSTANCE));
    }
    return ask(bucket, to -> new KeyBucket.Unwatch(watcherName(watcher), to), ClusterRouter::first);
  }

  /** The watcher's name in the buckets: unique in the cluster, as the watcher ids are unique in one node only. */
  private String watcherName(KeyValueStore.Watcher watcher) {
    return node + "#" + watcher.id();
  }

  /**
   * {@code ops} run atomically in their keys' bucket: refused with {@code CROSSSLOT} if their keys
   * are in different buckets; ops without keys go to bucket 0.
   */
  private CompletionStage<StatusReply<?>> evaluate(List<Op<?>> ops, String watcher,
      Function<KeyBucket.Evaluated, StatusReply<?>> answer) {
    String bucket = bucketOf(ops, null);
    if (bucket == null) {
      return done(StatusReply.error(new KvException.CrossSlot()));
    }
    KvException tooLarge = tooLarge(ops);
    if (tooLarge != null) {
      return done(StatusReply.error(tooLarge));
    }
    String id = nextRequestId();
    return ask(bucket, to -> new KeyBucket.Evaluate(ops, watcher, id, to), answer);
  }

  /**
   * The one bucket of every key of {@code ops} (and {@code required}, if not null); null if they
   * are in more than one.
   */
  private String bucketOf(List<Op<?>> ops, String required) {
    String bucket = required;
    for (Op<?> op : ops) {
      for (String key : op.keys()) {
        String b = KeyBucket.entityId(key, settings.buckets());
        if (bucket == null) {
          bucket = b;
        } else if (!bucket.equals(b)) {
          return null;
        }
      }
    }
    return bucket != null ? bucket : "0";
  }

  /**
   * Refuses ops whose keys and values could not cross to another node in one message (the bucket
   * may be on any node): the transport would drop it and the caller would wait for its timeout.
   */
  private KvException tooLarge(List<Op<?>> ops) {
    long bytes = payloadBytes(ops);
    if (bytes <= messageBudget) {
      return null;
    }
    return new KvException.InvalidRequest("the request carries about " + bytes + " bytes of keys and values, more "
        + "than the " + messageBudget + " bytes a cluster node sends to another in one message "
        + "(pekko.remote.artery.advanced.maximum-frame-size less 16 KiB); in cluster mode, keep a value, and the "
        + "values of one transaction together, below that");
  }

  /** About how many bytes the keys and values of {@code ops} take in a message (keys counted at 3 bytes a char). */
  static long payloadBytes(List<Op<?>> ops) {
    long bytes = 0;
    for (Op<?> op : ops) {
      for (String key : op.keys()) {
        bytes += 3L * key.length() + 8;
      }
      if (op instanceof Op.Set set) {
        bytes += set.value().length;
      } else if (op instanceof Op.Append append) {
        bytes += append.bytes().length;
      } else if (op instanceof Op.SetRange range) {
        bytes += range.bytes().length;
      } else if (op instanceof Op.GetAndSet getSet) {
        bytes += getSet.value().length;
      } else if (op instanceof Op.SetAll all) {
        bytes += all.entries().stream().mapToLong(e -> e.getValue().length).sum();
      } else if (op instanceof Op.SetAllIfAbsent all) {
        bytes += all.entries().stream().mapToLong(e -> e.getValue().length).sum();
      }
    }
    return bytes;
  }

  private static StatusReply<?> first(KeyBucket.Evaluated evaluated) {
    return evaluated.outcomes().get(0).toReply();
  }

  /** A request id unique in the cluster: this node's unique id and a counter. */
  private String nextRequestId() {
    return requestIdPrefix + Long.toHexString(nextRequest++);
  }

  /**
   * Sends {@code command} to {@code bucket}, again every {@code resend-interval} it is not answered
   * (the same command: a write carries its request id), until the deadline.
   */
  private CompletionStage<StatusReply<?>> ask(String bucket, Function<ActorRef<KeyBucket.Reply>, KeyBucket.Command> command,
      Function<KeyBucket.Evaluated, StatusReply<?>> answer) {
    CompletableFuture<StatusReply<?>> result = new CompletableFuture<>();
    attempt(sharding.entityRefFor(KeyBucket.TYPE_KEY, bucket), bucket, command, answer,
        System.nanoTime() + timeout.toNanos(), result);
    return result;
  }

  private void attempt(EntityRef<KeyBucket.Command> ref, String bucket,
      Function<ActorRef<KeyBucket.Reply>, KeyBucket.Command> command,
      Function<KeyBucket.Evaluated, StatusReply<?>> answer, long deadline, CompletableFuture<StatusReply<?>> result) {
    long left = deadline - System.nanoTime();
    Duration wait = Duration.ofNanos(Math.max(1, Math.min(left, settings.resendInterval().toNanos())));
    // Direct: a plain whenComplete on Pekko's ask would start a thread per call (Futures.direct).
    Futures.direct(ref.ask(command::apply, wait)).whenComplete((reply, error) -> {
      if (error == null) {
        try {
          result.complete(answer.apply((KeyBucket.Evaluated) reply));
        } catch (RuntimeException e) {
          result.complete(StatusReply.error(e));
        }
      } else if (isTimeout(error) && deadline - System.nanoTime() > 0) {
        attempt(ref, bucket, command, answer, deadline, result);
      } else {
        result.complete(StatusReply.error(unavailable(bucket, error)));
      }
    });
  }

  private static boolean isTimeout(Throwable error) {
    return cause(error) instanceof TimeoutException;
  }

  private static Throwable cause(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
  }

  private KvException unavailable(String bucket, Throwable error) {
    Throwable cause = cause(error);
    if (cause instanceof TimeoutException) {
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
