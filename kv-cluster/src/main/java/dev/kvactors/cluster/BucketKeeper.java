package dev.kvactors.cluster;

import static java.util.Objects.requireNonNull;

import dev.kvactors.Deadlines;
import dev.kvactors.KvException;
import dev.kvactors.KvSettings;
import dev.kvactors.Op;
import dev.kvactors.OpEvaluator;
import dev.kvactors.internal.FaultHooks;
import dev.kvactors.internal.Futures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.ChildFailed;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The entity Cluster Sharding runs for a bucket: a small plain actor in front of the bucket's
 * persistent {@link KeyBucket}, which it spawns, watches and starts again. It forwards every
 * request to the bucket and passes its answer back, and keeps its own copy of the bucket's
 * committed state (the bucket hands it over when its recovery completes and sends each change once
 * the journal has committed it), so that when the journal's database is unavailable:
 *
 * <ul>
 *   <li>a write the bucket had taken when its journal write failed (the bucket stops then) is
 *       answered at once with a retryable {@link KvException.Unavailable} naming the database, not
 *       left to its caller's deadline;</li>
 *   <li>while the bucket is down and while it recovers again (started again with backoff), a
 *       request that would change something fails at once with that error, and one that changes
 *       nothing (a GET, a TTL, a transaction of reads) is answered from the committed copy: reads
 *       of a loaded bucket go on through a database outage.</li>
 * </ul>
 *
 * <p>A hand-off or passivation ({@link KeyBucket.Passivate}) stops the bucket after the writes it
 * has taken; a request it had not answered then, or one that reaches this keeper after, gets no
 * answer: the router sends it again, with the same request id, to the bucket's next incarnation,
 * which answers a write it already applied from its remembered answers. A graceful leave fails no
 * request.
 *
 * <p>A read answered from the copy sees every acknowledged write (a write is acknowledged only
 * after its change reached this actor) and nothing unacknowledged; a write that failed may still
 * have been committed (its reply, not its insert, may have been lost) and then shows once the
 * bucket has recovered. The copy costs a second hash map of the bucket's keys (the values are
 * shared, not copied).
 */
public final class BucketKeeper extends AbstractBehavior<BucketKeeper.Command> {

  /** What a keeper takes: the bucket's own commands and its private messages. */
  public sealed interface Command permits KeyBucket.Command, BucketNotice, BucketAnswered, RestartBucket {}

  /** The bucket told something ({@link KeyBucket.Notice}). */
  private record BucketNotice(KeyBucket.Notice notice) implements Command {}

  /** The bucket answered a forwarded request ({@code reply} null: no answer within the deadline). */
  private record BucketAnswered(long id, KeyBucket.Reply reply) implements Command {}

  /** Time to start the bucket again after it failed. */
  private enum RestartBucket implements Command {
    INSTANCE
  }

  private static final Duration MIN_BACKOFF = Duration.ofMillis(200);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
  private static final int MAX_REASON = 200;

  /**
   * The keeper of bucket {@code entityId}, as sharding spawns it.
   *
   * @param entityId the bucket's number, as text
   * @param settings the cluster's settings
   * @param kvSettings the store's settings (see {@link KeyBucket#create})
   * @param hooks the clock deadlines are compared with
   * @return the keeper's behavior, typed as the bucket's commands for sharding
   */
  public static Behavior<KeyBucket.Command> create(String entityId, ClusterSettings settings, KvSettings kvSettings,
      FaultHooks hooks) {
    return Behaviors.<Command>setup(ctx -> Behaviors.withTimers(timers ->
        new BucketKeeper(ctx, timers, entityId, settings, kvSettings, hooks))).narrow();
  }

  private final TimerScheduler<Command> timers;
  private final String entityId;
  private final ClusterSettings settings;
  private final KvSettings kvSettings;
  private final FaultHooks hooks;
  private final ActorRef<KeyBucket.Notice> notices;
  /** Forwarded requests not answered yet, by id. */
  private final Map<Long, KeyBucket.Command> pending = new HashMap<>();
  private long nextId;
  /** The running bucket; null while it is down. */
  private ActorRef<KeyBucket.Command> bucket;
  private int incarnation;
  /** Whether the running bucket has recovered. */
  private boolean recovered;
  /** The bucket's committed state; null until its first recovery. */
  private KeyBucket.Values committed;
  /** Consecutive failures of the bucket (0 once it has recovered); while > 0 writes fail at once. */
  private int failures;
  private String lastFailure = "";
  private boolean passivating;

