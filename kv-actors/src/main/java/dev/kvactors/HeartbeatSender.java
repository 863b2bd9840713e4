package dev.kvactors;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Sends an actor's {@code Heartbeat} to the router at most once per half interval: from its timer
 * when idle and from the messages it handles when busy, so a long mailbox that is being worked
 * through does not look like a stuck actor. Used on the owning actor's thread only.
 */
final class HeartbeatSender {
  private final ActorRef<Router.Command> router;
  private final ActorKind kind;
  private final ActorRef<?> self;
  private final long minGapNanos;
  private long lastNanos;

  HeartbeatSender(ActorRef<Router.Command> router, ActorKind kind, ActorRef<?> self, Duration interval) {
    this.router = requireNonNull(router, "router is null");
    this.kind = requireNonNull(kind, "kind is null");
    this.self = requireNonNull(self, "self is null");
    this.minGapNanos = interval.toNanos() / 2;
    this.lastNanos = System.nanoTime() - minGapNanos;
  }

  void beatIfDue() {
    long now = System.nanoTime();
    if (now - lastNanos >= minGapNanos) {
      lastNanos = now;
      router.tell(new Router.Heartbeat(kind, self));
    }
  }
}
