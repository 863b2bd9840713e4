package dev.kvactors;

import static java.util.Objects.requireNonNull;

import dev.kvactors.internal.ActorKind;
import dev.kvactors.internal.FaultHooks;
import dev.kvactors.internal.FileWriter;
import dev.kvactors.internal.HeartbeatSender;
import dev.kvactors.internal.HeartbeatSupervisor;
import dev.kvactors.internal.RouterStats;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Locale;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The single entry point of the store. Spawns the {@link KeyValueStore} (which spawns the
 * {@link FileWriter}) and the {@link HeartbeatSupervisor}; routes requests, heartbeats and
 * resets. A reset stops the key-value actor and its writer, waits until they have terminated (so
 * the data directory's lock is free), spawns a fresh one and replays, in order, the requests it
 * held meanwhile. A request held for longer than most of {@code request-timeout} is refused with
 * a retryable error, so no caller is left waiting without an answer.
 *
 * <p>Requests are the records of {@link KeyValueStore.Request} ({@code Get}, {@code Set},
 * {@code Delete}, {@code Keys}, ...), sent to the router as they are: each is a {@link Command} of
 * the router and of the key-value actor, as the Pekko IoT tutorial's {@code DeviceManager} and
 * {@code DeviceGroup} share their messages. From an actor:
 *
 * <pre>{@code
 * ActorRef<Router.Command> kv = KvExtension.get(context.getSystem()).router();
 * context.askWithStatus(KeyValueStore.Stored.class, kv, timeout,
 *     replyTo -> KeyValueStore.Set.of("greeting", "hello", replyTo),
 *     (stored, error) -> error == null ? new Saved() : new Failed(error));
 * }</pre>
 */
public final class Router extends AbstractBehavior<Router.Command> {

  /**
   * What the router takes: the store's requests ({@link KeyValueStore.Request}). Its other
   * messages (heartbeats, resets, statistics) are internal to the library.
   */
  public interface Command {}

  /** A heartbeat of the store or its writer, adapted from {@link HeartbeatSender.Beat}. */
  record Heartbeat(HeartbeatSender.Beat beat) implements Command {}

  /** Restart the actors of {@code kind}: adapted from the supervisor's {@link HeartbeatSupervisor.Stale}. */
  record Reset(ActorKind kind) implements Command {}

  private record StoreTerminated(ActorRef<KeyValueStore.Command> store) implements Command {}

  private enum ExpireHeld implements Command {
    INSTANCE
  }

  private record Held(KeyValueStore.Request request, long sinceNanos) {}

  /**
   * A router that runs a store with these settings. Most applications use {@link KvExtension}
   * instead, which spawns one router per actor system.
   *
   * @param settings the store's settings
   * @return the router's behavior
   */
  public static Behavior<Command> create(KvSettings settings) {
    return create(settings, FaultHooks.NONE);
  }

  static Behavior<Command> create(KvSettings settings, FaultHooks hooks) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new Router(ctx, timers, settings, hooks)));
  }

  private final KvSettings settings;
  private final FaultHooks hooks;
  private final TimerScheduler<Command> timers;
  private final ActorRef<HeartbeatSupervisor.Command> supervisor;
  private final ActorRef<HeartbeatSender.Beat> heartbeats;
  private final ArrayDeque<Held> held = new ArrayDeque<>();
  private final long holdLimitNanos;
  private ActorRef<KeyValueStore.Command> store;
  private long generation;
  private long resets;
  private boolean resetting;

  private Router(ActorContext<Command> ctx, TimerScheduler<Command> timers, KvSettings settings,
      FaultHooks hooks) {
    super(ctx);
    this.settings = requireNonNull(settings, "settings is null");
    this.hooks = requireNonNull(hooks, "hooks is null");
    this.timers = timers;
    this.holdLimitNanos = settings.requestTimeout().toNanos() * 4 / 5;
    this.heartbeats = ctx.messageAdapter(HeartbeatSender.Beat.class, Heartbeat::new);
    ActorRef<HeartbeatSupervisor.Stale> stale = ctx.messageAdapter(HeartbeatSupervisor.Stale.class,
        s -> new Reset(s.kind()));
    this.supervisor = ctx.spawn(HeartbeatSupervisor.create(stale, settings.staleAfter(),
        settings.supervisorCheckInterval()), "heartbeat-supervisor", DispatcherSelector.sameAsParent());
    spawnStore();
  }

  private void spawnStore() {
    generation++;
    Behavior<KeyValueStore.Command> behavior = Behaviors.supervise(
            KeyValueStore.create(settings, heartbeats, hooks))
        .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
    store = getContext().spawn(behavior, "store-" + generation, DispatcherSelector.sameAsParent());
    getContext().watchWith(store, new StoreTerminated(store));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(KeyValueStore.Request.class, this::onRequest)
        .onMessage(Heartbeat.class, this::onHeartbeat)
        .onMessage(Reset.class, this::onReset)
        .onMessage(StoreTerminated.class, this::onStoreTerminated)
        .onMessageEquals(ExpireHeld.INSTANCE, this::onExpireHeld)
        .onMessage(RouterStats.Get.class, this::onGetStats)
        .build();
  }

  private Behavior<Command> onRequest(KeyValueStore.Request request) {
    if (!resetting) {
      store.tell(request);
    } else if (held.size() >= settings.stashCapacity()) {
      request.reject(new KvException.Unavailable("the store is being reset and "
          + held.size() + " requests are already waiting; retry"));
    } else {
      held.add(new Held(request, System.nanoTime()));
    }
    return this;
  }

  private Behavior<Command> onHeartbeat(Heartbeat heartbeat) {
    HeartbeatSender.Beat beat = heartbeat.beat();
    // Beats of a store that is being replaced, or of its writer, must not re-arm the supervisor.
    boolean current = beat.from().equals(store) || beat.from().path().parent().equals(store.path());
    if (!resetting && current) {
      supervisor.tell(new HeartbeatSupervisor.Beat(beat.kind()));
    }
    return this;
  }

  private Behavior<Command> onReset(Reset reset) {
    if (resetting) {
      return this;
    }
    resets++;
    resetting = true;
    getContext().getLog().warn("Resetting the key-value actor and its file writer (stale: {}); reset #{}",
        reset.kind().name().toLowerCase(Locale.ROOT), resets);
    // Not context.stop: the store first answers what is already in its mailbox, then stops; and
    // the new store is spawned only when the old one (and its writer) has terminated.
    store.tell(KeyValueStore.Stop.INSTANCE);
    // Beats of the old store and writer are ignored from now on; they must not count as silence.
    supervisor.tell(HeartbeatSupervisor.ForgetAll.INSTANCE);
    timers.startTimerWithFixedDelay(ExpireHeld.INSTANCE, Duration.ofNanos(Math.max(holdLimitNanos / 10,
        1_000_000)));
    return this;
  }

  private Behavior<Command> onStoreTerminated(StoreTerminated terminated) {
    if (!terminated.store().equals(store)) {
      return this;
    }
    if (!resetting) {
      getContext().getLog().error("The key-value actor {} stopped unexpectedly; starting a new one",
          store.path().name());
    }
    spawnStore();
    if (resetting) {
      resetting = false;
      timers.cancel(ExpireHeld.INSTANCE);
      getContext().getLog().info("Reset #{} done; replaying {} held requests", resets, held.size());
      while (!held.isEmpty()) {
        store.tell(held.poll().request());
      }
    }
    return this;
  }

  private Behavior<Command> onExpireHeld() {
    long now = System.nanoTime();
    while (!held.isEmpty() && now - held.peek().sinceNanos() >= holdLimitNanos) {
      held.poll().request().reject(new KvException.Unavailable("the store is being reset and did not come back"
          + " within " + settings.requestTimeout().toMillis() + " ms; retry"));
    }
    return this;
  }

  private Behavior<Command> onGetStats(RouterStats.Get get) {
    get.replyTo().tell(new RouterStats(resets, resetting));
    return this;
  }
}
