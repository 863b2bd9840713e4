package dev.kvactors.cluster;

import static java.util.Objects.requireNonNull;

import dev.kvactors.Deadlines;
import dev.kvactors.KvException;
import dev.kvactors.KvSettings;
import dev.kvactors.Op;
import dev.kvactors.OpEvaluator;
import dev.kvactors.Watches;
import dev.kvactors.internal.FaultHooks;
import dev.kvactors.internal.storage.Mutation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One bucket of keys: a persistent entity (Pekko Persistence typed on the JDBC journal) holding the
 * state of every key whose hash (or hash tag, {@code {user1}.name}) falls in it: its value and its
 * deadline. Every request is a list of {@link Op}s ({@link Evaluate}), evaluated in order by the
 * single-machine store's own {@link OpEvaluator}, so an increment, an append or an expiry means
 * exactly what it means there; the ops of one {@code Evaluate} are one atomic unit (a transaction,
 * an {@code MSET}). What they change is persisted as ONE event, their result ({@link Changed}: each
 * key's new value and deadline, or its removal), and the answer goes out only after the journal
 * has committed it; a request that changes nothing (a read, a condition that does not hold, a
 * failed increment) is answered at once with nothing written. While an event is being persisted
 * Pekko stashes the commands behind it, so the next request sees it. A snapshot every
 * {@code snapshot-every} events, older events deleted, keeps recovery short.
 *
 * <p>Expiry: a key whose deadline is at or before the clock is never returned (the evaluator's
 * view of the bucket leaves it out), and a round every {@code kv.expiry.interval}, running only
 * while the bucket has deadlines, removes up to {@code kv.expiry.max-keys-per-round} expired keys
 * (earliest first) as one event, so their memory and their journal entries go. Deadlines are
 * absolute epoch milliseconds in the events and snapshots: a recovered bucket (passivated, moved
 * to another node) keeps them, and a key that expired meanwhile stays gone.
 *
 * <p>Watches ({@code WATCH}): the bucket keeps the same {@link Watches} as the single-machine store,
 * in memory; a transaction carrying a watcher is aborted if a key it watched changed, or if the
 * bucket does not know the watcher (it was passivated, restarted or moved since the watch: an
 * abort, never a transaction run against changed keys).
 *
 * <p>Sharding runs the bucket's {@link BucketKeeper}, which spawns it: the bucket tells its keeper
 * its state when recovered and each event once committed ({@link Notice}); a failed journal write
 * or recovery stops the bucket, and the keeper answers for it while it is down.
 *
 * <p>Why buckets and not an entity per key: a bounded number of persistence ids and entities
 * (start-up, passivation and the coordinator's work do not grow with the number of keys), and the
 * keys of one hash tag live in one entity, where a batch is one event (atomic, as in Redis
 * Cluster); see the README's Cluster section for the costs.
 */
public final class KeyBucket
    extends EventSourcedBehaviorWithEnforcedReplies<KeyBucket.Command, KeyBucket.Event, KeyBucket.Values> {

  /** The entity type of the buckets in Cluster Sharding. */
  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "kv-bucket");

  /** What a bucket takes. */
  public sealed interface Command extends CborSerializable, BucketKeeper.Command {}

  /**
   * Evaluates {@code ops} in order as one atomic unit, each seeing the changes of the ones before
   * (one op alone, or a transaction). Every key of the ops is in this bucket (the router refuses
   * any other request with {@link KvException.CrossSlot}).
   *
   * @param ops the operations, in order
   * @param watcher the watcher whose watched keys must be unchanged (and which is forgotten
   *     either way, as {@code EXEC} unwatches), or null for none
   * @param requestId the request's id, unique in the cluster, the same when the router sends the
   *     request again: a bucket that applied it answers a resend with its first answer instead of
   *     applying it twice; or null for none
   * @param replyTo who gets {@link Evaluated}, once the journal has committed what the ops changed
   */
  public record Evaluate(List<Op<?>> ops, String watcher, String requestId, ActorRef<Reply> replyTo)
      implements Command {
    /**
     * Copies the list.
     *
     * @param ops see the record
     * @param watcher see the record
     * @param requestId see the record
     * @param replyTo see the record
     */
    public Evaluate {
      ops = List.copyOf(ops);
    }
  }

  /**
   * {@code watcher} watches {@code keys} (all in this bucket) from now on, for its next
   * {@link Evaluate}. Answered at once with one {@link Outcome.Done} (or the key's error).
   *
   * @param watcher the watcher, unique in the cluster (its node's and its own id)
   * @param keys the keys
   * @param replyTo who gets {@link Evaluated}
   */
  public record Watch(String watcher, List<String> keys, ActorRef<Reply> replyTo) implements Command {
    /**
     * Copies the list.
     *
     * @param watcher see the record
     * @param keys see the record
     * @param replyTo see the record
     */
    public Watch {
      requireNonNull(watcher, "watcher is null");
      keys = List.copyOf(keys);
    }
  }

  /**
   * Forgets what {@code watcher} watches here.
   *
   * @param watcher the watcher
   * @param replyTo who gets {@link Evaluated} with one {@link Outcome.Done}, or null for no answer
   */
  public record Unwatch(String watcher, ActorRef<Reply> replyTo) implements Command {}

  /** Sharding's stop message: processed after a persist in flight, so passivation loses no reply. */
  public enum Passivate implements Command {
    /** The only value. */
    INSTANCE
  }

  /** Time for a round of the active expiry (the bucket's own timer). */
  private enum ExpiryRound implements Command {
    INSTANCE
  }

  /** What a bucket answers. */
  public sealed interface Reply extends CborSerializable {}

  /**
   * The answer to an {@link Evaluate}, {@link Watch} or {@link Unwatch}.
   *
   * @param aborted true if the transaction did not run because a watched key changed (or the
   *     watcher was unknown); {@code outcomes} is then empty
   * @param outcomes one per op, in order
   */
  public record Evaluated(boolean aborted, List<Outcome> outcomes) implements Reply {
    /**
     * Copies the list.
     *
     * @param aborted see the record
     * @param outcomes see the record
     */
    public Evaluated {
      outcomes = List.copyOf(outcomes);
    }
  }

  /** What a bucket tells its {@link BucketKeeper} (on the same node; never serialized). */
  public sealed interface Notice {}

  /**
   * The bucket's recovery completed.
   *
   * @param values a copy of its values (the keeper's from now on)
   * @param deadlines a copy of its deadlines (the keeper's from now on)
   */
  public record Recovered(Map<String, byte[]> values, Map<String, Long> deadlines) implements Notice {}

  /**
   * The journal committed {@code changed} (told before the change is acknowledged).
   *
   * @param changed the event
   */
  public record Committed(Changed changed) implements Notice {}

  /** What the journal holds. */
  public sealed interface Event extends CborSerializable {}

  /**
   * A key was set without a deadline: the previous version's event, still read from old journals.
   *
   * @param key the key
   * @param value its new value
   */
  public record ValueSet(String key, byte[] value) implements Event {}

  /**
   * A key was deleted: the previous version's event, still read from old journals.
   *
   * @param key the key
   */
  public record ValueDeleted(String key) implements Event {}

  /**
   * What one request (an op, a transaction) or one expiry round changed, applied in order: the
   * result, never the operation ("1 after the increment", not "increment"); for a request, also its
   * id and its answer, which the bucket remembers for a while to answer a resend of the request.
   *
   * @param changes the changes, in order
   * @param requestId the id of the request that made them, or null (an expiry round, a request
   *     without id, an event of the previous version)
   * @param at when the request was applied (epoch millis), or 0 with no request id
   * @param answer the request's answer, one outcome per op, or null with no request id
   */
  public record Changed(List<Change> changes, String requestId, long at, List<Outcome> answer) implements Event {
    /**
     * Copies the lists.
     *
     * @param changes see the record
     * @param requestId see the record
     * @param at see the record
     * @param answer see the record
     */
    public Changed {
      changes = List.copyOf(changes);
      answer = answer == null ? null : List.copyOf(answer);
    }

    static Changed of(List<Mutation> mutations, String requestId, long at, List<Outcome> answer) {
      List<Change> changes = new ArrayList<>(mutations.size());
      for (Mutation m : mutations) {
        if (m instanceof Mutation.Put put) {
          changes.add(new Change(put.key(), put.value(), put.deadline()));
        } else if (m instanceof Mutation.Remove remove) {
          changes.add(new Change(remove.key(), null, Mutation.NO_DEADLINE));
        } else {
          throw new IllegalArgumentException("a bucket logs puts and removes only, not " + m);
        }
      }
      return new Changed(changes, requestId, at, requestId == null ? null : answer);
    }
  }

  /**
   * The answer of a write a bucket applied, remembered by the write's id.
   *
   * @param requestId the write's id
   * @param at when it was applied (epoch millis)
   * @param answer its answer, one outcome per op
   */
  public record Remembered(String requestId, long at, List<Outcome> answer) {}

  /**
   * One key's state after a change.
   *
   * @param key the key
   * @param value its value, or null if it was removed
   * @param deadline its deadline in epoch millis, or 0 for none
   */
  public record Change(String key, byte[] value, long deadline) {
    Mutation mutation() {
      return value == null ? new Mutation.Remove(key) : new Mutation.Put(key, value, deadline);
    }
  }

  /**
   * A bucket's snapshot: a copy of its map and of its deadlines, taken on the entity's thread.
   *
   * @param values every key of the bucket and its value
   * @param deadlines the deadlines (epoch millis) of the keys that have one; null in the
   *     snapshots of the previous version, which had none
   * @param answers the answers the bucket remembers, oldest first; null in the snapshots of the
   *     previous versions
   */
  public record Snapshot(Map<String, byte[]> values, Map<String, Long> deadlines, List<Remembered> answers)
      implements CborSerializable {}

  /** A bucket's state in memory (the entity's own; never sent anywhere, see {@link Snapshot}). */
  public static final class Values {
    private final Map<String, byte[]> map;
    private final Deadlines deadlines;
    /** The answers of the writes applied lately, by request id, oldest first. */
    private final LinkedHashMap<String, Remembered> answers = new LinkedHashMap<>();

    Values(Map<String, byte[]> map, Deadlines deadlines) {
      this.map = map;
      this.deadlines = deadlines;
    }

    /** The answer of the write {@code requestId} if it was applied lately, else null. */
    Remembered answerOf(String requestId) {
      return requestId == null ? null : answers.get(requestId);
    }

    /**
     * Remembers {@code answer}, then forgets the answers older than {@code window} before it and the
     * oldest beyond {@code max}: the event's own time, not the clock, so a replay forgets the same.
     */
    void remember(Remembered answer, Duration window, int max) {
      answers.put(answer.requestId(), answer);
      long oldest = answer.at() - window.toMillis();
      Iterator<Remembered> it = answers.values().iterator();
      while (it.hasNext()) {
        Remembered first = it.next();
        if (first.at() >= oldest && answers.size() <= max) {
          break;
        }
        it.remove();
      }
    }

    /** The live state of {@code key} at {@code now}: absent if it has no value or it has expired. */
    OpEvaluator.State live(String key, long now) {
      byte[] value = map.get(key);
      if (value == null) {
        return OpEvaluator.State.ABSENT;
      }
      long deadline = deadlines.of(key);
      if (deadline != Mutation.NO_DEADLINE && deadline <= now) {
        return OpEvaluator.State.ABSENT;
      }
      return new OpEvaluator.State(value, deadline);
    }

    /** Whether {@code key} has a value whose deadline has passed (not removed yet). */
    boolean hasExpired(String key, long now) {
      return map.containsKey(key) && deadlines.isExpired(key, now);
    }

    void apply(Mutation mutation) {
      mutation.applyTo(map, deadlines);
    }

    int size() {
      return map.size();
    }
  }

  /**
   * The bucket {@code entityId} with these settings, as sharding spawns it.
   *
   * @param entityId the bucket's number, as text
   * @param settings the cluster's settings
   * @param kvSettings the store's settings: key and value limits, the expiry's interval and round size
   * @param hooks the clock deadlines are compared with ({@link FaultHooks#currentTimeMillis()})
   * @param keeper who gets the bucket's {@link Notice}s
   * @return the entity's behavior
   */
  public static Behavior<Command> create(String entityId, ClusterSettings settings, KvSettings kvSettings,
      FaultHooks hooks, ActorRef<Notice> keeper) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new KeyBucket(
        PersistenceId.of(TYPE_KEY.name(), entityId), settings, kvSettings, hooks, keeper, ctx, timers)));
  }

  /**
   * The single-machine store's evaluator over {@code state} at {@code now}: expired keys are absent.
   *
   * @param state the bucket's state (or its keeper's copy)
   * @param kvSettings the key limit
   * @param maxValueBytes the largest value an op may set or build
   * @param now the clock, epoch millis
   * @return a new evaluator; its {@link OpEvaluator#changes()} are what its ops changed
   */
  static OpEvaluator evaluator(Values state, KvSettings kvSettings, int maxValueBytes, long now) {
    return new OpEvaluator(key -> state.live(key, now), key -> OpEvaluator.checkKey(key, kvSettings.maxKeyBytes()),
        maxValueBytes, now);
  }

  /**
   * The bucket of {@code key}: of its hash tag (the text between the first {@code {} and the next
   * {@code }}, when not empty, as Redis Cluster does), else of the whole key.
   *
   * @param key the key
   * @param buckets the number of buckets
   * @return the bucket's entity id, {@code 0 .. buckets-1} as text
   */
  public static String entityId(String key, int buckets) {
    String hashed = key;
    int open = key.indexOf('{');
    if (open >= 0) {
      int close = key.indexOf('}', open + 1);
      if (close > open + 1) {
        hashed = key.substring(open + 1, close);
      }
    }
    return Integer.toString(Math.floorMod(hashed.hashCode(), buckets));
  }

  private final ClusterSettings settings;
  private final KvSettings kvSettings;
  private final FaultHooks hooks;
  private final ActorRef<Notice> keeper;
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  /** What the watchers watch; in memory only (a restarted bucket aborts their transactions). */
  private final Watches watches = new Watches();
  /** The {@link Watches} id of each watcher (whose own names are unique in the cluster). */
  private final Map<String, Long> watcherIds = new HashMap<>();
  private long nextWatcherId;
  /** The most bytes of values one answer may carry to another node. */
  private final long messageBudget;
  /** The largest value an op may set or build: {@code kv.max-value-bytes}, at most {@link #messageBudget}. */
  private final int maxValueBytes;

  private KeyBucket(PersistenceId persistenceId, ClusterSettings settings, KvSettings kvSettings, FaultHooks hooks,
      ActorRef<Notice> keeper, ActorContext<Command> context, TimerScheduler<Command> timers) {
    // A failed journal write or recovery (the database down) stops the bucket; its BucketKeeper
    // answers the requests it had taken and starts it again with backoff.
    super(persistenceId);
    this.keeper = requireNonNull(keeper, "keeper is null");
    this.settings = requireNonNull(settings, "settings is null");
    this.kvSettings = requireNonNull(kvSettings, "kvSettings is null");
    this.hooks = requireNonNull(hooks, "hooks is null");
    this.context = requireNonNull(context, "context is null");
    this.timers = requireNonNull(timers, "timers is null");
    this.messageBudget = ClusterSettings.messageBudget(context.getSystem().settings().config());
    this.maxValueBytes = (int) Math.min(kvSettings.maxValueBytes(), messageBudget);
  }

  @Override
  public Values emptyState() {
    return new Values(new HashMap<>(), new Deadlines());
  }

  @Override
  public CommandHandlerWithReply<Command, Event, Values> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Evaluate.class, this::onEvaluate)
        .onCommand(Watch.class, this::onWatch)
        .onCommand(Unwatch.class, this::onUnwatch)
        .onCommand(ExpiryRound.class, (state, round) -> onExpiryRound(state))
        .onCommand(Passivate.class, (state, p) -> Effect().stop().thenNoReply())
        .build();
  }

  private ReplyEffect<Event, Values> onEvaluate(Values state, Evaluate evaluate) {
    Remembered applied = state.answerOf(evaluate.requestId());
    if (applied != null) {
      // A resend of a write this bucket applied (its answer was lost, or is on its way): not again.
      return Effect().reply(evaluate.replyTo(), new Evaluated(false, applied.answer()));
    }
    long now = hooks.currentTimeMillis();
    if (evaluate.watcher() != null) {
      Long id = watcherIds.remove(evaluate.watcher());
      if (id == null || !watches.release(id, key -> state.hasExpired(key, now))) {
        return Effect().reply(evaluate.replyTo(), new Evaluated(true, List.of()));
      }
    }
    OpEvaluator evaluator = evaluator(state, kvSettings, maxValueBytes, now);
    List<Outcome> outcomes = new ArrayList<>(evaluate.ops().size());
    long answerBytes = 0;
    for (Op<?> op : evaluate.ops()) {
      Outcome outcome = Outcome.of(evaluator.apply(op));
      answerBytes += outcome.valueBytes();
      outcomes.add(outcome);
    }
    if (answerBytes > messageBudget) {
      // The answer could not cross to a router on another node: refused, and nothing applied.
      Outcome refused = Outcome.Failure.of(new KvException.InvalidRequest("the answer would carry " + answerBytes
          + " bytes of values, more than the " + messageBudget + " bytes a cluster node sends to another in one "
          + "message (pekko.remote.artery.advanced.maximum-frame-size less 16 KiB); nothing was applied"));
      return Effect().reply(evaluate.replyTo(), new Evaluated(false, outcomes.stream().map(o -> refused).toList()));
    }
    Evaluated answer = new Evaluated(false, outcomes);
    List<Mutation> changes = evaluator.changes();
    if (changes.isEmpty()) {
      return Effect().reply(evaluate.replyTo(), answer);
    }
    if (!watches.isEmpty()) {
      changes.forEach(change -> watches.touched(change.key(), false));
    }
    Changed changed = Changed.of(changes, evaluate.requestId(), now, outcomes);
    return Effect().persist(changed)
        .thenRun(s -> keeper.tell(new Committed(changed)))
        .thenRun(this::startExpiryRounds)
        .thenReply(evaluate.replyTo(), s -> answer);
  }

  private ReplyEffect<Event, Values> onWatch(Values state, Watch watch) {
    for (String key : watch.keys()) {
      KvException invalid = OpEvaluator.checkKey(key, kvSettings.maxKeyBytes());
      if (invalid != null) {
        return Effect().reply(watch.replyTo(), new Evaluated(false, List.of(Outcome.Failure.of(invalid))));
      }
    }
    long now = hooks.currentTimeMillis();
    long id = watcherIds.computeIfAbsent(watch.watcher(), w -> nextWatcherId++);
    watches.watch(id, watch.keys(), key -> state.hasExpired(key, now));
    return Effect().reply(watch.replyTo(), new Evaluated(false, List.of(new Outcome.Done())));
  }

  private ReplyEffect<Event, Values> onUnwatch(Values state, Unwatch unwatch) {
    Long id = watcherIds.remove(unwatch.watcher());
    if (id != null) {
      watches.unwatch(id);
    }
    if (unwatch.replyTo() == null) {
      return Effect().noReply();
    }
    return Effect().reply(unwatch.replyTo(), new Evaluated(false, List.of(new Outcome.Done())));
  }

  /**
   * Removes up to {@code kv.expiry.max-keys-per-round} expired keys, earliest first, as one event;
   * a full round is followed at once by another, queued behind the requests already waiting.
   * Without deadlines left, the rounds stop until a deadline is set again.
   */
  private ReplyEffect<Event, Values> onExpiryRound(Values state) {
    if (state.deadlines.isEmpty()) {
      timers.cancel(ExpiryRound.INSTANCE);
      return Effect().noReply();
    }
    int max = kvSettings.expiryMaxKeysPerRound();
    List<String> expired = state.deadlines.expired(hooks.currentTimeMillis(), max, key -> false);
    if (expired.isEmpty()) {
      return Effect().noReply();
    }
    List<Change> removals = new ArrayList<>(expired.size());
    for (String key : expired) {
      removals.add(new Change(key, null, Mutation.NO_DEADLINE));
      if (!watches.isEmpty()) {
        watches.touched(key, true);
      }
    }
    Changed changed = new Changed(removals, null, 0, null);
    return Effect().persist(changed).thenRun(s -> {
      keeper.tell(new Committed(changed));
      if (expired.size() == max) {
        context.getSelf().tell(ExpiryRound.INSTANCE);
      }
    }).thenNoReply();
  }

  /** Starts the expiry's rounds if the bucket has deadlines and they are not running. */
  private void startExpiryRounds(Values state) {
    if (!state.deadlines.isEmpty() && !timers.isTimerActive(ExpiryRound.INSTANCE)) {
      timers.startTimerWithFixedDelay(ExpiryRound.INSTANCE, kvSettings.expiryInterval());
    }
  }

  @Override
  public EventHandler<Values, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(Changed.class, (state, changed) -> {
          for (Change change : changed.changes()) {
            state.apply(change.mutation());
          }
          if (changed.requestId() != null && changed.answer() != null) {
            state.remember(new Remembered(changed.requestId(), changed.at(), changed.answer()),
                settings.rememberAnswersFor(), settings.rememberAnswersMax());
          }
          return state;
        })
        .onEvent(ValueSet.class, (state, set) -> {
          state.apply(new Mutation.Put(set.key(), set.value()));
          return state;
        })
        .onEvent(ValueDeleted.class, (state, deleted) -> {
          state.apply(new Mutation.Remove(deleted.key()));
          return state;
        })
        .build();
  }

  @Override
  public SignalHandler<Values> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          keeper.tell(new Recovered(new HashMap<>(state.map), new HashMap<>(state.deadlines)));
          startExpiryRounds(state);
        })
        .build();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), settings.keepSnapshots())
        .withDeleteEventsOnSnapshot();
  }

  @Override
  public SnapshotAdapter<Values> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(Values state) {
        // The map changes after this returns; the snapshot store serializes later, on its own thread.
        return new Snapshot(Map.copyOf(state.map), Map.copyOf(state.deadlines),
            List.copyOf(state.answers.values()));
      }

      @Override
      public Values fromJournal(Object from) {
        Snapshot snapshot = (Snapshot) from;
        Map<String, Long> deadlines = snapshot.deadlines() != null ? snapshot.deadlines() : Map.of();
        Values values = new Values(new HashMap<>(snapshot.values()), Deadlines.of(deadlines));
        if (snapshot.answers() != null) {
          snapshot.answers().forEach(answer -> values.answers.put(answer.requestId(), answer));
        }
        return values;
      }
    };
  }
}
