package dev.kvactors;

/**
 * Points in the file writer where tests inject stalls and faults. Not reachable from
 * configuration: only code that spawns the actors itself can pass hooks.
 */
interface WriterHooks {
  WriterHooks NONE = new WriterHooks() {};

  /** Called on the writer's thread before a batch of records is written and synced. */
  default void beforeFlush() {}
}
