package dev.kvactors;

import static java.util.Objects.requireNonNull;

import dev.kvactors.internal.ActorKind;
import dev.kvactors.internal.FaultHooks;
import dev.kvactors.internal.FileWriter;
import dev.kvactors.internal.Futures;
import dev.kvactors.internal.HeartbeatSender;
import dev.kvactors.internal.storage.Mutation;
import dev.kvactors.internal.storage.RecordCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.pattern.StatusReply;

/**
 * Holds the map in memory. Spawns the {@link FileWriter} as its child on the blocking-I/O
 * dispatcher and stashes requests until the writer has handed over the recovered map. A
 * {@code Set} or {@code Delete} is sent to the writer and applied to the map, and answered, when
 * the writer confirms it per the durability mode ({@code async}: at once), so a reader never sees
 * a change that is not yet acknowledged. {@code Get} is answered from memory, after the writes of
 * its key that came before it are confirmed; {@code Keys} with the immutable {@link KeySet}, after
 * every write taken before it is confirmed (so a caller's listing sees its own earlier writes).
 * Nothing here costs time in the number of keys or in what a caller asks: counting is O(1), and
 * filtering, matching, sorting and paging run on the caller's thread over the {@link KeySet}.
 */
public final class KeyValueStore extends AbstractBehavior<KeyValueStore.Command> {

  /** Everything the key-value actor takes: the callers' {@link Request}s and its own messages. */
  public sealed interface Command {}

  /**
   * A caller's request. Each one is also a {@link Router.Command}, so it is sent to the router as
   * it is, with no wrapper: {@code router.tell(new KeyValueStore.Get("k", replyTo))}. Every request
   * is answered with a {@link StatusReply}: its value, or a {@link KvException} as the error.
   */
  public sealed interface Request extends Command, Router.Command {
    /**
     * Who gets the answer or the error.
     *
     * @return the reply address
     */
    ActorRef<? extends StatusReply<?>> replyTo();

    /**
     * Answers this request with {@code error}.
     *
     * @param error why the request is refused
     */
    default void reject(KvException error) {
      @SuppressWarnings("unchecked")
      ActorRef<StatusReply<?>> to = (ActorRef<StatusReply<?>>) replyTo();
      to.tell(StatusReply.error(error));
    }
  }

  /**
   * Reads {@code key}; answered with its {@link Value} once the writes of the key sent before are
   * acknowledged.
   *
   * @param key the key to read
   * @param replyTo who gets the value or the error
   */
  public record Get(String key, ActorRef<StatusReply<Value>> replyTo) implements Request {}

  /**
   * Sets {@code key} to {@code value} if {@code condition} holds at the moment the store takes the
   * request, with the deadline {@code expiry} says; answered with {@link Stored} once acknowledged
   * under the durability mode. A set whose deadline has already passed is applied and the key is
   * gone at once (logged as a delete).
   *
   * @param key the key to set
   * @param value the new value; the store copies it
   * @param condition when the set applies
   * @param expiry the key's deadline afterwards: {@link Expiry#NONE} (none, as Redis's plain
   *     {@code SET}), {@link Expiry#KEEP} ({@code KEEPTTL}), a positive TTL or an instant
   * @param replyTo who gets the answer or the error
   */
  public record Set(String key, byte[] value, Condition condition, Expiry expiry,
      ActorRef<StatusReply<Stored>> replyTo) implements Request {
    /**
     * Sets {@code key} to {@code value} if {@code condition} holds, with no deadline.
     *
     * @param key the key to set
     * @param value the new value; the store copies it
     * @param condition when the set applies
     * @param replyTo who gets the answer or the error
     */
    public Set(String key, byte[] value, Condition condition, ActorRef<StatusReply<Stored>> replyTo) {
      this(key, value, condition, Expiry.NONE, replyTo);
    }

    /**
     * Sets {@code key} to {@code value} unconditionally.
     *
     * @param key the key to set
     * @param value the new value; the store copies it
     * @param replyTo who gets the answer or the error
     */
    public Set(String key, byte[] value, ActorRef<StatusReply<Stored>> replyTo) {
      this(key, value, Condition.ALWAYS, Expiry.NONE, replyTo);
    }

    /**
     * Sets {@code key} to the UTF-8 bytes of {@code value} unconditionally.
     *
     * @param key the key to set
     * @param value the new value, stored as UTF-8
     * @param replyTo who gets the answer or the error
     * @return the request
     */
    public static Set of(String key, String value, ActorRef<StatusReply<Stored>> replyTo) {
      return new Set(key, value.getBytes(StandardCharsets.UTF_8), Condition.ALWAYS, replyTo);
    }

    /**
     * Sets {@code key} to the UTF-8 bytes of {@code value} if {@code condition} holds.
     *
     * @param key the key to set
     * @param value the new value, stored as UTF-8
     * @param condition when the set applies
     * @param replyTo who gets the answer or the error
     * @return the request
     */
    public static Set of(String key, String value, Condition condition, ActorRef<StatusReply<Stored>> replyTo) {
      return new Set(key, value.getBytes(StandardCharsets.UTF_8), condition, replyTo);
    }

  }

  /**
   * Deletes {@code key}; answered with {@link Deleted} once acknowledged.
   *
   * @param key the key to delete
   * @param replyTo who gets the answer or the error
   */
  public record Delete(String key, ActorRef<StatusReply<Deleted>> replyTo) implements Request {}

  /**
   * Gives {@code key} a deadline if it has a value and {@code condition} holds (Redis {@code EXPIRE},
   * {@code PEXPIRE}, {@code EXPIREAT}, {@code PEXPIREAT}); answered with {@link DeadlineChanged}
   * once acknowledged. A deadline at or before the store's clock deletes the key (logged as a
   * delete), as Redis does, and counts as changed.
   *
   * @param key the key
   * @param deadline an {@link Expiry.After} (any TTL; zero or negative deletes) or an
   *     {@link Expiry.At}; {@link Expiry#NONE} and {@link Expiry#KEEP} are refused
   * @param condition when the deadline is changed
   * @param replyTo who gets the answer or the error
   */
  public record Expire(String key, Expiry deadline, ExpireCondition condition,
      ActorRef<StatusReply<DeadlineChanged>> replyTo) implements Request {
    /**
     * Gives {@code key} a deadline unconditionally.
     *
     * @param key the key
     * @param deadline an {@link Expiry.After} or an {@link Expiry.At}
     * @param replyTo who gets the answer or the error
     */
    public Expire(String key, Expiry deadline, ActorRef<StatusReply<DeadlineChanged>> replyTo) {
      this(key, deadline, ExpireCondition.ALWAYS, replyTo);
    }
  }

  /**
   * Removes the deadline of {@code key} (Redis {@code PERSIST}); answered with {@link
   * DeadlineChanged}, changed only if the key had a value and a deadline.
   *
   * @param key the key
   * @param replyTo who gets the answer or the error
   */
  public record Persist(String key, ActorRef<StatusReply<DeadlineChanged>> replyTo) implements Request {}

  /**
   * Reads the deadline of {@code key} (Redis {@code TTL}, {@code PTTL}, {@code EXPIRETIME},
   * {@code PEXPIRETIME}); answered with {@link TimeToLive} once the writes of the key sent before
   * are acknowledged.
   *
   * @param key the key
   * @param replyTo who gets the answer or the error
   */
  public record Ttl(String key, ActorRef<StatusReply<TimeToLive>> replyTo) implements Request {}

  /**
   * Reads {@code key} and changes its deadline as {@code expiry} says (Redis {@code GETEX}):
   * {@link Expiry#KEEP} changes nothing (a plain get), {@link Expiry#NONE} removes the deadline
   * ({@code PERSIST}), a positive TTL or an instant sets it (one in the past deletes the key).
   * Answered with the value the key had, once the change is acknowledged.
   *
   * @param key the key
   * @param expiry what happens to the key's deadline
   * @param replyTo who gets the value or the error
   */
  public record GetAndExpire(String key, Expiry expiry, ActorRef<StatusReply<Value>> replyTo) implements Request {}

