package dev.kvactors;

import static java.util.Objects.requireNonNull;

import dev.kvactors.internal.ActorKind;
import dev.kvactors.internal.FaultHooks;
import dev.kvactors.internal.FileWriter;
import dev.kvactors.internal.Futures;
import dev.kvactors.internal.HeartbeatSender;
import dev.kvactors.internal.Utf8;
import dev.kvactors.internal.storage.Mutation;
import dev.kvactors.internal.storage.RecordCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
   * request; answered with {@link Stored} once acknowledged under the durability mode.
   *
   * @param key the key to set
   * @param value the new value; the store copies it
   * @param condition when the set applies
   * @param replyTo who gets the answer or the error
   */
  public record Set(String key, byte[] value, Condition condition, ActorRef<StatusReply<Stored>> replyTo)
      implements Request {
    /**
     * Sets {@code key} to {@code value} unconditionally.
     *
     * @param key the key to set
     * @param value the new value; the store copies it
     * @param replyTo who gets the answer or the error
     */
    public Set(String key, byte[] value, ActorRef<StatusReply<Stored>> replyTo) {
      this(key, value, Condition.ALWAYS, replyTo);
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
    /** Copies the list. */
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
    /** Copies the list. */
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
    /** Checks the watcher. */
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

  /** The key set of the recovered map, built off the actor's thread. */
  private record Indexed(ActorRef<FileWriter.Command> writer, Map<String, byte[]> entries, KeySet keys,
      Throwable error) implements Command {}

  /**
   * A store with these settings that beats to {@code heartbeats}; the router spawns it with its
   * adapter. Applications send their requests to the router instead.
   */
  static Behavior<Command> create(KvSettings settings, ActorRef<HeartbeatSender.Beat> heartbeats,
      FaultHooks hooks) {
    return Behaviors.setup(ctx -> Behaviors.withStash(settings.stashCapacity(), stash ->
        Behaviors.withTimers(timers -> {
          timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.heartbeatInterval());
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
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .onMessage(WrappedRecovered.class, r -> r.reply().writer().equals(writer), r -> {
          // Indexing a million keys takes a second: not on this thread, which must keep beating.
          Map<String, byte[]> entries = r.reply().entries();
          ctx.pipeToSelf(CompletableFuture.supplyAsync(() -> KeySet.of(entries.keySet()),
                  Futures.listing(ctx.getSystem())),
              (keys, error) -> new Indexed(writer, entries, keys, error));
          return Behaviors.same();
        })
        .onMessage(Indexed.class, i -> i.writer().equals(writer), i -> {
          if (i.error() != null) {
            throw new IllegalStateException("indexing the recovered keys failed", i.error());
          }
          return stash.unstashAll(
              new KeyValueStore(ctx, settings, heartbeats, writer, i.entries(), i.keys(), hooks, stash));
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
  /** The keys of {@code map}: changed with it, handed out to listings. */
  private KeySet keys;
  private final PendingWrites pending = new PendingWrites(new PendingWrites.Settled() {
    @Override
    public void confirmed(Mutation mutation, Request request, Answer answer) {
      apply(mutation, request, answer);
    }

    @Override
    public void readable(Get get, Answer answer) {
      answer(get, answer);
    }

    @Override
    public void listable(Keys listing) {
      listing.replyTo().tell(StatusReply.success(keys));
    }
  });
  /** What connections watch for their next {@link Transaction}. */
  private final Watches watches = new Watches();
  private long nextSeq;
  private KvException writeFailure;
  private final HeartbeatSender heartbeat;
  private boolean stopping;

  private KeyValueStore(ActorContext<Command> ctx, KvSettings settings, ActorRef<HeartbeatSender.Beat> heartbeats,
      ActorRef<FileWriter.Command> writer, Map<String, byte[]> map, KeySet keys, FaultHooks hooks,
      StashBuffer<Command> stash) {
    super(ctx);
    this.stash = requireNonNull(stash, "stash is null");
    this.hooks = requireNonNull(hooks, "hooks is null");
    this.heartbeat = new HeartbeatSender(heartbeats, ActorKind.STORE, ctx.getSelf(), settings.heartbeatInterval());
    this.settings = requireNonNull(settings, "settings is null");
    this.writer = requireNonNull(writer, "writer is null");
    this.map = requireNonNull(map, "map is null");
    this.keys = requireNonNull(keys, "keys is null");
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Get.class, get -> onGet(get, direct(get.replyTo())))
        .onMessage(Set.class, set -> onSet(set, direct(set.replyTo())))
        .onMessage(Delete.class, delete -> onDelete(delete, direct(delete.replyTo())))
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
      } else {
        answer.tell(StatusReply.error(new KvException.InvalidRequest("a batch holds only Get, Set, Delete, Execute,"
            + " Transaction, Watch and Unwatch, not " + request.getClass().getSimpleName())));
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
    // A read waits for the unconfirmed writes of its key: it sees them, but never before they are
    // acknowledged (read-your-writes on a pipelined connection, and nothing a crash could take back).
    pending.read(get, answer);
    return this;
  }

  private void answer(Get get, Answer answer) {
    answer.tell(StatusReply.success(new Value(get.key(), Optional.ofNullable(map.get(get.key())))));
  }

  /** The value of {@code key} once every write taken so far is applied. */
  private Optional<byte[]> effectiveValue(String key) {
    Optional<Mutation> latest = pending.latest(key);
    if (latest.isEmpty()) {
      return Optional.ofNullable(map.get(key));
    }
    return latest.get() instanceof Mutation.Put put ? Optional.of(put.value()) : Optional.empty();
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
    return write(new Mutation.Put(set.key(), set.value().clone()), set, answer);
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
    if (writeFailure != null) {
      answer.tell(StatusReply.error(writeFailure));
      return this;
    }
    if (!watches.isEmpty()) {
      mutation.changes().forEach(change -> watches.touched(change.key()));
    }
    long seq = nextSeq++;
    writer.tell(new FileWriter.Append(seq, mutation));
    if (settings.durability() == Durability.ASYNC) {
      apply(mutation, request, answer);
    } else {
      pending.add(seq, mutation, request, answer);
    }
    return this;
  }

  private void apply(Mutation mutation, Request request, Answer answer) {
    byte[] before = null;
    List<Mutation> changes = mutation.changes();
    for (int i = 0; i < changes.size(); i++) {
      Mutation change = changes.get(i);
      byte[] was = map.get(change.key());
      if (i == 0) {
        before = was;
      }
      change.applyTo(map);
      if (was == null && change instanceof Mutation.Put) {
        keys = keys.with(change.key());
      } else if (was != null && change instanceof Mutation.Remove) {
        keys = keys.without(change.key());
      }
    }
    if (answer instanceof Prepared prepared) {
      prepared.deliver();
    } else if (request instanceof Set set) {
      answer.tell(StatusReply.success(new Stored(set.key(), true, Optional.ofNullable(before))));
    } else if (request instanceof Delete delete) {
      answer.tell(StatusReply.success(new Deleted(delete.key(), before != null)));
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
    if (tx.watcher() != null && !watches.release(tx.watcher().id())) {
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
    return new OpEvaluator(this::effectiveValue, this::checkKey, settings.maxValueBytes());
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
    watches.watch(watch.watcher().id(), watch.keys());
    answer.tell(StatusReply.success(Done.INSTANCE));
    return this;
  }

  private Behavior<Command> onUnwatch(Unwatch unwatch, Answer answer) {
    watches.unwatch(unwatch.watcher().id());
    answer.tell(StatusReply.success(Done.INSTANCE));
    return this;
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
    if (key == null || key.isEmpty()) {
      return new KvException.InvalidRequest("key must not be empty");
    }
    int bytes = Utf8.length(key);
    if (bytes < 0) {
      return new KvException.InvalidRequest("key is not valid Unicode (unpaired surrogate)");
    }
    if (bytes > settings.maxKeyBytes()) {
      return new KvException.InvalidRequest("key of " + bytes + " bytes is longer than " + settings.maxKeyBytes()
          + " bytes (kv.max-key-bytes)");
    }
    return null;
  }
}
