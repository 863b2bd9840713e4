package dev.kvactors.internal.storage;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/** One change to the map: the unit the log records and the writer persists. */
public sealed interface Mutation {

  /** The key this change touches; the empty string (no valid key) for a {@link Clear}. */
  String key();

  /** Applies this change to a map and tells whether the key was present before (any key, for a clear). */
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

  /** Removes every key: replaying the log, everything before this record is gone. */
  record Clear() implements Mutation {
    @Override
    public String key() {
      return "";
    }

    @Override
    public boolean applyTo(Map<String, byte[]> map) {
      boolean any = !map.isEmpty();
      map.clear();
      return any;
    }
  }
}
