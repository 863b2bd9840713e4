package dev.kvactors;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.kvactors.internal.Futures;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;
import org.slf4j.LoggerFactory;

/**
 * The store for code that is not an actor. {@link #open} starts an actor system on a data
 * directory and returns once the directory has been recovered (or throws the reason it could not
 * be); {@link #attach} uses the store of a system the application already runs. Every operation
 * completes with its answer or fails with a {@link KvException}.
 *
 * <p>Two ways to call it, with the same method names:
 * <ul>
 *   <li>asynchronous, for servers and actors: {@code store.set(key, value)} returns a
 *       {@link CompletionStage}. It fails with the {@link KvException} itself; a stage derived
 *       from it ({@code thenCompose}, ...) fails with a {@link CompletionException} around it.
 *   <li>blocking, for scripts and tests: {@code store.blocking().set(key, value)} returns the
 *       answer or throws the {@link KvException} as is (no {@code CompletionException}), and waits
 *       at most {@code kv.request-timeout}, as RocksDB's {@code put}/{@code get}. See
 *       {@link Blocking} for why it is named so.
 * </ul>
 *
 * <pre>{@code
 * try (KvStore store = KvStore.open(ConfigFactory.load())) {
 *   store.blocking().set("greeting", "hello");
 *   Optional<String> greeting = store.blocking().getString("greeting");
 * } catch (KvException e) {
 *   System.err.println("kv: " + e.getMessage());
 * }
 * }</pre>
 *
 * <p>{@code get}, {@code set} and {@code delete} go to the store with one long-lived reply-to per
 * {@code KvStore} and a correlation id ({@link Correlator}), not one temporary ask actor per call;
 * their stages complete on the thread of that reply actor ({@code kv.dispatcher}): a non-async
 * continuation ({@code thenApply}, {@code thenAccept}) runs there and delays the answers of every
 * other call of this {@code KvStore} while it runs; attach slow work with the {@code ...Async}
 * variants. {@link #keys} completes on {@code kv.listing-dispatcher}.
 */
public final class KvStore implements AutoCloseable {
  private final ActorSystem<?> system;
  private final ActorRef<Router.Command> router;
  private final KvSettings settings;
  private final boolean ownsSystem;
  private final Executor listing;
  private final Correlator correlator;
  private final Blocking blocking = new Blocking();

  private KvStore(ActorSystem<?> system, KvSettings settings, boolean ownsSystem) {
    this.system = requireNonNull(system, "system is null");
    this.settings = requireNonNull(settings, "settings is null");
    this.router = KvExtension.get(system).router();
    this.ownsSystem = ownsSystem;
    this.listing = Futures.listing(system);
    this.correlator = new Correlator(system, router, settings.requestTimeout());
  }

  /**
   * Opens the store described by {@code config}'s {@code kv} section, in an actor system of its
   * own, and waits until its data directory has been recovered.
   *
   * @param config the configuration; {@code kv.data-dir} names the data directory
   * @return the open store; close it to release the directory
   * @throws KvException.DataDirLocked if another process or store holds the data directory
   * @throws KvException.RecoveryFailed if the data directory is damaged or unreadable
   * @throws KvException if the configuration is invalid
   */
  public static KvStore open(Config config) {
    KvSettings settings;
    try {
      settings = KvSettings.create(config);
    } catch (ConfigException | IllegalArgumentException e) {
      throw new KvException("invalid configuration: " + e.getMessage(), false, e);
    }
    // Start SLF4J on this thread first: otherwise the store's actors, which log through SLF4J on
    // several dispatcher threads at once, start it concurrently and SLF4J prints its replay warning.
    LoggerFactory.getILoggerFactory();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "kv", config);
    KvStore store = new KvStore(system, settings, true);
    try {
      store.awaitReady();
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    return store;
  }

  /**
   * Opens a store with these settings and the rest of the configuration from the classpath.
   *
   * @param settings the store's settings
   * @return the open store; close it to release the directory
   * @throws KvException.RecoveryFailed if the data directory is locked, damaged or unreadable
   */
  public static KvStore open(KvSettings settings) {
    return open(settings.toConfig().withFallback(ConfigFactory.load()));
  }

  /**
   * The store of an application's own actor system, through {@link KvExtension}; waits until its
   * data directory has been recovered. {@link #close} leaves the system running.
   *
   * @param system the application's actor system
   * @return the store
   * @throws KvException.RecoveryFailed if the data directory is locked, damaged or unreadable
   */
  public static KvStore attach(ActorSystem<?> system) {
    KvStore store = new KvStore(system, KvExtension.get(system).settings(), false);
    store.awaitReady();
    return store;
  }

  private void awaitReady() {
    await(ask(KeyValueStore.AwaitReady::new, settings.recoveryTimeout()), settings.recoveryTimeout());
  }

  /**
   * The blocking calls of this store, for scripts and tests.
   *
   * @return the same {@link Blocking} view on every call
   */
  public Blocking blocking() {
    return blocking;
  }

  /**
   * Reads {@code key}. A caller sees its own acknowledged writes.
   *
   * @param key the key
   * @return a stage with the value (a copy), or empty if the key has none
   */
  public CompletionStage<Optional<byte[]>> get(String key) {
    return correlator.<KeyValueStore.Value>callOne(new KeyValueStore.Get(key, null), settings.requestTimeout())
        .thenApply(v -> v.value().map(byte[]::clone));
  }

