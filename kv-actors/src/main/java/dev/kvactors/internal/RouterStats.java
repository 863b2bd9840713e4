package dev.kvactors.internal;

import dev.kvactors.Router;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * How many resets a router has carried out, and whether one is under way (for the server's
 * {@code INFO} and for tests). Ask with {@link Get}, sent to the router.
 *
 * @param resets the number of resets since the router started
 * @param resetting whether a reset is under way now
 */
public record RouterStats(long resets, boolean resetting) {

  /** Asks the router for its {@link RouterStats}. */
  public record Get(ActorRef<RouterStats> replyTo) implements Router.Command {}
}
