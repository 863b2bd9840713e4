package dev.kvactors;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
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
 * <p>The stages of {@code get}, {@code set} and {@code delete} complete on the store's own thread,
 * without a thread hop: a non-async continuation ({@code thenApply}, {@code thenAccept}) runs there
 * and delays every other request while it runs; attach slow work with the {@code ...Async} variants.
 * {@link #keys} completes on {@code kv.listing-dispatcher}.
 */
public final class KvStore implements AutoCloseable {
  private final ActorSystem<?> system;
  private final ActorRef<Router.Command> router;
  private final KvSettings settings;
  private final boolean ownsSystem;
  private final Executor listing;

  private KvStore(ActorSystem<?> system, KvSettings settings, boolean ownsSystem) {
    this.system = requireNonNull(system, "system is null");
    this.settings = requireNonNull(settings, "settings is null");
    this.router = KvExtension.get(system).router();
    this.ownsSystem = ownsSystem;
    this.listing = Futures.listing(system);
  }

  /** Opens the store described by {@code config}'s {@code kv} section, in an actor system of its own. */
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

  /** Opens a store with these settings and the rest of the configuration from the classpath. */
  public static KvStore open(KvSettings settings) {
    return open(settings.toConfig().withFallback(ConfigFactory.load()));
  }

  /** The store of an application's own actor system, through {@link KvExtension}; close leaves the system running. */
  public static KvStore attach(ActorSystem<?> system) {
    KvStore store = new KvStore(system, KvExtension.get(system).settings(), false);
    store.awaitReady();
    return store;
  }

  private void awaitReady() {
    await(ask(KeyValueStore.AwaitReady::new, settings.recoveryTimeout()), settings.recoveryTimeout());
  }

  public CompletionStage<Optional<byte[]>> get(String key) {
    return ask((ActorRef<StatusReply<KeyValueStore.Value>> r) -> new KeyValueStore.Get(key, r),
        settings.requestTimeout())
        .thenApply(v -> v.value().map(byte[]::clone));
  }

  public CompletionStage<Optional<String>> getString(String key) {
    return get(key).thenApply(v -> v.map(bytes -> new String(bytes, StandardCharsets.UTF_8)));
  }

  /** Completes when the write is acknowledged under the configured durability mode. */
  public CompletionStage<Void> set(String key, byte[] value) {
    return ask((ActorRef<StatusReply<KeyValueStore.Stored>> r) -> new KeyValueStore.Set(key, value, r),
        settings.requestTimeout())
        .thenApply(stored -> null);
  }

  /**
   * Sets {@code key} only if {@code condition} holds when the store takes the request; completes
   * with whether it was applied, once acknowledged.
   */
  public CompletionStage<Boolean> set(String key, byte[] value, KeyValueStore.Condition condition) {
    return ask((ActorRef<StatusReply<KeyValueStore.Stored>> r) -> new KeyValueStore.Set(key, value, condition, r),
        settings.requestTimeout())
        .thenApply(KeyValueStore.Stored::applied);
  }

  public CompletionStage<Void> set(String key, String value) {
    return set(key, value.getBytes(StandardCharsets.UTF_8));
  }

  /** Completes with whether the key existed, once the delete is acknowledged. */
  public CompletionStage<Boolean> delete(String key) {
    return ask((ActorRef<StatusReply<KeyValueStore.Deleted>> r) -> new KeyValueStore.Delete(key, r),
        settings.requestTimeout())
        .thenApply(KeyValueStore.Deleted::existed);
  }

  /**
   * The keys that start with {@code prefix}, sorted; they include every write this caller saw
   * acknowledged before calling. The store hands out its immutable key set at once; the filtering
   * and sorting (O(n) and O(m log m) for n keys and m matches) run on {@code kv.listing-dispatcher},
   * never on the store's thread, and the stage completes there.
   */
  public CompletionStage<List<String>> keys(String prefix) {
    return ask((ActorRef<StatusReply<KeySet>> r) -> new KeyValueStore.Keys(r), settings.requestTimeout())
        .thenApplyAsync(keys -> keys.sorted(prefix), listing);
  }

  public KvSettings settings() {
    return settings;
  }

  public ActorRef<Router.Command> router() {
    return router;
  }

  /**
   * Stops the store: pending records are written and synced, the lock is released, and the actor
   * system this store created is terminated. Idempotent.
   */
  @Override
  public void close() {
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

  /** Waits for a stage of this API and returns its value, throwing its {@link KvException} as is. */
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

  private <T> CompletionStage<T> ask(Function<ActorRef<StatusReply<T>>, KeyValueStore.Request> request,
      Duration timeout) {
    CompletionStage<T> reply = AskPattern.askWithStatus(router, replyTo -> new Router.KeyValue(request.apply(replyTo)),
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
