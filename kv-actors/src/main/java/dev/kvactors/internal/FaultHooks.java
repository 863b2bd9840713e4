package dev.kvactors.internal;

import java.io.IOException;

/**
 * Points in the key-value actor and the file writer where tests inject stalls and faults. Not
 * reachable from configuration: only code that spawns the actors itself can pass hooks.
 */
public interface FaultHooks {
  /** No stalls, no faults. */
  FaultHooks NONE = new FaultHooks() {};

  /** Called on the key-value actor's thread before it handles a caller's request. */
  default void beforeRequest() {}

  /** Called on the writer's thread before it takes the lock and recovers the data directory. */
  default void beforeRecovery() {}

  /**
   * Called on the writer's thread before a batch of records is written and synced; an exception
   * thrown here counts as a failed write.
   */
  default void beforeFlush() throws IOException {}

  /**
   * The wall clock, in milliseconds since the epoch, that keys' deadlines are compared with (by the
   * key-value actor, and by the writer's compactions); tests move it instead of sleeping.
   */
  default long currentTimeMillis() {
    return System.currentTimeMillis();
  }
}