  private BucketKeeper(ActorContext<Command> ctx, TimerScheduler<Command> timers, String entityId,
      ClusterSettings settings, KvSettings kvSettings, FaultHooks hooks) {
    super(ctx);
    this.timers = timers;
    this.entityId = entityId;
    this.settings = requireNonNull(settings, "settings is null");
    this.kvSettings = requireNonNull(kvSettings, "kvSettings is null");
    this.hooks = requireNonNull(hooks, "hooks is null");
    this.notices = ctx.messageAdapter(KeyBucket.Notice.class, BucketNotice::new);
    startBucket();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(KeyBucket.Passivate.class, this::onPassivate)
        .onMessage(KeyBucket.Command.class, this::onRequest)
        .onMessage(BucketNotice.class, this::onNotice)
        .onMessage(BucketAnswered.class, this::onAnswered)
        .onMessage(RestartBucket.class, r -> onRestart())
        .onSignal(Terminated.class, this::onBucketTerminated)
        .build();
  }

  private Behavior<Command> onPassivate(KeyBucket.Passivate passivate) {
    if (bucket == null) {
      return Behaviors.stopped();
    }
    // The bucket stops after a write in flight; this keeper stops when it has.
    passivating = true;
    bucket.tell(passivate);
    return this;
  }

  private Behavior<Command> onRequest(KeyBucket.Command request) {
    if (passivating) {
      // Handed off or passivated: no answer, so the router sends it again, with the same request
      // id, to the bucket's next incarnation (which answers a write it already applied from memory).
      return this;
    }
    ActorRef<KeyBucket.Reply> replyTo = replyTo(request);
    if (bucket != null && (recovered || failures == 0)) {
      if (replyTo == null) {
        bucket.tell(request);
        return this;
      }
      long id = nextId++;
      pending.put(id, request);
      // Not getContext().ask, which pipes Pekko's ask stage as is: a thread per call (Futures.direct).
      getContext().pipeToSelf(Futures.direct(AskPattern.<KeyBucket.Command, KeyBucket.Reply>ask(bucket,
              to -> withReplyTo(request, to), settings.askTimeout(), getContext().getSystem().scheduler())),
          (reply, failure) -> new BucketAnswered(id, reply));
    } else if (replyTo != null) {
      replyTo.tell(answerWhileDown(request, false));
    }
    return this;
  }

  private Behavior<Command> onAnswered(BucketAnswered answered) {
    KeyBucket.Command request = pending.remove(answered.id());
    if (request != null && answered.reply() != null) {
      replyTo(request).tell(answered.reply());
    }
    return this;
  }

  private Behavior<Command> onNotice(BucketNotice notice) {
    if (bucket == null) {
      return this; // from a bucket that has failed since: its successor recovers the state
    }
    if (notice.notice() instanceof KeyBucket.Recovered recovered) {
      committed = new KeyBucket.Values(new HashMap<>(recovered.values()), Deadlines.of(recovered.deadlines()));
      this.recovered = true;
      failures = 0;
    } else if (notice.notice() instanceof KeyBucket.Committed change && committed != null) {
      for (KeyBucket.Change c : change.changed().changes()) {
        committed.apply(c.mutation());
      }
    }
    return this;
  }

  private Behavior<Command> onBucketTerminated(Terminated terminated) {
    bucket = null;
    recovered = false;
    if (passivating && !(terminated instanceof ChildFailed)) {
      // A request the stopped bucket had not answered gets no answer here: the router sends it
      // again to the bucket's next incarnation (a graceful hand-off fails no request).
      return Behaviors.stopped();
    }
    if (terminated instanceof ChildFailed failed) {
      lastFailure = rootMessage(failed.getCause());
    }
    for (KeyBucket.Command request : pending.values()) {
      replyTo(request).tell(answerWhileDown(request, true));
    }
    pending.clear();
    if (passivating) {
      return Behaviors.stopped();
    }
    failures++;
    getContext().getLog().warn("Bucket {} stopped ({}); starting it again (attempt {})", entityId, lastFailure,
        failures);
    long backoff = Math.min(MAX_BACKOFF.toMillis(), MIN_BACKOFF.toMillis() << Math.min(failures - 1, 10));
    timers.startSingleTimer(RestartBucket.INSTANCE, Duration.ofMillis(backoff));
    return this;
  }