  /**
   * The store's keys as an immutable {@link KeySet}, once every write taken before this request is
   * confirmed (or has failed): O(1) on the store, whatever the number of keys.
   *
   * @param replyTo who gets the key set or the error
   */
  public record Keys(ActorRef<StatusReply<KeySet>> replyTo) implements Request {}

  /**
   * Removes every key (Redis {@code FLUSHDB}); answered with {@link Cleared} once acknowledged
   * under the durability mode. Until then the store holds back every later request, so no reader
   * sees the map cleared before the clear is acknowledged and none sent after it sees an older value.
   *
   * @param replyTo who gets the answer or the error
   */
  public record Clear(ActorRef<StatusReply<Cleared>> replyTo) implements Request {}

  /**
   * Several requests of one caller ({@link Get}, {@link Set}, {@link Delete}, {@link Execute},
   * {@link Transaction}, {@link Watch}, {@link Unwatch}) in one message: the
   * store takes them in order, exactly as if they had been sent one by one, and answers them with one
   * {@link Answers} once every one of them is answered. A pipelined batch of sets thus costs one
   * message each way and joins one group commit. The {@code replyTo} of the requests inside is not
   * used (it may be null); {@code id} is the caller's, to match the answers to the batch, so one
   * long-lived actor can take the answers of every batch a caller sends. A batch refused as a whole
   * (by the router during a reset, say) is answered with {@link Answers} too, every reply the error.
   *
   * @param id the caller's correlation id, returned in {@link Answers#id()}
   * @param requests the requests, in order; the list must not change after it is sent
   * @param replyTo who gets the answers (always as a success)
   */
  public record Batch(long id, List<Request> requests, ActorRef<StatusReply<Answers>> replyTo) implements Request {
    @Override
    public void reject(KvException error) {
      StatusReply<?>[] replies = new StatusReply<?>[requests.size()];
      Arrays.fill(replies, StatusReply.error(error));
      replyTo.tell(StatusReply.success(new Answers(id, Arrays.asList(replies))));
    }
  }

  /**
   * Evaluates one {@link Op} atomically (the key-value actor is the only writer of the map, so a
   * read-modify-write needs no lock) and answers with its result once what it changed is
   * acknowledged under the durability mode. What it changes is logged as its result: a put or a
   * remove record, or one batch record when it changes two keys (a rename), so a crash keeps all of
   * it or nothing. An op that changes nothing (a failed increment, a read) is answered without a
   * record, after the unconfirmed writes of its keys, as a {@link Get} is.
   *
   * @param <R> the type of the op's answer
   * @param op the operation
   * @param replyTo who gets the answer, or the {@link KvException} (for example
   *     {@link KvException.OperationFailed})
   */
  public record Execute<R>(Op<R> op, ActorRef<StatusReply<R>> replyTo) implements Request {}

  /**
   * Applies {@code ops} in order, each seeing the changes of the ones before, as one atomic unit
   * (Redis {@code MULTI}/{@code EXEC}): no other request runs in between, and everything they change
   * is written as one log record (one checksum), so recovery keeps all of it or none of it. An op
   * that fails at run time (an increment of a value that is not an integer) gets its error in its
   * slot of the answer and changes nothing; the others still apply, as in Redis. Answered once,
   * when the record is acknowledged under the durability mode, with {@link Executed}.
   *
   * <p>With a {@code watcher} (Redis {@code WATCH}), the transaction is not applied, and is answered
   * {@link Executed#aborted()}, if any key the watcher watched was changed since it watched it, or if
   * the store does not know the watcher (it was reset since). The watcher's keys are forgotten
   * either way, as Redis's {@code EXEC} unwatches them.
   *
   * @param ops the operations, in order; the list is copied
   * @param watcher whose watched keys must be unchanged, or null if the caller watches nothing
   * @param replyTo who gets the answer (or the error, if the transaction is refused as a whole: for
   *     example larger than one record may be)
   */
  public record Transaction(List<Op<?>> ops, Watcher watcher, ActorRef<StatusReply<Executed>> replyTo)
      implements Request {
    /**
     * Copies the list.
     *
     * @param ops see the record
     * @param watcher see the record
     * @param replyTo see the record
     */
    public Transaction {
      ops = List.copyOf(ops);
    }
  }

  /**
   * Who watches keys, for an optimistic {@link Transaction} (Redis {@code WATCH}): a connection, or
   * a {@link KvStore} transaction builder. Make one with {@link #next()}.
   *
   * @param id unique in this process
   */
  public record Watcher(long id) {
    private static final java.util.concurrent.atomic.AtomicLong IDS = new java.util.concurrent.atomic.AtomicLong();

    /**
     * A new watcher, unique in this process.
     *
     * @return the watcher
     */
    public static Watcher next() {
      return new Watcher(IDS.incrementAndGet());
    }
  }

  /**
   * {@code watcher} watches {@code keys} from now on (Redis {@code WATCH}): its next
   * {@link Transaction} is aborted if any of them is changed before it (set, deleted, changed by
   * any {@link Op}, removed by a {@link Clear}), by anyone. Answered with {@link Done} at once.
   *
   * @param watcher the watcher
   * @param keys the keys to watch
   * @param replyTo who gets {@link Done}
   */
  public record Watch(Watcher watcher, List<String> keys, ActorRef<StatusReply<Done>> replyTo) implements Request {
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
   * Forgets every key {@code watcher} watches (Redis {@code UNWATCH}, {@code DISCARD}, and a
   * connection that closes); answered with {@link Done}.
   *
   * @param watcher the watcher
   * @param replyTo who gets {@link Done}
   */
  public record Unwatch(Watcher watcher, ActorRef<StatusReply<Done>> replyTo) implements Request {
    /**
     * Checks the watcher.
     *
     * @param watcher see the record
     * @param replyTo see the record
     */
    public Unwatch {
      requireNonNull(watcher, "watcher is null");
    }
  }

  /**
   * The answer to a {@link Transaction}.
   *
   * @param aborted true if it was not applied because a watched key changed (Redis answers
   *     {@code EXEC} with nil); {@code results} is then empty
   * @param results one reply per op, in order: success with the op's answer, or error with its
   *     {@link KvException}
   */
  public record Executed(boolean aborted, List<StatusReply<?>> results) {}

  /** The answer to {@link Watch} and {@link Unwatch}. */
  public enum Done {
    /** The only value. */
    INSTANCE
  }

  /**
   * Answered once the store has recovered its data directory, or with the reason it could not.
   *
   * @param replyTo who gets {@link Ready} or the error
   */
  public record AwaitReady(ActorRef<StatusReply<Ready>> replyTo) implements Request {}

  /**
   * Answered once every change sent before it has been written and forced to the device, in any
   * durability mode: a barrier for shutdown and for callers of {@code async} mode.
   *
   * @param replyTo who gets {@link Synced} or the error
   */
  public record Sync(ActorRef<StatusReply<Synced>> replyTo) implements Request {}

  /**
   * The answer to a {@link Get}: the value of {@code key}, if any. The array is the store's own:
   * do not modify it.
   *
   * @param key the key that was read
   * @param value its value, or empty if the key has none
   */
  public record Value(String key, Optional<byte[]> value) {
    /**
     * The value decoded as UTF-8.
     *
     * @return the value as text, or empty if the key has none
     */
    public Optional<String> asString() {
      return value.map(bytes -> new String(bytes, StandardCharsets.UTF_8));
    }
  }

  /** When a {@link Set} applies. */
  public enum Condition {
    /** Always. */
    ALWAYS,
    /** Only if the key has no value (Redis {@code NX}). */
    IF_ABSENT,
    /** Only if the key has a value (Redis {@code XX}). */
    IF_PRESENT
  }

