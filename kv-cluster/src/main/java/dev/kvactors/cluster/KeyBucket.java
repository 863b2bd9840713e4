package dev.kvactors.cluster;

import dev.kvactors.KeyValueStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * One bucket of keys: a persistent entity (Pekko Persistence typed on the JDBC journal) holding the
 * values of every key whose hash (or hash tag, {@code {user1}.name}) falls in it. A {@code Set} or
 * {@code Delete} that changes something is persisted as one event and answered only after the
 * journal has committed it; one that changes nothing (a condition that does not hold, a missing
 * key) is answered at once, with nothing written. A {@code Get} is answered from memory; while an
 * event is being persisted Pekko stashes the commands behind it, so a read sent after a write of
 * the same bucket sees it. A snapshot every {@code snapshot-every} events, older events deleted,
 * keeps recovery short.
 *
 * <p>Why buckets and not an entity per key: a bounded number of persistence ids and entities
 * (start-up, passivation and the coordinator's work do not grow with the number of keys), and the
 * keys of one hash tag live in one entity, where a batch can later be one event (atomic, as in
 * Redis Cluster); see the README's Cluster section for the costs.
 */
public final class KeyBucket
    extends EventSourcedBehaviorWithEnforcedReplies<KeyBucket.Command, KeyBucket.Event, KeyBucket.Values> {

  /** The entity type of the buckets in Cluster Sharding. */
  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "kv-bucket");

  /** What a bucket takes. */
  public sealed interface Command extends CborSerializable {}

  /**
   * Reads {@code key}.
   *
   * @param key the key
   * @param replyTo who gets {@link Got}
   */
  public record Get(String key, ActorRef<Reply> replyTo) implements Command {}

  /**
   * Sets {@code key} to {@code value} when {@code condition} holds.
   *
   * @param key the key
   * @param value the value (not modified afterwards)
   * @param condition when the set applies
   * @param replyTo who gets {@link Stored} once the journal has committed the change
   */
  public record Set(String key, byte[] value, KeyValueStore.Condition condition, ActorRef<Reply> replyTo)
      implements Command {}

  /**
   * Deletes {@code key}.
   *
   * @param key the key
   * @param replyTo who gets {@link Deleted} once the journal has committed the change
   */
  public record Delete(String key, ActorRef<Reply> replyTo) implements Command {}

  /** Sharding's stop message: processed after a persist in flight, so passivation loses no reply. */
  public enum Passivate implements Command {
    /** The only value. */
    INSTANCE
  }

  /** What a bucket answers. */
  public sealed interface Reply extends CborSerializable {}

  /**
   * The value of a key.
   *
   * @param value the value, or empty when the key has none
   */
  public record Got(Optional<byte[]> value) implements Reply {}

  /**
   * The answer to a {@link Set}.
   *
   * @param applied whether the value was set
   * @param previous the value before
   */
  public record Stored(boolean applied, Optional<byte[]> previous) implements Reply {}

  /**
   * The answer to a {@link Delete}.
   *
   * @param existed whether the key had a value
   */
  public record Deleted(boolean existed) implements Reply {}

  /** What the journal holds. */
  public sealed interface Event extends CborSerializable {}

  /**
   * A key was set.
   *
   * @param key the key
   * @param value its new value
   */
  public record ValueSet(String key, byte[] value) implements Event {}

  /**
   * A key was deleted.
   *
   * @param key the key
   */
  public record ValueDeleted(String key) implements Event {}

  /**
   * A bucket's snapshot: a copy of its map, taken on the entity's thread.
   *
   * @param values every key of the bucket and its value
   */
  public record Snapshot(Map<String, byte[]> values) implements CborSerializable {}

  /** A bucket's state in memory (the entity's own; never sent anywhere, see {@link Snapshot}). */
  public static final class Values {
    private final Map<String, byte[]> map;

    Values(Map<String, byte[]> map) {
      this.map = map;
    }

    Optional<byte[]> get(String key) {
      return Optional.ofNullable(map.get(key));
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
   * @return the entity's behavior
   */
  public static Behavior<Command> create(String entityId, ClusterSettings settings) {
    return new KeyBucket(PersistenceId.of(TYPE_KEY.name(), entityId), settings);
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

  private KeyBucket(PersistenceId persistenceId, ClusterSettings settings) {
    // A failed write (the database down) restarts the bucket, which recovers from the journal; the
    // request whose event failed is not answered and its caller's deadline fails it as retryable.
    super(persistenceId, SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.settings = settings;
  }

  @Override
  public Values emptyState() {
    return new Values(new HashMap<>());
  }

  @Override
  public CommandHandlerWithReply<Command, Event, Values> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Get.class, this::onGet)
        .onCommand(Set.class, this::onSet)
        .onCommand(Delete.class, this::onDelete)
        .onCommand(Passivate.class, (state, p) -> Effect().stop().thenNoReply())
        .build();
  }

  private ReplyEffect<Event, Values> onGet(Values state, Get get) {
    return Effect().reply(get.replyTo(), new Got(state.get(get.key())));
  }

  private ReplyEffect<Event, Values> onSet(Values state, Set set) {
    Optional<byte[]> previous = state.get(set.key());
    boolean applies = switch (set.condition()) {
      case ALWAYS -> true;
      case IF_ABSENT -> previous.isEmpty();
      case IF_PRESENT -> previous.isPresent();
    };
    if (!applies) {
      return Effect().reply(set.replyTo(), new Stored(false, previous));
    }
    return Effect().persist(new ValueSet(set.key(), set.value()))
        .thenReply(set.replyTo(), s -> new Stored(true, previous));
  }

  private ReplyEffect<Event, Values> onDelete(Values state, Delete delete) {
    if (state.get(delete.key()).isEmpty()) {
      return Effect().reply(delete.replyTo(), new Deleted(false));
    }
    return Effect().persist(new ValueDeleted(delete.key()))
        .thenReply(delete.replyTo(), s -> new Deleted(true));
  }

  @Override
  public EventHandler<Values, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(ValueSet.class, (state, set) -> {
          state.map.put(set.key(), set.value());
          return state;
        })
        .onEvent(ValueDeleted.class, (state, deleted) -> {
          state.map.remove(deleted.key());
          return state;
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
        return new Snapshot(Map.copyOf(state.map));
      }

      @Override
      public Values fromJournal(Object from) {
        return new Values(new HashMap<>(((Snapshot) from).values()));
      }
    };
  }
}