  /**
   * Reads {@code key} as UTF-8 text.
   *
   * @param key the key
   * @return a stage with the value as text, or empty if the key has none
   */
  public CompletionStage<Optional<String>> getString(String key) {
    return get(key).thenApply(v -> v.map(bytes -> new String(bytes, StandardCharsets.UTF_8)));
  }

  /**
   * Sets {@code key} to {@code value}.
   *
   * @param key the key
   * @param value the value; the store copies it
   * @return a stage that completes when the write is acknowledged under the configured durability mode
   */
  public CompletionStage<Void> set(String key, byte[] value) {
    return correlator.<KeyValueStore.Stored>callOne(new KeyValueStore.Set(key, value, null),
            settings.requestTimeout())
        .thenApply(stored -> null);
  }

  /**
   * Sets {@code key} to the UTF-8 bytes of {@code value}.
   *
   * @param key the key
   * @param value the value, stored as UTF-8
   * @return a stage that completes when the write is acknowledged under the configured durability mode
   */
  public CompletionStage<Void> set(String key, String value) {
    return set(key, value.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Sets {@code key} only if {@code condition} holds when the store takes the request.
   *
   * @param key the key
   * @param value the value; the store copies it
   * @param condition when the set applies
   * @return a stage with whether it was applied, once acknowledged
   */
  public CompletionStage<Boolean> set(String key, byte[] value, KeyValueStore.Condition condition) {
    return correlator.<KeyValueStore.Stored>callOne(new KeyValueStore.Set(key, value, condition, null),
            settings.requestTimeout())
        .thenApply(KeyValueStore.Stored::applied);
  }

  /**
   * Sets {@code key} to {@code value} with a time to live: the key expires {@code ttl} after the
   * store takes the request (Redis {@code SET key value PX ms}). Expired keys are never returned.
   *
   * @param key the key
   * @param value the value; the store copies it
   * @param ttl the time to live; must be positive
   * @return a stage that completes when the write is acknowledged under the configured durability mode
   */
  public CompletionStage<Void> set(String key, byte[] value, Duration ttl) {
    return setWith(key, value, KeyValueStore.Expiry.after(ttl));
  }

  /**
   * Sets {@code key} to the UTF-8 bytes of {@code value} with a time to live, as
   * {@link #set(String, byte[], Duration)}.
   *
   * @param key the key
   * @param value the value, stored as UTF-8
   * @param ttl the time to live; must be positive
   * @return a stage that completes when the write is acknowledged
   */
  public CompletionStage<Void> set(String key, String value, Duration ttl) {
    return set(key, value.getBytes(StandardCharsets.UTF_8), ttl);
  }

  /**
   * Sets {@code key} to {@code value} until {@code deadline} (wall-clock time; Redis
   * {@code SET key value PXAT ms}). A deadline already past sets and removes the key at once.
   *
   * @param key the key
   * @param value the value; the store copies it
   * @param deadline when the key expires, to the millisecond; after the epoch
   * @return a stage that completes when the write is acknowledged
   */
  public CompletionStage<Void> set(String key, byte[] value, Instant deadline) {
    return setWith(key, value, KeyValueStore.Expiry.at(deadline));
  }

  /**
   * Sets {@code key} to the UTF-8 bytes of {@code value} until {@code deadline}, as
   * {@link #set(String, byte[], Instant)}.
   *
   * @param key the key
   * @param value the value, stored as UTF-8
   * @param deadline when the key expires; after the epoch
   * @return a stage that completes when the write is acknowledged
   */
  public CompletionStage<Void> set(String key, String value, Instant deadline) {
    return set(key, value.getBytes(StandardCharsets.UTF_8), deadline);
  }

  private CompletionStage<Void> setWith(String key, byte[] value, KeyValueStore.Expiry expiry) {
    return correlator.<KeyValueStore.Stored>callOne(
            new KeyValueStore.Set(key, value, KeyValueStore.Condition.ALWAYS, expiry, null), settings.requestTimeout())
        .thenApply(stored -> null);
  }

  /**
   * Gives {@code key} a time to live (Redis {@code PEXPIRE}); a TTL of zero or less deletes it.
   *
   * @param key the key
   * @param ttl the time to live from when the store takes the request
   * @return a stage with whether the key had a value (and so now has the deadline, or was deleted)
   */
  public CompletionStage<Boolean> expire(String key, Duration ttl) {
    return expire(key, ttl, KeyValueStore.ExpireCondition.ALWAYS);
  }

  /**
   * Gives {@code key} a time to live if {@code condition} holds (Redis {@code PEXPIRE} with
   * {@code NX}, {@code XX}, {@code GT} or {@code LT}).
   *
   * @param key the key
   * @param ttl the time to live from when the store takes the request; zero or less deletes the key
   * @param condition when the deadline is changed
   * @return a stage with whether the deadline was changed (or the key deleted)
   */
  public CompletionStage<Boolean> expire(String key, Duration ttl, KeyValueStore.ExpireCondition condition) {
    return expireWith(key, KeyValueStore.Expiry.after(ttl), condition);
  }

  /**
   * Gives {@code key} a deadline (Redis {@code PEXPIREAT}); one at or before now deletes it.
   *
   * @param key the key
   * @param deadline when the key expires (wall-clock time)
   * @return a stage with whether the key had a value (and so now has the deadline, or was deleted)
   */
  public CompletionStage<Boolean> expireAt(String key, Instant deadline) {
    return expireAt(key, deadline, KeyValueStore.ExpireCondition.ALWAYS);
  }

  /**
   * Gives {@code key} a deadline if {@code condition} holds.
   *
   * @param key the key
   * @param deadline when the key expires (wall-clock time); at or before now deletes the key
   * @param condition when the deadline is changed
   * @return a stage with whether the deadline was changed (or the key deleted)
   */
  public CompletionStage<Boolean> expireAt(String key, Instant deadline, KeyValueStore.ExpireCondition condition) {
    return expireWith(key, KeyValueStore.Expiry.at(deadline), condition);
  }

  private CompletionStage<Boolean> expireWith(String key, KeyValueStore.Expiry deadline,
      KeyValueStore.ExpireCondition condition) {
    return correlator.<KeyValueStore.DeadlineChanged>callOne(
            new KeyValueStore.Expire(key, deadline, condition, null), settings.requestTimeout())
        .thenApply(KeyValueStore.DeadlineChanged::changed);
  }

  /**
   * Removes the deadline of {@code key} (Redis {@code PERSIST}).
   *
   * @param key the key
   * @return a stage with whether the key had a value and a deadline
   */
  public CompletionStage<Boolean> persist(String key) {
    return correlator.<KeyValueStore.DeadlineChanged>callOne(new KeyValueStore.Persist(key, null),
            settings.requestTimeout())
        .thenApply(KeyValueStore.DeadlineChanged::changed);
  }

  /**
   * The deadline of {@code key} and the time left until it: {@link KeyValueStore.TimeToLive#exists()}
   * false if the key has no value (Redis's -2), {@link KeyValueStore.TimeToLive#remaining()} empty if
   * it has no deadline (-1).
   *
   * @param key the key
   * @return a stage with the key's time to live
   */
  public CompletionStage<KeyValueStore.TimeToLive> ttl(String key) {
    return correlator.callOne(new KeyValueStore.Ttl(key, null), settings.requestTimeout());
  }

  /**
   * Deletes {@code key}.
   *
   * @param key the key
   * @return a stage with whether the key existed, once the delete is acknowledged
   */
  public CompletionStage<Boolean> delete(String key) {
    return correlator.<KeyValueStore.Deleted>callOne(new KeyValueStore.Delete(key, null), settings.requestTimeout())
        .thenApply(KeyValueStore.Deleted::existed);
  }

  /**
   * Evaluates one {@link Op} atomically in the store and answers with its result once what it
   * changed is acknowledged (see {@link KeyValueStore.Execute}).
   *
   * @param <R> the op's answer type
   * @param op the operation
   * @return a stage with the op's answer, failed with its {@link KvException} (for example
   *     {@link KvException.OperationFailed})
   */
  public <R> CompletionStage<R> execute(Op<R> op) {
    return correlator.<R>callOne(new KeyValueStore.Execute<>(op, null), settings.requestTimeout());
  }

  /**
   * Adds {@code by} to the integer at {@code key} (a missing key counts as 0), as Redis {@code INCRBY}.
   *
   * @param key the key
   * @param by the increment, negative to decrement
   * @return a stage with the new value; failed with {@link KvException.OperationFailed} if the value
   *     is not an integer ({@code NOT_AN_INTEGER}) or the result overflows ({@code OVERFLOW})
   */
  public CompletionStage<Long> increment(String key, long by) {
    return execute(new Op.Increment(key, by));
  }

  /**
   * Adds {@code by} to the number at {@code key} (a missing key counts as 0), as Redis
   * {@code INCRBYFLOAT}: with its precision and formatting, so 10.5 plus 0.1 stores {@code 10.6}.
   *
   * @param key the key
   * @param by the increment, finite
   * @return a stage with the new value as stored; failed with {@link KvException.OperationFailed}
   *     if the value is not a number ({@code NOT_A_FLOAT}) or the result is infinite
   *     ({@code NAN_OR_INFINITY})
   */
  public CompletionStage<String> incrementFloat(String key, double by) {
    if (!Double.isFinite(by)) {
      return CompletableFuture.failedFuture(
          new KvException.OperationFailed(KvException.OperationFailed.Reason.NAN_OR_INFINITY));
    }
    return execute(new Op.IncrementFloat(key, java.math.BigDecimal.valueOf(by).toString()));
  }

  /**
   * Appends {@code bytes} to the value of {@code key}, creating it if missing, as Redis {@code APPEND}.
   *
   * @param key the key
   * @param bytes what to append
   * @return a stage with the new length; failed with {@link KvException.OperationFailed}
   *     ({@code VALUE_TOO_LARGE}) past {@code kv.max-value-bytes}
   */
  public CompletionStage<Long> append(String key, byte[] bytes) {
    return execute(new Op.Append(key, bytes));
  }

  /**
   * Overwrites the value of {@code key} from {@code offset} on, zero-padded, as Redis {@code SETRANGE}.
   *
   * @param key the key
   * @param offset where to write, at least 0
   * @param bytes what to write
   * @return a stage with the new length; failed with {@link KvException.OperationFailed}
   *     ({@code VALUE_TOO_LARGE}) past {@code kv.max-value-bytes}
   */
  public CompletionStage<Long> setRange(String key, long offset, byte[] bytes) {
    return execute(new Op.SetRange(key, offset, bytes));
  }

  /**
   * Sets {@code key} to {@code value} and answers with the value it had, as Redis {@code GETSET}.
   *
   * @param key the key
   * @param value the new value; the store copies it
   * @return a stage with the previous value (a copy), or empty if there was none
   */
  public CompletionStage<Optional<byte[]>> getAndSet(String key, byte[] value) {
    return execute(new Op.GetAndSet(key, value)).thenApply(v -> v.value().map(byte[]::clone));
  }

  /**
   * Deletes {@code key} and answers with the value it had, as Redis {@code GETDEL}.
   *
   * @param key the key
   * @return a stage with the value it had (a copy), or empty if there was none
   */
  public CompletionStage<Optional<byte[]>> getAndDelete(String key) {
    return execute(new Op.GetAndDelete(key)).thenApply(v -> v.value().map(byte[]::clone));
  }

  /**
   * Moves the value of {@code from} to {@code to}, replacing what {@code to} held, as Redis
   * {@code RENAME}; one record, so a crash keeps both halves or neither.
   *
   * @param from the key to move
   * @param to the new key
   * @return a stage that completes once acknowledged; failed with {@link KvException.OperationFailed}
   *     ({@code NO_SUCH_KEY}) if {@code from} has no value
   */
  public CompletionStage<Void> rename(String from, String to) {
    return execute(new Op.Rename(from, to, false)).thenApply(moved -> null);
  }

  /**
   * Moves the value of {@code from} to {@code to} only if {@code to} has no value, as Redis
   * {@code RENAMENX}.
   *
   * @param from the key to move
   * @param to the new key
   * @return a stage with whether it moved; failed with {@link KvException.OperationFailed}
   *     ({@code NO_SUCH_KEY}) if {@code from} has no value
   */
  public CompletionStage<Boolean> renameIfAbsent(String from, String to) {
    return execute(new Op.Rename(from, to, true));
  }

  /**
   * Copies the value of {@code from} to {@code to}, as Redis {@code COPY}.
   *
   * @param from the key to copy
   * @param to the key to copy to
   * @param replace whether to replace a value {@code to} already has
   * @return a stage with whether it copied (false if {@code from} has no value, or {@code to} has
   *     one and {@code replace} is false); failed with {@link KvException.OperationFailed}
   *     ({@code SAME_OBJECT}) if both are the same key
   */
  public CompletionStage<Boolean> copy(String from, String to, boolean replace) {
    return execute(new Op.Copy(from, to, replace));
  }

  /**
   * Sets every key of {@code entries} to its value atomically, as Redis {@code MSET}: one log
   * record, so a crash keeps all of them or none, and no reader sees some set and others not.
   *
   * @param entries the keys and values, in iteration order (a later duplicate key wins); the store
   *     copies the values
   * @return a stage that completes once all are acknowledged
   */
  public CompletionStage<Void> setAll(java.util.Map<String, byte[]> entries) {
    List<java.util.Map.Entry<String, byte[]>> list = new java.util.ArrayList<>(entries.size());
    entries.forEach((key, value) -> list.add(java.util.Map.entry(key, value)));
    return execute(new Op.SetAll(list)).thenApply(done -> null);
  }

  /**
   * Starts a transaction: add operations to it, optionally {@link Transaction#watch watch} keys
   * first, then {@link Transaction#commit commit} it.
   *
   * <pre>{@code
   * List<Object> results = store.transaction()
   *     .set("a", "1").increment("counter", 1).delete("old")
   *     .commit().toCompletableFuture().join();   // [Stored[...], 1L, Deleted[...]]
   * }</pre>
   *
   * @return a new, empty transaction of this store
   */
  public Transaction transaction() {
    return new Transaction();
  }

  /**
   * Operations applied together, atomically and as one log record (see
   * {@link KeyValueStore.Transaction}): no other request runs in between, and a crash keeps all of
   * them or none. An operation that fails at run time (an increment of a value that is not an
   * integer) puts its {@link KvException} in its place of the results and changes nothing; the
   * others still apply, as in Redis's {@code EXEC}. Not thread-safe: one thread builds and commits it.
   *
   * <p>Optimistic locking, as Redis's {@code WATCH}: {@link #watch} keys, read them, add operations
   * computed from what was read, and commit; if any watched key was changed by anyone in between,
   * the commit applies nothing and fails with {@link KvException.TransactionAborted} (retry from the
   * watch).
   */
  public final class Transaction {
    private final List<Op<?>> ops = new java.util.ArrayList<>();
    private KeyValueStore.Watcher watcher;
    private boolean done;

    private Transaction() {}

    /**
     * Watches {@code keys}: the commit fails with {@link KvException.TransactionAborted} if any of
     * them changes before it.
     *
     * @param keys the keys to watch
     * @return a stage with this transaction, once the store watches them
     */
    public CompletionStage<Transaction> watch(String... keys) {
      if (watcher == null) {
        watcher = KeyValueStore.Watcher.next();
      }
      return correlator.<KeyValueStore.Done>callOne(new KeyValueStore.Watch(watcher, List.of(keys), null),
          settings.requestTimeout()).thenApply(done -> this);
    }

    /**
     * Adds any operation.
     *
     * @param op the operation
     * @return this transaction
     */
    public Transaction add(Op<?> op) {
      if (done) {
        throw new IllegalStateException("this transaction was committed already");
      }
      ops.add(requireNonNull(op, "op is null"));
      return this;
    }

    /**
     * Adds a read of {@code key}; its result is a {@link KeyValueStore.Value}.
     *
     * @param key the key
     * @return this transaction
     */
    public Transaction get(String key) {
      return add(new Op.Get(key));
    }

    /**
     * Adds a set; its result is a {@link KeyValueStore.Stored}.
     *
     * @param key the key
     * @param value the value; the store copies it
     * @return this transaction
     */
    public Transaction set(String key, byte[] value) {
      return add(new Op.Set(key, value));
    }

    /**
     * Adds a set of UTF-8 text; its result is a {@link KeyValueStore.Stored}.
     *
     * @param key the key
     * @param value the value, stored as UTF-8
     * @return this transaction
     */
    public Transaction set(String key, String value) {
      return set(key, value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Adds a delete; its result is a {@link KeyValueStore.Deleted}.
     *
     * @param key the key
     * @return this transaction
     */
    public Transaction delete(String key) {
      return add(new Op.Delete(key));
    }

    /**
     * Adds an increment ({@link KvStore#increment}); its result is the new value, a {@link Long}.
     *
     * @param key the key
     * @param by the increment
     * @return this transaction
     */
    public Transaction increment(String key, long by) {
      return add(new Op.Increment(key, by));
    }

    /**
     * Adds a float increment ({@link KvStore#incrementFloat}); its result is the new value, a {@link String}.
     *
     * @param key the key
     * @param by the increment, finite
     * @return this transaction
     */
    public Transaction incrementFloat(String key, double by) {
      return add(new Op.IncrementFloat(key, Double.isFinite(by) ? java.math.BigDecimal.valueOf(by).toString()
          : Double.toString(by)));
    }

    /**
     * Adds an append ({@link KvStore#append}); its result is the new length, a {@link Long}.
     *
     * @param key the key
     * @param bytes what to append
     * @return this transaction
     */
    public Transaction append(String key, byte[] bytes) {
      return add(new Op.Append(key, bytes));
    }

    /**
     * Adds a rename ({@link KvStore#rename}); its result is {@link Boolean#TRUE}.
     *
     * @param from the key to move
     * @param to the new key
     * @return this transaction
     */
    public Transaction rename(String from, String to) {
      return add(new Op.Rename(from, to, false));
    }

    /**
     * Applies the operations, in order, as one unit.
     *
     * @return a stage with one result per operation, in order: the operation's answer (see each
     *     method), or, for an operation that failed at run time, its {@link KvException}. It fails
     *     with {@link KvException.TransactionAborted} if a watched key changed (nothing applied),
     *     or with the {@link KvException} that refused the transaction as a whole.
     */
    public CompletionStage<List<Object>> commit() {
      if (done) {
        throw new IllegalStateException("this transaction was committed already");
      }
      done = true;
      return correlator.<KeyValueStore.Executed>callOne(new KeyValueStore.Transaction(ops, watcher, null),
              settings.requestTimeout())
          .thenApply(executed -> {
            if (executed.aborted()) {
              throw new KvException.TransactionAborted();
            }
            List<Object> results = new java.util.ArrayList<>(executed.results().size());
            for (StatusReply<?> reply : executed.results()) {
              results.add(reply.isSuccess() ? copyOf(reply.getValue()) : reply.getError());
            }
            return results;
          });
    }

    /**
     * Applies nothing and forgets the watched keys (Redis {@code DISCARD}).
     *
     * @return a stage that completes once the store has forgotten them
     */
    public CompletionStage<Void> discard() {
      done = true;
      if (watcher == null) {
        return CompletableFuture.completedFuture(null);
      }
      return correlator.<KeyValueStore.Done>callOne(new KeyValueStore.Unwatch(watcher, null), settings.requestTimeout())
          .thenApply(d -> null);
    }
  }

  /** The store's own arrays never reach a caller. */
  private static Object copyOf(Object answer) {
    if (answer instanceof KeyValueStore.Value v) {
      return new KeyValueStore.Value(v.key(), v.value().map(byte[]::clone));
    }
    if (answer instanceof KeyValueStore.Stored st) {
      return new KeyValueStore.Stored(st.key(), st.applied(), st.previous().map(byte[]::clone));
    }
    return answer;
  }

  /**
   * Removes every key, as Redis {@code FLUSHDB}. Requests sent after it see the store empty, except
   * for their own later writes.
   *
   * @return a stage with the number of keys removed, once the clear is acknowledged
   */
  public CompletionStage<Long> clear() {
    return ask((ActorRef<StatusReply<KeyValueStore.Cleared>> r) -> new KeyValueStore.Clear(r),
        settings.requestTimeout())
        .thenApply(KeyValueStore.Cleared::keysRemoved);
  }

  /**
   * The keys that start with {@code prefix}, sorted; they include every write this caller saw
   * acknowledged before calling. The store hands out its immutable key set at once; the filtering
   * and sorting (O(n) and O(m log m) for n keys and m matches) run on {@code kv.listing-dispatcher},
   * never on the store's thread, and the stage completes there.
   *
   * @param prefix the prefix; the empty string lists every key
   * @return a stage with the sorted keys
   */
  public CompletionStage<List<String>> keys(String prefix) {
    return ask((ActorRef<StatusReply<KeySet>> r) -> new KeyValueStore.Keys(r), settings.requestTimeout())
        .thenApplyAsync(keys -> keys.sorted(prefix), listing);
  }

  /**
   * The settings this store runs with.
   *
   * @return the settings
   */
  public KvSettings settings() {
    return settings;
  }

  /**
   * The store's router, to send it {@link KeyValueStore.Request}s from an actor.
   *
   * @return the router
   */
  public ActorRef<Router.Command> router() {
    return router;
  }

  /**
   * Stops the store: pending records are written and synced, the lock is released, and the actor
   * system this store created is terminated. Idempotent.
   *
   * @throws KvException.Unavailable if the system did not terminate within 60 s
   */
  @Override
  public void close() {
    correlator.close();
    if (!ownsSystem) {
      return;
    }
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      throw new KvException.Unavailable("the store did not shut down within 60 s");
    }
  }

  /**
   * Waits for a stage of this API and returns its value, throwing its {@link KvException} as is.
   *
   * @param <T> the stage's value type
   * @param stage a stage of this API, or one derived from it
   * @param timeout how long to wait (one second of grace is added, so the stage's own timeout
   *     error comes first)
   * @return the stage's value
   * @throws KvException the stage's error, unwrapped; {@link KvException.Unavailable} on timeout
   *     or interrupt
   */
  public static <T> T await(CompletionStage<T> stage, Duration timeout) {
    try {
      return stage.toCompletableFuture().get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KvException.Unavailable("interrupted while waiting for the store");
    } catch (ExecutionException e) {
      throw toKvException(e.getCause(), timeout);
    } catch (TimeoutException e) {
      throw toKvException(e, timeout);
    }
  }

  private <T> T awaitRequest(CompletionStage<T> stage) {
    return await(stage, settings.requestTimeout());
  }

  /**
   * The blocking calls of a {@link KvStore}: the same names as its asynchronous methods, returning
   * the answer instead of a stage. Each call waits at most {@code kv.request-timeout} (the bound
   * of the request itself) and throws the {@link KvException} as is, never a
   * {@link CompletionException}, like RocksDB's {@code put}/{@code get}. Not for an actor's thread:
   * an actor uses the asynchronous methods, or sends {@link KeyValueStore.Request}s to the router.
   *
   * <p>Why {@code store.blocking().set(...)} and not {@code store.sync().set(...)} (Lettuce's
   * name) or {@code setNow}: in this store "sync" already means forcing the log to the device
   * ({@link KeyValueStore.Sync}, {@link Durability}), and {@code getNow} is
   * {@link java.util.concurrent.CompletableFuture#getNow}'s name for "without waiting", the
   * opposite of what these calls do. The word says what the call does to the caller's thread.
   */
  public final class Blocking {
    private Blocking() {}

    /**
     * Reads {@code key}.
     *
     * @param key the key
     * @return the value (a copy), or empty if the key has none
     * @throws KvException if the store refuses or does not answer in time
     */
    public Optional<byte[]> get(String key) {
      return awaitRequest(KvStore.this.get(key));
    }

    /**
     * Reads {@code key} as UTF-8 text.
     *
     * @param key the key
     * @return the value as text, or empty if the key has none
     * @throws KvException if the store refuses or does not answer in time
     */
    public Optional<String> getString(String key) {
      return awaitRequest(KvStore.this.getString(key));
    }

    /**
     * Sets {@code key} to {@code value} and returns once the write is acknowledged.
     *
     * @param key the key
     * @param value the value; the store copies it
     * @throws KvException if the store refuses or does not answer in time
     */
    public void set(String key, byte[] value) {
      awaitRequest(KvStore.this.set(key, value));
    }

    /**
     * Sets {@code key} to the UTF-8 bytes of {@code value} and returns once the write is acknowledged.
     *
     * @param key the key
     * @param value the value, stored as UTF-8
     * @throws KvException if the store refuses or does not answer in time
     */
    public void set(String key, String value) {
      awaitRequest(KvStore.this.set(key, value));
    }

    /**
     * Sets {@code key} only if {@code condition} holds when the store takes the request.
     *
     * @param key the key
     * @param value the value; the store copies it
     * @param condition when the set applies
     * @return whether it was applied, once acknowledged
     * @throws KvException if the store refuses or does not answer in time
     */
    public boolean set(String key, byte[] value, KeyValueStore.Condition condition) {
      return awaitRequest(KvStore.this.set(key, value, condition));
    }

    /**
     * Sets {@code key} to {@code value} with a time to live, as {@link KvStore#set(String, byte[], Duration)}.
     *
     * @param key the key
     * @param value the value; the store copies it
     * @param ttl the time to live; must be positive
     * @throws KvException if the store refuses or does not answer in time
     */
    public void set(String key, byte[] value, Duration ttl) {
      awaitRequest(KvStore.this.set(key, value, ttl));
    }

    /**
     * Sets {@code key} to the UTF-8 bytes of {@code value} with a time to live.
     *
     * @param key the key
     * @param value the value, stored as UTF-8
     * @param ttl the time to live; must be positive
     * @throws KvException if the store refuses or does not answer in time
     */
    public void set(String key, String value, Duration ttl) {
      awaitRequest(KvStore.this.set(key, value, ttl));
    }

    /**
     * Sets {@code key} to {@code value} until {@code deadline}, as {@link KvStore#set(String, byte[], Instant)}.
     *
     * @param key the key
     * @param value the value; the store copies it
     * @param deadline when the key expires
     * @throws KvException if the store refuses or does not answer in time
     */
    public void set(String key, byte[] value, Instant deadline) {
      awaitRequest(KvStore.this.set(key, value, deadline));
    }

    /**
     * Sets {@code key} to the UTF-8 bytes of {@code value} until {@code deadline}.
     *
     * @param key the key
     * @param value the value, stored as UTF-8
     * @param deadline when the key expires
     * @throws KvException if the store refuses or does not answer in time
     */
    public void set(String key, String value, Instant deadline) {
      awaitRequest(KvStore.this.set(key, value, deadline));
    }

    /**
     * Gives {@code key} a time to live, as {@link KvStore#expire(String, Duration)}.
     *
     * @param key the key
     * @param ttl the time to live; zero or less deletes the key
     * @return whether the key had a value
     * @throws KvException if the store refuses or does not answer in time
     */
    public boolean expire(String key, Duration ttl) {
      return awaitRequest(KvStore.this.expire(key, ttl));
    }

    /**
     * Gives {@code key} a time to live if {@code condition} holds.
     *
     * @param key the key
     * @param ttl the time to live; zero or less deletes the key
     * @param condition when the deadline is changed
     * @return whether the deadline was changed (or the key deleted)
     * @throws KvException if the store refuses or does not answer in time
     */
    public boolean expire(String key, Duration ttl, KeyValueStore.ExpireCondition condition) {
      return awaitRequest(KvStore.this.expire(key, ttl, condition));
    }

    /**
     * Gives {@code key} a deadline, as {@link KvStore#expireAt(String, Instant)}.
     *
     * @param key the key
     * @param deadline when the key expires; at or before now deletes it
     * @return whether the key had a value
     * @throws KvException if the store refuses or does not answer in time
     */
    public boolean expireAt(String key, Instant deadline) {
      return awaitRequest(KvStore.this.expireAt(key, deadline));
    }

    /**
     * Gives {@code key} a deadline if {@code condition} holds.
     *
     * @param key the key
     * @param deadline when the key expires; at or before now deletes it
     * @param condition when the deadline is changed
     * @return whether the deadline was changed (or the key deleted)
     * @throws KvException if the store refuses or does not answer in time
     */
    public boolean expireAt(String key, Instant deadline, KeyValueStore.ExpireCondition condition) {
      return awaitRequest(KvStore.this.expireAt(key, deadline, condition));
    }

    /**
     * Removes the deadline of {@code key}, as {@link KvStore#persist}.
     *
     * @param key the key
     * @return whether the key had a value and a deadline
     * @throws KvException if the store refuses or does not answer in time
     */
    public boolean persist(String key) {
      return awaitRequest(KvStore.this.persist(key));
    }

    /**
     * The deadline of {@code key} and the time left, as {@link KvStore#ttl}.
     *
     * @param key the key
     * @return the key's time to live
     * @throws KvException if the store refuses or does not answer in time
     */
    public KeyValueStore.TimeToLive ttl(String key) {
      return awaitRequest(KvStore.this.ttl(key));
    }

    /**
     * Deletes {@code key}.
     *
     * @param key the key
     * @return whether the key existed, once the delete is acknowledged
     * @throws KvException if the store refuses or does not answer in time
     */
    public boolean delete(String key) {
      return awaitRequest(KvStore.this.delete(key));
    }

    /**
     * Evaluates one {@link Op} atomically, as {@link KvStore#execute}.
     *
     * @param <R> the op's answer type
     * @param op the operation
     * @return the op's answer, once what it changed is acknowledged
     * @throws KvException the op's error (for example {@link KvException.OperationFailed}), or if
     *     the store refuses or does not answer in time
     */
    public <R> R execute(Op<R> op) {
      return awaitRequest(KvStore.this.execute(op));
    }

    /**
     * Adds {@code by} to the integer at {@code key}, as {@link KvStore#increment}.
     *
     * @param key the key
     * @param by the increment, negative to decrement
     * @return the new value
     * @throws KvException.OperationFailed if the value is not an integer or the result overflows
     * @throws KvException if the store refuses or does not answer in time
     */
    public long increment(String key, long by) {
      return awaitRequest(KvStore.this.increment(key, by));
    }

    /**
     * Adds {@code by} to the number at {@code key}, as {@link KvStore#incrementFloat}.
     *
     * @param key the key
     * @param by the increment, finite
     * @return the new value as stored
     * @throws KvException.OperationFailed if the value is not a number or the result is infinite
     * @throws KvException if the store refuses or does not answer in time
     */
    public String incrementFloat(String key, double by) {
      return awaitRequest(KvStore.this.incrementFloat(key, by));
    }

    /**
     * Appends {@code bytes} to the value of {@code key}, as {@link KvStore#append}.
     *
     * @param key the key
     * @param bytes what to append
     * @return the new length
     * @throws KvException if the value would be too large, or the store refuses or does not answer in time
     */
    public long append(String key, byte[] bytes) {
      return awaitRequest(KvStore.this.append(key, bytes));
    }

    /**
     * Overwrites part of the value of {@code key}, as {@link KvStore#setRange}.
     *
     * @param key the key
     * @param offset where to write, at least 0
     * @param bytes what to write
     * @return the new length
     * @throws KvException if the value would be too large, or the store refuses or does not answer in time
     */
    public long setRange(String key, long offset, byte[] bytes) {
      return awaitRequest(KvStore.this.setRange(key, offset, bytes));
    }

    /**
     * Sets {@code key} and returns the value it had, as {@link KvStore#getAndSet}.
     *
     * @param key the key
     * @param value the new value
     * @return the previous value, or empty
     * @throws KvException if the store refuses or does not answer in time
     */
    public Optional<byte[]> getAndSet(String key, byte[] value) {
      return awaitRequest(KvStore.this.getAndSet(key, value));
    }

    /**
     * Deletes {@code key} and returns the value it had, as {@link KvStore#getAndDelete}.
     *
     * @param key the key
     * @return the value it had, or empty
     * @throws KvException if the store refuses or does not answer in time
     */
    public Optional<byte[]> getAndDelete(String key) {
      return awaitRequest(KvStore.this.getAndDelete(key));
    }

    /**
     * Moves the value of {@code from} to {@code to}, as {@link KvStore#rename}.
     *
     * @param from the key to move
     * @param to the new key
     * @throws KvException.OperationFailed if {@code from} has no value
     * @throws KvException if the store refuses or does not answer in time
     */
    public void rename(String from, String to) {
      awaitRequest(KvStore.this.rename(from, to));
    }

    /**
     * Moves the value of {@code from} to {@code to} if {@code to} has none, as {@link KvStore#renameIfAbsent}.
     *
     * @param from the key to move
     * @param to the new key
     * @return whether it moved
     * @throws KvException.OperationFailed if {@code from} has no value
     * @throws KvException if the store refuses or does not answer in time
     */
    public boolean renameIfAbsent(String from, String to) {
      return awaitRequest(KvStore.this.renameIfAbsent(from, to));
    }

    /**
     * Copies the value of {@code from} to {@code to}, as {@link KvStore#copy}.
     *
     * @param from the key to copy
     * @param to the key to copy to
     * @param replace whether to replace a value {@code to} has
     * @return whether it copied
     * @throws KvException if the store refuses or does not answer in time
     */
    public boolean copy(String from, String to, boolean replace) {
      return awaitRequest(KvStore.this.copy(from, to, replace));
    }

    /**
     * Sets every key of {@code entries} atomically, as {@link KvStore#setAll}.
     *
     * @param entries the keys and values
     * @throws KvException if the store refuses (then none is set) or does not answer in time
     */
    public void setAll(java.util.Map<String, byte[]> entries) {
      awaitRequest(KvStore.this.setAll(entries));
    }

    /**
     * Watches {@code keys} for {@code transaction}, as {@link Transaction#watch}.
     *
     * @param transaction a transaction of this store
     * @param keys the keys to watch
     * @throws KvException if the store refuses or does not answer in time
     */
    public void watch(Transaction transaction, String... keys) {
      awaitRequest(transaction.watch(keys));
    }

    /**
     * Commits {@code transaction}, as {@link Transaction#commit}.
     *
     * @param transaction a transaction of this store
     * @return one result per operation, in order (an operation that failed: its {@link KvException})
     * @throws KvException.TransactionAborted if a watched key changed; nothing was applied
     * @throws KvException if the store refuses the transaction or does not answer in time
     */
    public List<Object> commit(Transaction transaction) {
      return awaitRequest(transaction.commit());
    }

    /**
     * Removes every key, as {@link KvStore#clear}.
     *
     * @return the number of keys removed, once the clear is acknowledged
     * @throws KvException if the store refuses or does not answer in time
     */
    public long clear() {
      return awaitRequest(KvStore.this.clear());
    }

    /**
     * The keys that start with {@code prefix}, sorted, as {@link KvStore#keys}.
     *
     * @param prefix the prefix; the empty string lists every key
     * @return the sorted keys
     * @throws KvException if the store refuses or does not answer in time
     */
    public List<String> keys(String prefix) {
      return awaitRequest(KvStore.this.keys(prefix));
    }
  }

  private <T> CompletionStage<T> ask(Function<ActorRef<StatusReply<T>>, KeyValueStore.Request> request,
      Duration timeout) {
    CompletionStage<T> reply = AskPattern.askWithStatus(router, replyTo -> request.apply(replyTo),
        timeout, system.scheduler());
    return Futures.direct(reply, error -> toKvException(error, timeout));
  }

  private static KvException toKvException(Throwable error, Duration timeout) {
    Throwable t = error;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof KvException kv) {
      return kv;
    }
    if (t instanceof TimeoutException) {
      return new KvException.Unavailable("no answer from the store within " + timeout.toMillis()
          + " ms (it may be resetting or overloaded); retry");
    }
    return new KvException("unexpected failure: " + t, false, t);
  }
}