  private Behavior<Command> onRestart() {
    if (bucket == null) {
      startBucket();
    }
    return this;
  }

  private void startBucket() {
    incarnation++;
    recovered = false;
    bucket = getContext().spawn(KeyBucket.create(entityId, settings, kvSettings, hooks, notices),
        "bucket-" + incarnation);
    getContext().watch(bucket);
  }

  /**
   * The answer to {@code request} without the bucket: what it reads, from the committed copy, if it
   * changes nothing; else the retryable error ({@code inFlight}: the bucket had taken it when it
   * failed, so it may have been committed).
   */
  private KeyBucket.Reply answerWhileDown(KeyBucket.Command request, boolean inFlight) {
    if (request instanceof KeyBucket.Unwatch) {
      return new KeyBucket.Evaluated(false, List.of(new Outcome.Done()));
    }
    int ops = 1;
    if (request instanceof KeyBucket.Evaluate evaluate) {
      ops = evaluate.ops().size();
      if (committed != null && evaluate.watcher() == null) {
        OpEvaluator evaluator = KeyBucket.evaluator(committed, kvSettings, kvSettings.maxValueBytes(),
            hooks.currentTimeMillis());
        List<Outcome> outcomes = new ArrayList<>(ops);
        for (Op<?> op : evaluate.ops()) {
          outcomes.add(Outcome.of(evaluator.apply(op)));
        }
        if (evaluator.changes().isEmpty()) {
          return new KeyBucket.Evaluated(false, outcomes);
        }
      }
    }
    String what;
    if (committed == null) {
      what = "the bucket is not loaded, so nothing of it can be read or written";
    } else if (inFlight) {
      what = "the write was not acknowledged and may or may not have been applied";
    } else {
      what = "the write was not applied";
    }
    Outcome failure = Outcome.Failure.of(new KvException.Unavailable("the journal's database is unavailable (bucket "
        + entityId + ": " + (lastFailure.isEmpty() ? "its journal failed" : lastFailure) + "); " + what + "; retry"));
    List<Outcome> outcomes = new ArrayList<>(ops);
    for (int i = 0; i < ops; i++) {
      outcomes.add(failure);
    }
    return new KeyBucket.Evaluated(false, outcomes);
  }

  /** {@code request} with its answer going to {@code to}. */
  private static KeyBucket.Command withReplyTo(KeyBucket.Command request, ActorRef<KeyBucket.Reply> to) {
    if (request instanceof KeyBucket.Evaluate evaluate) {
      return new KeyBucket.Evaluate(evaluate.ops(), evaluate.watcher(), evaluate.requestId(), to);
    } else if (request instanceof KeyBucket.Watch watch) {
      return new KeyBucket.Watch(watch.watcher(), watch.keys(), to);
    } else if (request instanceof KeyBucket.Unwatch unwatch) {
      return new KeyBucket.Unwatch(unwatch.watcher(), to);
    }
    throw new IllegalArgumentException("not a request: " + request);
  }

  /** Who gets the answer to {@code request}; null for none. */
  private static ActorRef<KeyBucket.Reply> replyTo(KeyBucket.Command request) {
    if (request instanceof KeyBucket.Evaluate evaluate) {
      return evaluate.replyTo();
    } else if (request instanceof KeyBucket.Watch watch) {
      return watch.replyTo();
    } else if (request instanceof KeyBucket.Unwatch unwatch) {
      return unwatch.replyTo();
    }
    return null;
  }

  /** The message of {@code error}'s innermost cause, shortened. */
  private static String rootMessage(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? root.getClass().getName()
        : root.getClass().getSimpleName() + ": " + root.getMessage();
    return message.length() <= MAX_REASON ? message : message.substring(0, MAX_REASON) + "...";
  }
}
