package dev.kvactors.internal;

/** The kinds of actor the heartbeat supervisor watches. */
public enum ActorKind {
  /** The key-value actor that holds the map. */
  STORE,
  /** The file writer that owns the data directory. */
  WRITER
}