  /**
   * What a request does to its key's deadline. A deadline is absolute wall-clock time (epoch
   * milliseconds, as in Redis's AOF); a TTL is turned into one by the store's clock when the store
   * takes the request. A key whose deadline is at or before the clock has expired: it is never
   * returned, and is removed.
   */
  public sealed interface Expiry {
    /** Afterwards the key has no deadline (Redis's plain {@code SET}; {@code GETEX ... PERSIST}). */
    Expiry NONE = new None();
    /** The key's deadline stays as it is ({@code SET ... KEEPTTL}; {@code GETEX} with no option). */
    Expiry KEEP = new Keep();

    /**
     * A deadline {@code ttl} after the moment the store takes the request ({@code EX}, {@code PX},
     * {@code EXPIRE}, {@code PEXPIRE}).
     *
     * @param ttl the time to live
     * @return the expiry
     */
    static Expiry after(Duration ttl) {
      return new After(ttl);
    }

    /**
     * A deadline at {@code deadline} ({@code EXAT}, {@code PXAT}, {@code EXPIREAT}, {@code PEXPIREAT}).
     *
     * @param deadline the instant the key expires, to the millisecond
     * @return the expiry
     */
    static Expiry at(Instant deadline) {
      return new At(deadline.toEpochMilli());
    }

    /**
     * A deadline at {@code epochMillis} milliseconds since the epoch.
     *
     * @param epochMillis the moment the key expires
     * @return the expiry
     */
    static Expiry atMillis(long epochMillis) {
      return new At(epochMillis);
    }

    /** No deadline: see {@link #NONE}. */
    record None() implements Expiry {}

    /** The deadline unchanged: see {@link #KEEP}. */
    record Keep() implements Expiry {}

    /**
     * A deadline {@code ttl} after the store takes the request.
     *
     * @param ttl the time to live; a set needs it positive, an expire takes any
     */
    record After(Duration ttl) implements Expiry {
      /**
       * Checks the argument.
       *
       * @param ttl the time to live
       */
      public After {
        requireNonNull(ttl, "ttl is null");
      }
    }

    /**
     * A deadline at an absolute moment.
     *
     * @param epochMillis milliseconds since the epoch; a set needs it positive, an expire takes any
     */
    record At(long epochMillis) implements Expiry {}
  }

  /**
   * When an {@link Expire} changes the deadline, as Redis 7.0's {@code EXPIRE} options; a key
   * without a deadline counts as having an infinite one for {@code GT} and {@code LT}.
   */
  public enum ExpireCondition {
    /** Always (no option). */
    ALWAYS,
    /** Only if the key has no deadline ({@code NX}). */
    IF_NO_DEADLINE,
    /** Only if the key has a deadline ({@code XX}). */
    IF_DEADLINE,
    /** Only if the new deadline is later than the key's, which must have one ({@code GT}, {@code XX GT}). */
    IF_LATER,
    /** Only if the key has no deadline or the new one is earlier ({@code LT}). */
    IF_EARLIER,
    /** Only if the key has a deadline and the new one is earlier ({@code XX LT}). */
    IF_DEADLINE_AND_EARLIER;

    /**
     * The condition of Redis's {@code EXPIRE} options.
     *
     * @param nx whether {@code NX} was given
     * @param xx whether {@code XX} was given
     * @param gt whether {@code GT} was given
     * @param lt whether {@code LT} was given
     * @return the condition
     * @throws IllegalArgumentException for a combination Redis refuses, with Redis's error text
     *     (without the {@code ERR } prefix)
     */
    public static ExpireCondition of(boolean nx, boolean xx, boolean gt, boolean lt) {
      if (nx && (xx || gt || lt)) {
        throw new IllegalArgumentException("NX and XX, GT or LT options at the same time are not compatible");
      }
      if (gt && lt) {
        throw new IllegalArgumentException("GT and LT options at the same time are not compatible");
      }
      if (nx) {
        return IF_NO_DEADLINE;
      } else if (gt) {
        return IF_LATER;
      } else if (lt) {
        return xx ? IF_DEADLINE_AND_EARLIER : IF_EARLIER;
      }
      return xx ? IF_DEADLINE : ALWAYS;
    }

    /** Whether the condition holds for a key with deadline {@code current} (0: none) and the new {@code deadline}. */
    boolean holds(long current, long deadline) {
      boolean has = current != Mutation.NO_DEADLINE;
      return switch (this) {
        case ALWAYS -> true;
        case IF_NO_DEADLINE -> !has;
        case IF_DEADLINE -> has;
        case IF_LATER -> has && deadline > current;
        case IF_EARLIER -> !has || deadline < current;
        case IF_DEADLINE_AND_EARLIER -> has && deadline < current;
      };
    }
  }

  /**
   * The answer to a {@link Set}: whether it was applied (false only when its condition did not
   * hold), and the value the key had just before.
   *
   * @param key the key that was set
   * @param applied whether the value was set
   * @param previous the value just before, or empty if the key had none
   */
  public record Stored(String key, boolean applied, Optional<byte[]> previous) {}

  /**
   * The answer to a {@link Delete}.
   *
   * @param key the key that was deleted
   * @param existed whether it had a value
   */
  public record Deleted(String key, boolean existed) {}

  /**
   * The answer to an {@link Expire} or a {@link Persist}: Redis's {@code 1} or {@code 0}.
   *
   * @param key the key
   * @param changed whether the deadline was set (or the key deleted, for a deadline in the past) or removed
   */
  public record DeadlineChanged(String key, boolean changed) {}

  /**
   * The answer to a {@link Ttl}: whether the key has a value, and its deadline if it has one.
   *
   * @param key the key
   * @param exists whether the key has a value (that has not expired)
   * @param deadlineMillis its deadline in epoch millis, or 0 if it has none
   * @param remainingMillis the milliseconds left until the deadline, by the store's clock, or 0
   */
  public record TimeToLive(String key, boolean exists, long deadlineMillis, long remainingMillis) {
    /**
     * Whether the key has a value and a deadline.
     *
     * @return true if the key expires
     */
    public boolean hasDeadline() {
      return exists && deadlineMillis != Mutation.NO_DEADLINE;
    }

    /**
     * The key's deadline.
     *
     * @return the deadline, or empty if the key has none or no value
     */
    public Optional<Instant> deadline() {
      return hasDeadline() ? Optional.of(Instant.ofEpochMilli(deadlineMillis)) : Optional.empty();
    }

    /**
     * The time left.
     *
     * @return the time until the deadline, or empty if the key has none or no value
     */
    public Optional<Duration> remaining() {
      return hasDeadline() ? Optional.of(Duration.ofMillis(remainingMillis)) : Optional.empty();
    }

    /**
     * Redis's {@code PTTL}.
     *
     * @return -2 if the key has no value, -1 if it has no deadline, else the milliseconds left
     */
    public long pttl() {
      return !exists ? -2 : hasDeadline() ? remainingMillis : -1;
    }

    /**
     * Redis's {@code TTL}, rounded as Redis rounds it.
     *
     * @return -2 if the key has no value, -1 if it has no deadline, else the seconds left
     */
    public long ttl() {
      return !exists ? -2 : hasDeadline() ? (remainingMillis + 500) / 1000 : -1;
    }

    /**
     * Redis's {@code PEXPIRETIME}.
     *
     * @return -2 if the key has no value, -1 if it has no deadline, else the deadline in epoch millis
     */
    public long pexpireTime() {
      return !exists ? -2 : hasDeadline() ? deadlineMillis : -1;
    }

    /**
     * Redis's {@code EXPIRETIME}.
     *
     * @return -2 if the key has no value, -1 if it has no deadline, else the deadline in epoch seconds
     */
    public long expireTime() {
      return !exists ? -2 : hasDeadline() ? deadlineMillis / 1000 : -1;
    }
  }

