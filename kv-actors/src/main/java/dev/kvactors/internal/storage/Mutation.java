package dev.kvactors.internal.storage;

import static java.util.Objects.requireNonNull;

import java.util.List;
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

  /**
   * The single-key changes this mutation consists of, in order: itself for a {@link Put} or
   * {@link Remove}, its parts for a {@link Batch}, none for a {@link Clear}.
   */
  default List<Mutation> changes() {
    return List.of(this);
  }

  /**
   * Several single-key changes ({@link Put}, {@link Remove}) written as one record: recovery
   * applies all of them or, if the record is torn or damaged, none. What a transaction or a
   * multi-key operation (rename, MSET) changes.
   */
  record Batch(List<Mutation> parts) implements Mutation {
    public Batch {
      parts = List.copyOf(parts);
      if (parts.isEmpty()) {
        throw new IllegalArgumentException("a batch needs at least one change");
      }
      for (Mutation m : parts) {
        if (!(m instanceof Put) && !(m instanceof Remove)) {
          throw new IllegalArgumentException("a batch holds puts and removes only, not " + m);
        }
      }
    }

    /** The empty string: a batch touches several keys ({@link #changes()}). */
    @Override
    public String key() {
      return "";
    }

    @Override
    public List<Mutation> changes() {
      return parts;
    }

    @Override
    public boolean applyTo(Map<String, byte[]> map) {
      boolean any = false;
      for (Mutation m : parts) {
        any |= m.applyTo(map);
      }
      return any;
    }
  }

  /** Removes every key: replaying the log, everything before this record is gone. */
  record Clear() implements Mutation {
    @Override
    public String key() {
      return "";
    }

    @Override
    public List<Mutation> changes() {
      return List.of();
    }

    @Override
    public boolean applyTo(Map<String, byte[]> map) {
      boolean any = !map.isEmpty();
      map.clear();
      return any;
    }
  }
}
