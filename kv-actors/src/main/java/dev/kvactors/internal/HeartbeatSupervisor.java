package dev.kvactors.internal;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Watches the heartbeats of the key-value actor and the file writer. A kind silent for longer
 * than {@code stale-after} is reported once ({@link Stale}, which the router adapts into a reset)
 * and forgotten until it beats again, so one failure fires one reset. A kind that never beat is not watched.
 */
public final class HeartbeatSupervisor extends AbstractBehavior<HeartbeatSupervisor.Command> {

  public sealed interface Command {}

  /** {@code kind} is alive. */
  public record Beat(ActorKind kind) implements Command {}

  /** A reset is under way: forget every kind until it beats again. */
  public enum ForgetAll implements Command {
    INSTANCE
  }

  /** The supervisor's report: {@code kind} has been silent for longer than {@code stale-after}. */
  public record Stale(ActorKind kind) {}

  private enum Check implements Command {
    INSTANCE
  }

  public static Behavior<Command> create(ActorRef<Stale> stale, Duration staleAfter,
      Duration checkInterval) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Check.INSTANCE, checkInterval);
      return new HeartbeatSupervisor(ctx, stale, staleAfter, checkInterval);
    }));
  }

  private final ActorRef<Stale> stale;
  private final long staleAfterNanos;
  private final Map<ActorKind, Long> lastBeatNanos = new EnumMap<>(ActorKind.class);
  private final long checkIntervalNanos;
  private long lastCheckNanos = System.nanoTime();

  private HeartbeatSupervisor(ActorContext<Command> ctx, ActorRef<Stale> stale, Duration staleAfter,
      Duration checkInterval) {
    super(ctx);
    this.checkIntervalNanos = requireNonNull(checkInterval, "checkInterval is null").toNanos();
    this.stale = requireNonNull(stale, "stale is null");
    this.staleAfterNanos = requireNonNull(staleAfter, "staleAfter is null").toNanos();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Beat.class, this::onBeat)
        .onMessageEquals(Check.INSTANCE, this::onCheck)
        .onMessageEquals(ForgetAll.INSTANCE, this::onForgetAll)
        .build();
  }

  private Behavior<Command> onBeat(Beat beat) {
    lastBeatNanos.put(beat.kind(), System.nanoTime());
    return this;
  }

  private Behavior<Command> onForgetAll() {
    lastBeatNanos.clear();
    return this;
  }

  private Behavior<Command> onCheck() {
    long now = System.nanoTime();
    long sinceLastCheck = now - lastCheckNanos;
    lastCheckNanos = now;
    if (sinceLastCheck > checkIntervalNanos + staleAfterNanos / 2) {
      // This check itself came far too late: the whole JVM was paused (a long GC, a suspended
      // process), not one actor. Everyone gets a fresh start instead of a reset.
      getContext().getLog().info("Heartbeat check came {} ms late (the JVM paused); no reset for that silence",
          (sinceLastCheck - checkIntervalNanos) / 1_000_000);
      lastBeatNanos.replaceAll((kind, last) -> now);
      return this;
    }
    Iterator<Map.Entry<ActorKind, Long>> it = lastBeatNanos.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<ActorKind, Long> e = it.next();
      ActorKind kind = e.getKey();
      long silentNanos = now - e.getValue();
      if (silentNanos > staleAfterNanos) {
        it.remove(); // forgotten until it beats again
        getContext().getLog().warn("No heartbeat from the {} for {} ms (stale after {} ms): resetting it",
            kind.name().toLowerCase(Locale.ROOT), silentNanos / 1_000_000, staleAfterNanos / 1_000_000);
        stale.tell(new Stale(kind));
      }
    }
    return this;
  }
}