  /**
   * The answer to a {@link Clear}.
   *
   * @param keysRemoved the number of keys the store held just before
   */
  public record Cleared(long keysRemoved) {}

  /**
   * The answer to {@link AwaitReady}.
   *
   * @param keys the number of keys recovered
   */
  public record Ready(int keys) {}

  /**
   * The answer to a {@link Batch}: for each of its requests, in order, the {@link StatusReply} it
   * would have had on its own ({@link Value}, {@link Stored}, {@link Deleted}, an op's answer,
   * {@link Executed}, {@link Done}, or the {@link KvException}).
   *
   * @param id the batch's correlation id
   * @param replies one reply per request of the batch
   */
  public record Answers(long id, List<StatusReply<?>> replies) {}

  /** The answer to {@link Sync}. */
  public enum Synced {
    /** The only value. */
    INSTANCE
  }

  // The writer's replies, adapted (each names the writer, so a late word of a replaced writer is ignored).
  private record WrappedRecovered(FileWriter.Recovered reply) implements Command {}

  private record WrappedRecoveryFailed(FileWriter.RecoveryFailed reply) implements Command {}

  private record WrappedPersisted(FileWriter.Persisted reply) implements Command {}

  private record WrappedPersistFailed(FileWriter.PersistFailed reply) implements Command {}

  /** The writer answered a {@link Sync} (or did not, in time). */
  private record SyncDone(Sync request, Throwable error) implements Command {}

  /**
   * From the router, to reset: stop after the requests already in the mailbox, so every one of them
   * is answered (writes not yet confirmed get a retryable error when the writer is gone).
   */
  enum Stop implements Command {
    INSTANCE
  }

  private record WriterStopped(ActorRef<FileWriter.Command> writer) implements Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  /** Time for a round of the active expiry. */
  private enum ExpiryRound implements Command {
    INSTANCE
  }

  /** The key set and the deadlines of the recovered map, built off the actor's thread. */
  private record Indexed(ActorRef<FileWriter.Command> writer, Map<String, byte[]> entries, Index index,
      Throwable error) implements Command {}

  private record Index(KeySet keys, Deadlines deadlines) {}

  /**
   * A store with these settings that beats to {@code heartbeats}; the router spawns it with its
   * adapter. Applications send their requests to the router instead.
   */
  static Behavior<Command> create(KvSettings settings, ActorRef<HeartbeatSender.Beat> heartbeats,
      FaultHooks hooks) {
    return Behaviors.setup(ctx -> Behaviors.withStash(settings.stashCapacity(), stash ->
        Behaviors.withTimers(timers -> {
          timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.heartbeatInterval());
          timers.startTimerWithFixedDelay(ExpiryRound.INSTANCE, settings.expiryInterval());
          beat(heartbeats, ctx); // watched from the start, not only from the first tick on
          ActorRef<FileWriter.Reply> replies = ctx.messageAdapter(FileWriter.Reply.class, KeyValueStore::adapt);
          ActorRef<FileWriter.Command> writer = ctx.spawn(
              FileWriter.create(settings, replies, heartbeats, hooks), "writer", DispatcherSelector.blocking());
          ctx.watchWith(writer, new WriterStopped(writer));
          return recovering(ctx, settings, heartbeats, writer, stash, hooks);
        })));
  }

  private static Command adapt(FileWriter.Reply reply) {
    if (reply instanceof FileWriter.Persisted persisted) {
      return new WrappedPersisted(persisted);
    } else if (reply instanceof FileWriter.PersistFailed failed) {
      return new WrappedPersistFailed(failed);
    } else if (reply instanceof FileWriter.Recovered recovered) {
      return new WrappedRecovered(recovered);
    } else {
      return new WrappedRecoveryFailed((FileWriter.RecoveryFailed) reply);
    }
  }

  private static Behavior<Command> recovering(ActorContext<Command> ctx, KvSettings settings,
      ActorRef<HeartbeatSender.Beat> heartbeats, ActorRef<FileWriter.Command> writer, StashBuffer<Command> stash,
      FaultHooks hooks) {
    return Behaviors.receive(Command.class)
        .onMessageEquals(Tick.INSTANCE, () -> beat(heartbeats, ctx))
        .onMessageEquals(ExpiryRound.INSTANCE, Behaviors::same)
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .onMessage(WrappedRecovered.class, r -> r.reply().writer().equals(writer), r -> {
          // Indexing a million keys takes a second: not on this thread, which must keep beating.
          Map<String, byte[]> entries = r.reply().entries();
          Map<String, Long> deadlines = r.reply().deadlines();
          ctx.pipeToSelf(CompletableFuture.supplyAsync(() -> new Index(KeySet.of(entries.keySet(), deadlines),
                      Deadlines.of(deadlines)), Futures.listing(ctx.getSystem())),
              (index, error) -> new Indexed(writer, entries, index, error));
          return Behaviors.same();
        })
        .onMessage(Indexed.class, i -> i.writer().equals(writer), i -> {
          if (i.error() != null) {
            Futures.rethrowIfFatal(i.error());
            throw new IllegalStateException("indexing the recovered keys failed", i.error());
          }
          return stash.unstashAll(
              new KeyValueStore(ctx, settings, heartbeats, writer, i.entries(), i.index().keys(),
                  i.index().deadlines(), hooks, stash));
        })
        .onMessage(WrappedRecoveryFailed.class, r -> r.reply().writer().equals(writer), r -> {
          stash.forEach(c -> rejectIfRequest(c, r.reply().error()));
          stash.clear();
          return failed(ctx, heartbeats, r.reply().error());
        })
        .onMessage(WriterStopped.class, w -> w.writer().equals(writer), w -> {
          KvException error = new KvException.Unavailable("the file writer stopped during recovery; retry");
          stash.forEach(c -> rejectIfRequest(c, error));
          stash.clear();
          throw new IllegalStateException("file writer stopped during recovery");
        })
        .onMessage(Request.class, request -> {
          if (stash.isFull()) {
            request.reject(new KvException.Unavailable("the store is still recovering and "
                + stash.capacity() + " requests are already waiting; retry"));
          } else {
            stash.stash(request);
          }
          return Behaviors.same();
        })
        .onSignal(PostStop.class, s -> rejectStashed(stash, "the store stopped while recovering"))
        .onSignal(PreRestart.class, s -> rejectStashed(stash, "the store restarted while recovering"))
        .build();
  }

  /** After a failed recovery: every request gets the reason; heartbeats go on so no reset loops. */
  private static Behavior<Command> failed(ActorContext<Command> ctx, ActorRef<HeartbeatSender.Beat> heartbeats,
      KvException error) {
    return Behaviors.receive(Command.class)
        .onMessageEquals(Tick.INSTANCE, () -> beat(heartbeats, ctx))
        .onMessageEquals(ExpiryRound.INSTANCE, Behaviors::same)
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .onMessage(Request.class, request -> {
          request.reject(error);
          return Behaviors.same();
        })
        .build();
  }

  /** Where the answer to one request goes: its own {@code replyTo}, or its place in a batch's answers. */
  @FunctionalInterface
  interface Answer {
    void tell(StatusReply<?> reply);
  }

  @SuppressWarnings("unchecked")
  private static Answer direct(ActorRef<? extends StatusReply<?>> replyTo) {
    ActorRef<StatusReply<?>> to = (ActorRef<StatusReply<?>>) replyTo;
    return to::tell;
  }

  /** The answers of one {@link Batch}, sent as one {@link Answers} when the last one is in. */
  private static final class BatchAnswers {
    private final Batch batch;
    private final StatusReply<?>[] replies;
    private int missing;

    BatchAnswers(Batch batch) {
      this.batch = batch;
      this.replies = new StatusReply<?>[batch.requests().size()];
      this.missing = replies.length;
    }

