package dev.kvactors.internal;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Sends an actor's {@link Beat} (to the router, through its message adapter) at most once per half interval: from its timer
 * when idle and from the messages it handles when busy, so a long mailbox that is being worked
 * through does not look like a stuck actor. Used on the owning actor's thread only.
 */
public final class HeartbeatSender {

  /**
   * {@code from}, an actor of {@code kind}, is alive. The router adapts it, so the actors that beat
   * need not know the router's own messages.
   */
  public record Beat(ActorKind kind, ActorRef<?> from) {}

  private final ActorRef<Beat> heartbeats;
  private final ActorKind kind;
  private final ActorRef<?> self;
  private final long minGapNanos;
  private long lastNanos;

  public HeartbeatSender(ActorRef<Beat> heartbeats, ActorKind kind, ActorRef<?> self, Duration interval) {
    this.heartbeats = requireNonNull(heartbeats, "heartbeats is null");
    this.kind = requireNonNull(kind, "kind is null");
    this.self = requireNonNull(self, "self is null");
    this.minGapNanos = interval.toNanos() / 2;
    this.lastNanos = System.nanoTime() - minGapNanos;
  }

  /** Sends a beat unless one went out less than half an interval ago. */
  public void beatIfDue() {
    long now = System.nanoTime();
    if (now - lastNanos >= minGapNanos) {
      lastNanos = now;
      heartbeats.tell(new Beat(kind, self));
    }
  }
}
