package dev.kvactors.internal.storage;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/** One change to the map: the unit the log records and the writer persists. */
public sealed interface Mutation {

  String key();

  /** Applies this change to a map and tells whether the key was present before. */
  boolean applyTo(Map<String, byte[]> map);

  /** Sets {@code key} to {@code value}. The array is never modified after construction. */
  record Put(String key, byte[] value) implements Mutation {
    public Put {
      requireNonNull(key, "key is null");
      requireNonNull(value, "value is null");
    }

    @Override
    public boolean applyTo(Map<String, byte[]> map) {
      return map.put(key, value) != null;
    }
  }

  /** Removes {@code key}. */
  record Remove(String key) implements Mutation {
    public Remove {
      requireNonNull(key, "key is null");
    }

    @Override
    public boolean applyTo(Map<String, byte[]> map) {
      return map.remove(key) != null;
    }
  }
}