    Answer slot(int i) {
      return reply -> {
        replies[i] = reply;
        if (--missing == 0) {
          batch.replyTo().tell(StatusReply.success(new Answers(batch.id(), Arrays.asList(replies))));
        }
      };
    }
  }

  /**
   * The answer of an {@link Execute} or {@link Transaction}, computed when the store took it and
   * delivered once its record is acknowledged; an error (the write failed) goes out instead.
   */
  private static final class Prepared implements Answer {
    private final Answer target;
    private final StatusReply<?> reply;

    Prepared(Answer target, StatusReply<?> reply) {
      this.target = target;
      this.reply = reply;
    }

    @Override
    public void tell(StatusReply<?> error) {
      target.tell(error);
    }

    void deliver() {
      target.tell(reply);
    }
  }

  private static Behavior<Command> beat(ActorRef<HeartbeatSender.Beat> heartbeats, ActorContext<Command> ctx) {
    heartbeats.tell(new HeartbeatSender.Beat(ActorKind.STORE, ctx.getSelf()));
    return Behaviors.same();
  }

  private static Behavior<Command> rejectStashed(StashBuffer<Command> stash, String why) {
    KvException error = new KvException.Unavailable(why + "; retry");
    stash.forEach(c -> rejectIfRequest(c, error));
    return Behaviors.same();
  }

  private static void rejectIfRequest(Command command, KvException error) {
    if (command instanceof Request request) {
      request.reject(error);
    }
  }

  private final KvSettings settings;
  private final ActorRef<FileWriter.Command> writer;
  private final FaultHooks hooks;
  /** Holds the requests that arrive while a {@link Clear} is unconfirmed. */
  private final StashBuffer<Command> stash;
  private final Map<String, byte[]> map;
  /** The deadlines of the keys of {@code map} that have one: changed with it. */
  private final Deadlines deadlines;
  /** The keys of {@code map}: changed with it, handed out to listings. */
  private KeySet keys;
  private final PendingWrites pending = new PendingWrites(new PendingWrites.Settled() {
    @Override
    public void confirmed(Mutation mutation, Request request, Answer answer) {
      apply(mutation, request, answer);
    }

    @Override
    public void readable(Request read, Answer answer) {
      if (read instanceof Get get) {
        answer(get, answer);
      } else if (read instanceof Ttl ttl) {
        answer(ttl, answer);
      }
    }

    @Override
    public void listable(Keys listing) {
      listing.replyTo().tell(StatusReply.success(deadlines.isEmpty() ? keys : keys.at(now())));
    }
  });
  /** What connections watch for their next {@link Transaction}. */
  private final Watches watches = new Watches();
  private long nextSeq;
  private KvException writeFailure;
  private final HeartbeatSender heartbeat;
  private boolean stopping;

  private KeyValueStore(ActorContext<Command> ctx, KvSettings settings, ActorRef<HeartbeatSender.Beat> heartbeats,
      ActorRef<FileWriter.Command> writer, Map<String, byte[]> map, KeySet keys, Deadlines deadlines,
      FaultHooks hooks, StashBuffer<Command> stash) {
    super(ctx);
    this.stash = requireNonNull(stash, "stash is null");
    this.hooks = requireNonNull(hooks, "hooks is null");
    this.heartbeat = new HeartbeatSender(heartbeats, ActorKind.STORE, ctx.getSelf(), settings.heartbeatInterval());
    this.settings = requireNonNull(settings, "settings is null");
    this.writer = requireNonNull(writer, "writer is null");
    this.map = requireNonNull(map, "map is null");
    this.keys = requireNonNull(keys, "keys is null");
    this.deadlines = requireNonNull(deadlines, "deadlines is null");
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Get.class, get -> onGet(get, direct(get.replyTo())))
        .onMessage(Set.class, set -> onSet(set, direct(set.replyTo())))
        .onMessage(Delete.class, delete -> onDelete(delete, direct(delete.replyTo())))
        .onMessage(Expire.class, expire -> onExpire(expire, direct(expire.replyTo())))
        .onMessage(Persist.class, persist -> onPersist(persist, direct(persist.replyTo())))
        .onMessage(Ttl.class, ttl -> onTtl(ttl, direct(ttl.replyTo())))
        .onMessage(GetAndExpire.class, getEx -> onGetAndExpire(getEx, direct(getEx.replyTo())))
        .onMessage(Batch.class, this::onBatch)
        .onMessage(Execute.class, execute -> onExecute(execute, direct(execute.replyTo())))
        .onMessage(Transaction.class, tx -> onTransaction(tx, direct(tx.replyTo())))
        .onMessage(Watch.class, watch -> onWatch(watch, direct(watch.replyTo())))
        .onMessage(Unwatch.class, unwatch -> onUnwatch(unwatch, direct(unwatch.replyTo())))
        .onMessage(Keys.class, this::onKeys)
        .onMessage(Clear.class, this::onClear)
        .onMessage(AwaitReady.class, this::onAwaitReady)
        .onMessage(Sync.class, this::onSync)
        .onMessage(WrappedPersisted.class, w -> onPersisted(w.reply()))
        .onMessage(WrappedPersistFailed.class, w -> onPersistFailed(w.reply()))
        .onMessage(SyncDone.class, this::onSyncDone)
        .onMessage(WriterStopped.class, this::onWriterStopped)
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessageEquals(ExpiryRound.INSTANCE, this::onExpiryRound)
        .onMessageEquals(Stop.INSTANCE, this::onStop)
        .onMessage(WrappedRecovered.class, m -> this)
        .onMessage(WrappedRecoveryFailed.class, m -> this)
        .onMessage(Indexed.class, m -> this)
        .onSignal(PostStop.class, s -> onStopped("the store was stopped"))
        .onSignal(PreRestart.class, s -> onStopped("the store was restarted"))
        .build();
  }

  private Behavior<Command> onBatch(Batch batch) {
    if (batch.requests().isEmpty()) {
      batch.replyTo().tell(StatusReply.success(new Answers(batch.id(), List.of())));
      return this;
    }
    BatchAnswers answers = new BatchAnswers(batch);
    for (int i = 0; i < batch.requests().size(); i++) {
      Request request = batch.requests().get(i);
      Answer answer = answers.slot(i);
      if (request instanceof Get get) {
        onGet(get, answer);
      } else if (request instanceof Set set) {
        onSet(set, answer);
      } else if (request instanceof Delete delete) {
        onDelete(delete, answer);
      } else if (request instanceof Execute<?> execute) {
        onExecute(execute, answer);
      } else if (request instanceof Transaction tx) {
        onTransaction(tx, answer);
      } else if (request instanceof Watch watch) {
        onWatch(watch, answer);
      } else if (request instanceof Unwatch unwatch) {
        onUnwatch(unwatch, answer);
      } else if (!onExpiryRequest(request, answer)) {
        answer.tell(StatusReply.error(new KvException.InvalidRequest("a batch holds only Get, Set, Delete, Expire,"
            + " Persist, Ttl, GetAndExpire, Execute, Transaction, Watch and Unwatch, not "
            + request.getClass().getSimpleName())));
      }
    }
    return this;
  }

  private Behavior<Command> onGet(Get get, Answer answer) {
    hooks.beforeRequest();
    heartbeat.beatIfDue();
    KvException invalid = checkKey(get.key());
    if (invalid != null) {
      answer.tell(StatusReply.error(invalid));
      return this;
    }
    if (removeIfExpired(get.key())) {
      answer.tell(StatusReply.success(new Value(get.key(), Optional.empty())));
      return this;
    }
    // A read waits for the unconfirmed writes of its key: it sees them, but never before they are
    // acknowledged (read-your-writes on a pipelined connection, and nothing a crash could take back).
    pending.read(get, answer);
    return this;
  }

  private void answer(Get get, Answer answer) {
    answer.tell(StatusReply.success(new Value(get.key(), Optional.ofNullable(liveValue(get.key())))));
  }

  /** The value of {@code key} in the map, or null if it has none or it has expired. */
  private byte[] liveValue(String key) {
    return deadlines.isExpired(key, now()) ? null : map.get(key);
  }

  /** The value of {@code key} once every write taken so far is applied; empty if it has none or it has expired. */
  private Optional<byte[]> effectiveValue(String key) {
    Optional<Mutation> latest = pending.latest(key);
    if (latest.isEmpty()) {
      return Optional.ofNullable(liveValue(key));
    }
    return latest.get() instanceof Mutation.Put put && isLive(put.deadline())
        ? Optional.of(put.value()) : Optional.empty();
  }

  /** The deadline of {@code key} once every write taken so far is applied ({@link Mutation#NO_DEADLINE}: none). */
  private long effectiveDeadline(String key) {
    Optional<Mutation> latest = pending.latest(key);
    if (latest.isEmpty()) {
      return deadlines.of(key);
    }
    return latest.get() instanceof Mutation.Put put ? put.deadline() : Mutation.NO_DEADLINE;
  }

  /** The store's clock: wall-clock epoch millis, which deadlines are compared with. */
  private long now() {
    return hooks.currentTimeMillis();
  }

  private boolean isLive(long deadline) {
    return deadline == Mutation.NO_DEADLINE || deadline > now();
  }

  private Behavior<Command> onSet(Set set, Answer answer) {
    hooks.beforeRequest();
    heartbeat.beatIfDue();
    KvException invalid = checkKey(set.key());
    if (invalid == null && set.value() == null) {
      invalid = new KvException.InvalidRequest("value is missing");
    }
    if (invalid == null && set.value().length > settings.maxValueBytes()) {
      invalid = new KvException.InvalidRequest("value of " + set.value().length + " bytes is larger than "
          + settings.maxValueBytes() + " bytes (kv.max-value-bytes)");
    }
    long now = now();
    long deadline = 0;
    if (invalid == null) {
      deadline = resolve(set.expiry(), now, set.key());
      if (deadline < 0) {
        invalid = new KvException.InvalidRequest("invalid expire time in set: " + set.expiry());
      }
    }
    if (invalid != null) {
      answer.tell(StatusReply.error(invalid));
      return this;
    }
    Optional<byte[]> previous = effectiveValue(set.key());
    boolean holds = switch (set.condition()) {
      case ALWAYS -> true;
      case IF_ABSENT -> previous.isEmpty();
      case IF_PRESENT -> previous.isPresent();
    };
    if (!holds) {
      answer.tell(StatusReply.success(new Stored(set.key(), false, previous)));
      return this;
    }
    if (deadline != Mutation.NO_DEADLINE && deadline <= now) {
      return write(new Mutation.Remove(set.key()), set, answer); // set and expired at once
    }
    return write(new Mutation.Put(set.key(), set.value().clone(), deadline), set, answer);
  }

  /**
   * The deadline a set (or a get-and-expire) gives {@code key}: {@link Mutation#NO_DEADLINE} for
   * none, the key's live deadline for {@link Expiry#KEEP}; -1 for a TTL or instant that is not
   * positive, or one that overflows.
   */
  private long resolve(Expiry expiry, long now, String key) {
    if (expiry instanceof Expiry.None) {
      return Mutation.NO_DEADLINE;
    } else if (expiry instanceof Expiry.Keep) {
      return effectiveValue(key).isPresent() ? effectiveDeadline(key) : Mutation.NO_DEADLINE;
    } else if (expiry instanceof Expiry.After after) {
      return after.ttl().isNegative() || after.ttl().isZero() ? -1 : deadlineAfter(after.ttl(), now);
    } else if (expiry instanceof Expiry.At at) {
      return at.epochMillis() > 0 ? at.epochMillis() : -1;
    }
    return -1; // null
  }

  /** {@code now + ttl} in millis, or -1 on overflow; may be in the past for a negative TTL. */
  private static long deadlineAfter(Duration ttl, long now) {
    try {
      return Math.max(Math.addExact(now, ttl.toMillis()), 1); // never 0, which means "no deadline"
    } catch (ArithmeticException e) {
      return -1;
    }
  }

  private Behavior<Command> onDelete(Delete delete, Answer answer) {
    hooks.beforeRequest();
    heartbeat.beatIfDue();
    KvException invalid = checkKey(delete.key());
    if (invalid != null) {
      answer.tell(StatusReply.error(invalid));
      return this;
    }
    if (!map.containsKey(delete.key()) && !pending.has(delete.key())) {
      // Nothing to delete and nothing on its way: no record to write, nothing to wait for.
      answer.tell(StatusReply.success(new Deleted(delete.key(), false)));
      return this;
    }
    return write(new Mutation.Remove(delete.key()), delete, answer);
  }

  private Behavior<Command> write(Mutation mutation, Request request, Answer answer) {
    return write(mutation, mutation, request, answer);
  }

  /**
   * Logs {@code logged}, and applies {@code effect} (the key's whole state afterwards, the same
   * change as {@code logged}) once it is confirmed: an expire is logged as the small record it is
   * but tracked as the put it amounts to, so the key's unconfirmed state is always its last put or
   * remove.
   */
  private Behavior<Command> write(Mutation logged, Mutation effect, Request request, Answer answer) {
    if (writeFailure != null) {
      answer.tell(StatusReply.error(writeFailure));
      return this;
    }
    if (!watches.isEmpty()) {
      boolean expiryRemoval = answer == NO_ONE;
      effect.changes().forEach(change -> watches.touched(change.key(), expiryRemoval));
    }
    long seq = nextSeq++;
    writer.tell(new FileWriter.Append(seq, logged));
    if (settings.durability() == Durability.ASYNC) {
      apply(effect, request, answer);
    } else {
      pending.add(seq, effect, request, answer);
    }
    return this;
  }

  private void apply(Mutation mutation, Request request, Answer answer) {
    byte[] liveBeforeFirst = null;
    byte[] beforeFirst = null;
    String firstKey = null;
    List<Mutation> changes = mutation.changes();
    for (int i = 0; i < changes.size(); i++) {
      Mutation change = changes.get(i);
      String key = change.key();
      byte[] before = map.get(key);
      long deadlineBefore = deadlines.of(key);
      byte[] liveBefore = before != null && isLive(deadlineBefore) ? before : null;
      if (i == 0) {
        firstKey = key;
        beforeFirst = before;
        liveBeforeFirst = liveBefore;
      }
      change.applyTo(map, deadlines);
      boolean present = map.containsKey(key);
      if (before != null && !present) {
        keys = keys.without(key);
      } else if (present && (before == null || deadlines.of(key) != deadlineBefore)) {
        keys = keys.with(key, deadlines.of(key));
      }
    }
    String key = firstKey;
    byte[] before = beforeFirst;
    byte[] liveBefore = liveBeforeFirst;
    if (answer instanceof Prepared prepared) {
      prepared.deliver();
    } else if (request instanceof Set set) {
      answer.tell(StatusReply.success(new Stored(set.key(), true, Optional.ofNullable(liveBefore))));
    } else if (request instanceof Delete delete) {
      answer.tell(StatusReply.success(new Deleted(delete.key(), liveBefore != null)));
    } else if (request instanceof Expire || request instanceof Persist) {
      answer.tell(StatusReply.success(new DeadlineChanged(key, true)));
    } else if (request instanceof GetAndExpire) {
      // the key was live when the request was taken: its value then is the answer
      answer.tell(StatusReply.success(new Value(key, Optional.ofNullable(before))));
    }
  }

  private Behavior<Command> onExecute(Execute<?> execute, Answer answer) {
    hooks.beforeRequest();
    heartbeat.beatIfDue();
    OpEvaluator evaluator = evaluator();
    return commit(evaluator, evaluator.apply(execute.op()), answer);
  }

  private Behavior<Command> onTransaction(Transaction tx, Answer answer) {
    hooks.beforeRequest();
    heartbeat.beatIfDue();
    if (tx.watcher() != null && !watches.release(tx.watcher().id(), this::hasExpired)) {
      answer.tell(StatusReply.success(new Executed(true, List.of())));
      return this;
    }
    OpEvaluator evaluator = evaluator();
    List<StatusReply<?>> results = new ArrayList<>(tx.ops().size());
    for (Op<?> op : tx.ops()) {
      results.add(evaluator.apply(op));
    }
    return commit(evaluator, StatusReply.success(new Executed(false, results)), answer);
  }

  private OpEvaluator evaluator() {
    return new OpEvaluator(this::effectiveState, this::checkKey, settings.maxValueBytes(), now());
  }

  /** Whether {@code key}, once every write taken so far is applied, has a value whose deadline has passed. */
  private boolean hasExpired(String key) {
    Optional<Mutation> latest = pending.latest(key);
    if (latest.isEmpty()) {
      return map.containsKey(key) && deadlines.isExpired(key, now());
    }
    return latest.get() instanceof Mutation.Put put && !isLive(put.deadline());
  }

  /** The live state of {@code key} once every write taken so far is applied. */
  private OpEvaluator.State effectiveState(String key) {
    Optional<byte[]> value = effectiveValue(key);
    return value.isEmpty() ? OpEvaluator.State.ABSENT : new OpEvaluator.State(value.get(), effectiveDeadline(key));
  }

  /**
   * Writes what {@code evaluator} changed as one record and answers {@code reply} once it is
   * acknowledged; with no change, answers once the writes of the keys it read are settled.
   */
  private Behavior<Command> commit(OpEvaluator evaluator, StatusReply<?> reply, Answer answer) {
    List<Mutation> changes = evaluator.changes();
    if (changes.isEmpty()) {
      pending.afterWritesOf(evaluator.touched().iterator(),
          () -> answer.tell(writeFailure != null ? StatusReply.error(writeFailure) : reply));
      return this;
    }
    long bytes = 0;
    for (Mutation m : changes) {
      bytes += (m instanceof Mutation.Put put ? put.value().length : 0) + 4L * m.key().length() + 16;
    }
    if (bytes > RecordCodec.MAX_PAYLOAD_BYTES - 64) {
      answer.tell(StatusReply.error(new KvException.InvalidRequest("the changes of " + bytes
          + " bytes are more than one log record may hold (" + RecordCodec.MAX_PAYLOAD_BYTES + " bytes)")));
      return this;
    }
    Mutation mutation = changes.size() == 1 ? changes.get(0) : new Mutation.Batch(changes);
    return write(mutation, null, new Prepared(answer, reply));
  }

  private Behavior<Command> onWatch(Watch watch, Answer answer) {
    hooks.beforeRequest();
    heartbeat.beatIfDue();
    for (String key : watch.keys()) {
      KvException invalid = checkKey(key);
      if (invalid != null) {
        answer.tell(StatusReply.error(invalid));
        return this;
      }
    }
    watches.watch(watch.watcher().id(), watch.keys(), this::hasExpired);
    answer.tell(StatusReply.success(Done.INSTANCE));
    return this;
  }

  private Behavior<Command> onUnwatch(Unwatch unwatch, Answer answer) {
    watches.unwatch(unwatch.watcher().id());
    answer.tell(StatusReply.success(Done.INSTANCE));
    return this;
  }

  /**
   * Removes {@code key} if it has expired and has no write on its way (a read found it so);
   * returns whether it did. The removal is logged as a delete and answers no one.
   */
  private boolean removeIfExpired(String key) {
    if (deadlines.isEmpty() || pending.has(key) || !deadlines.isExpired(key, now())) {
      return false;
    }
    write(new Mutation.Remove(key), null, NO_ONE);
    return true;
  }

  private static final Answer NO_ONE = reply -> {};

  /**
   * A round of the active expiry: removes up to {@code kv.expiry.max-keys-per-round} expired keys,
   * earliest deadline first, each logged as a delete. A full round is followed at once by another,
   * queued behind the requests already waiting, so the store keeps answering while a mass of keys
   * expires; keys whose removal is still unconfirmed are skipped, which bounds the unconfirmed
   * removals to about two rounds.
   */
  private Behavior<Command> onExpiryRound() {
    heartbeat.beatIfDue();
    if (deadlines.isEmpty() || writeFailure != null) {
      return this;
    }
    int max = settings.expiryMaxKeysPerRound();
    List<String> expired = deadlines.expired(now(), max, pending::has);
    for (String key : expired) {
      write(new Mutation.Remove(key), null, NO_ONE);
    }
    if (expired.size() == max) {
      getContext().getSelf().tell(ExpiryRound.INSTANCE);
    }
    return this;
  }

  /** Handles the expiry requests (in a batch too); returns false for any other request. */
  private boolean onExpiryRequest(Request request, Answer answer) {
    if (request instanceof Expire expire) {
      onExpire(expire, answer);
    } else if (request instanceof Persist persist) {
      onPersist(persist, answer);
    } else if (request instanceof Ttl ttl) {
      onTtl(ttl, answer);
    } else if (request instanceof GetAndExpire getEx) {
      onGetAndExpire(getEx, answer);
    } else {
      return false;
    }
    return true;
  }

  private Behavior<Command> onExpire(Expire expire, Answer answer) {
    hooks.beforeRequest();
    heartbeat.beatIfDue();
    String key = expire.key();
    KvException invalid = checkKey(key);
    long now = now();
    long deadline = -1;
    if (expire.deadline() instanceof Expiry.After after) {
      deadline = deadlineAfter(after.ttl(), now);
    } else if (expire.deadline() instanceof Expiry.At at) {
      deadline = Math.max(at.epochMillis(), 1); // at or before the epoch: in the past, deleted
    }
    if (invalid == null && deadline < 0) {
      invalid = new KvException.InvalidRequest("invalid expire time: " + expire.deadline()
          + " (an expire takes a TTL or an instant)");
    }
    if (invalid == null && expire.condition() == null) {
      invalid = new KvException.InvalidRequest("condition is missing");
    }
    if (invalid != null) {
      answer.tell(StatusReply.error(invalid));
      return this;
    }
    Optional<byte[]> value = effectiveValue(key);
    if (value.isEmpty() || !expire.condition().holds(effectiveDeadline(key), deadline)) {
      answer.tell(StatusReply.success(new DeadlineChanged(key, false)));
      return this;
    }
    if (deadline <= now) {
      return write(new Mutation.Remove(key), expire, answer);
    }
    return write(new Mutation.Expire(key, deadline), new Mutation.Put(key, value.get(), deadline), expire, answer);
  }

  private Behavior<Command> onPersist(Persist persist, Answer answer) {
    hooks.beforeRequest();
    heartbeat.beatIfDue();
    String key = persist.key();
    KvException invalid = checkKey(key);
    if (invalid != null) {
      answer.tell(StatusReply.error(invalid));
      return this;
    }
    Optional<byte[]> value = effectiveValue(key);
    if (value.isEmpty() || effectiveDeadline(key) == Mutation.NO_DEADLINE) {
      answer.tell(StatusReply.success(new DeadlineChanged(key, false)));
      return this;
    }
    return write(new Mutation.Expire(key, Mutation.NO_DEADLINE), new Mutation.Put(key, value.get()), persist,
        answer);
  }

  private Behavior<Command> onTtl(Ttl ttl, Answer answer) {
    hooks.beforeRequest();
    heartbeat.beatIfDue();
    KvException invalid = checkKey(ttl.key());
    if (invalid != null) {
      answer.tell(StatusReply.error(invalid));
      return this;
    }
    if (removeIfExpired(ttl.key())) {
      answer.tell(StatusReply.success(new TimeToLive(ttl.key(), false, 0, 0)));
      return this;
    }
    pending.read(ttl, ttl.key(), answer);
    return this;
  }

  private void answer(Ttl ttl, Answer answer) {
    long now = now();
    String key = ttl.key();
    long deadline = deadlines.of(key);
    TimeToLive reply;
    if (!map.containsKey(key) || (deadline != Mutation.NO_DEADLINE && deadline <= now)) {
      reply = new TimeToLive(key, false, 0, 0);
    } else if (deadline == Mutation.NO_DEADLINE) {
      reply = new TimeToLive(key, true, 0, 0);
    } else {
      reply = new TimeToLive(key, true, deadline, deadline - now);
    }
    answer.tell(StatusReply.success(reply));
  }

  private Behavior<Command> onGetAndExpire(GetAndExpire request, Answer answer) {
    String key = request.key();
    Expiry expiry = request.expiry();
    if (expiry instanceof Expiry.Keep || checkKey(key) != null) {
      return onGet(new Get(key, null), answer);
    }
    hooks.beforeRequest();
    heartbeat.beatIfDue();
    long now = now();
    long deadline = resolve(expiry, now, key);
    if (deadline < 0) {
      answer.tell(StatusReply.error(new KvException.InvalidRequest("invalid expire time in getex: " + expiry)));
      return this;
    }
    Optional<byte[]> value = effectiveValue(key);
    if (value.isEmpty() || deadline == effectiveDeadline(key)) {
      return onGet(new Get(key, null), answer); // nothing to change: a read
    }
    if (deadline != Mutation.NO_DEADLINE && deadline <= now) {
      return write(new Mutation.Remove(key), request, answer);
    }
    return write(new Mutation.Expire(key, deadline), new Mutation.Put(key, value.get(), deadline), request, answer);
  }

  private Behavior<Command> onClear(Clear clear) {
    hooks.beforeRequest();
    heartbeat.beatIfDue();
    if (writeFailure != null) {
      clear.reject(writeFailure);
      return this;
    }
    if (!watches.isEmpty()) {
      watches.touchedAll(key -> effectiveValue(key).isPresent());
    }
    long seq = nextSeq++;
    writer.tell(new FileWriter.Append(seq, new Mutation.Clear()));
    if (settings.durability() == Durability.ASYNC) {
      applyClear(clear); // every earlier write is applied already
      return this;
    }
    return clearing(clear, seq);
  }

  /**
   * Until the writer confirms the clear (record {@code seq}): the writes before it are confirmed
   * and applied as usual, every request is stashed, and then replayed in order on the cleared map.
   */
  private Behavior<Command> clearing(Clear clear, long seq) {
    return Behaviors.receive(Command.class)
        .onMessage(WrappedPersisted.class, w -> w.reply().writer().equals(writer), w -> {
          pending.confirm(w.reply().upToSeq());
          if (w.reply().upToSeq() < seq) {
            return Behaviors.same();
          }
          applyClear(clear);
          return stash.unstashAll(this);
        })
        .onMessage(WrappedPersistFailed.class, w -> w.reply().writer().equals(writer), w -> {
          onPersistFailed(w.reply());
          clear.reject(writeFailure);
          return stash.unstashAll(this); // each is refused with the write failure or answered
        })
        .onMessage(Request.class, request -> {
          if (stash.isFull()) {
            request.reject(new KvException.Unavailable("a clear is being written and " + stash.capacity()
                + " requests are already waiting; retry"));
          } else {
            stash.stash(request);
          }
          return Behaviors.same();
        })
        .onMessage(SyncDone.class, done -> {
          onSyncDone(done);
          return Behaviors.same();
        })
        .onMessage(WriterStopped.class, w -> w.writer().equals(writer), w -> {
          abandonClear(clear, new KvException.Unavailable("the file writer stopped before the clear was confirmed;"
              + " it may or may not have been applied, the store restarts, retry"));
          throw new IllegalStateException("file writer " + w.writer().path() + " stopped unexpectedly");
        })
        .onMessageEquals(Tick.INSTANCE, () -> {
          heartbeat.beatIfDue();
          return Behaviors.same();
        })
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped) // not async: unconfirmed work is refused
        .onAnyMessage(other -> Behaviors.same()) // late words of a replaced writer
        .onSignal(PostStop.class, s -> abandonClear(clear, stopped("the store was stopped")))
        .onSignal(PreRestart.class, s -> abandonClear(clear, stopped("the store was restarted")))
        .build();
  }

  private static KvException stopped(String why) {
    return new KvException.Unavailable(why + " before the clear was confirmed; it may or may not have been"
        + " applied, retry");
  }

  /** Refuses the clear, the writes before it and every request held back behind it. */
  private Behavior<Command> abandonClear(Clear clear, KvException error) {
    rejectPending(error);
    clear.reject(error);
    stash.forEach(c -> rejectIfRequest(c, error));
    stash.clear();
    return Behaviors.same();
  }

  private void applyClear(Clear clear) {
    long removed = map.size();
    map.clear();
    deadlines.clear();
    keys = KeySet.of(java.util.List.of());
    clear.replyTo().tell(StatusReply.success(new Cleared(removed)));
  }

  private Behavior<Command> onKeys(Keys request) {
    hooks.beforeRequest();
    heartbeat.beatIfDue();
    pending.list(request);
    return this;
  }

  private Behavior<Command> onAwaitReady(AwaitReady ready) {
    ready.replyTo().tell(StatusReply.success(new Ready(map.size())));
    return this;
  }

  private Behavior<Command> onSync(Sync sync) {
    if (writeFailure != null) {
      sync.reject(writeFailure);
    } else {
      getContext().askWithStatus(FileWriter.Synced.class, writer, settings.requestTimeout(), FileWriter.Sync::new,
          (synced, error) -> new SyncDone(sync, error));
    }
    return this;
  }

  private Behavior<Command> onSyncDone(SyncDone done) {
    if (done.error() == null) {
      done.request().replyTo().tell(StatusReply.success(Synced.INSTANCE));
    } else if (done.error() instanceof KvException error) {
      done.request().reject(error);
    } else {
      done.request().reject(new KvException.Unavailable("the sync did not finish within "
          + settings.requestTimeout().toMillis() + " ms (" + done.error().getMessage() + "); retry"));
    }
    return this;
  }

  private Behavior<Command> onPersisted(FileWriter.Persisted persisted) {
    if (!persisted.writer().equals(writer)) {
      return this;
    }
    pending.confirm(persisted.upToSeq());
    return this;
  }

  private Behavior<Command> onPersistFailed(FileWriter.PersistFailed failed) {
    if (!failed.writer().equals(writer)) {
      return this;
    }
    writeFailure = failed.error();
    rejectPending(writeFailure);
    return this;
  }

  private Behavior<Command> onStop() {
    if (settings.durability() != Durability.ASYNC || writeFailure != null) {
      return Behaviors.stopped(); // unconfirmed writes are refused with a retryable error
    }
    // async: the callers were answered already; let the writer write what is in its mailbox
    stopping = true;
    writer.tell(FileWriter.Stop.INSTANCE);
    return this;
  }

  private Behavior<Command> onWriterStopped(WriterStopped stopped) {
    if (stopping) {
      return Behaviors.stopped();
    }
    rejectPending(new KvException.Unavailable("the file writer stopped; the store restarts, retry"));
    throw new IllegalStateException("file writer " + stopped.writer().path() + " stopped unexpectedly");
  }

  private Behavior<Command> onTick() {
    heartbeat.beatIfDue();
    return this;
  }

  private Behavior<Command> onStopped(String why) {
    rejectPending(new KvException.Unavailable(why + " before the write was confirmed; it may or may not have"
        + " been applied, retry"));
    return this;
  }

  private void rejectPending(KvException error) {
    pending.rejectAll(error);
  }

  private KvException checkKey(String key) {
    return OpEvaluator.checkKey(key, settings.maxKeyBytes());
  }
}
