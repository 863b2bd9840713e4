package dev.kvactors.internal.storage;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * One change to the map: the unit the log records and the writer persists. A key's state is its
 * value and an optional deadline (absolute wall-clock epoch milliseconds, as in Redis's AOF); a key
 * without a deadline has no entry in the deadlines map.
 */
public sealed interface Mutation {

  /** The deadline of a key that has none. */
  long NO_DEADLINE = 0;

  /** The key this change touches; the empty string (no valid key) for a {@link Clear}. */
  String key();

  /** Applies this change to the values only and tells whether the key was present before (any key, for a clear). */
  boolean applyTo(Map<String, byte[]> map);

  /**
   * Applies this change to the values and to the deadlines of the keys, and tells whether the key
   * was present before (any key, for a clear). Recovery and the store use this one.
   */
  boolean applyTo(Map<String, byte[]> map, Map<String, Long> deadlines);

  /**
   * Sets {@code key} to {@code value} with {@code deadline} ({@link #NO_DEADLINE}: none, so a
   * deadline the key had is gone). The array is never modified after construction.
   */
  record Put(String key, byte[] value, long deadline) implements Mutation {
    public Put {
      requireNonNull(key, "key is null");
      requireNonNull(value, "value is null");
      if (deadline < 0) {
        throw new IllegalArgumentException("negative deadline " + deadline);
      }
    }

    /** Sets {@code key} to {@code value} with no deadline. */
    public Put(String key, byte[] value) {
      this(key, value, NO_DEADLINE);
    }

    @Override
    public boolean applyTo(Map<String, byte[]> map) {
      return map.put(key, value) != null;
    }

    @Override
    public boolean applyTo(Map<String, byte[]> map, Map<String, Long> deadlines) {
      if (deadline == NO_DEADLINE) {
        deadlines.remove(key);
      } else {
        deadlines.put(key, deadline);
      }
      return applyTo(map);
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

    @Override
    public boolean applyTo(Map<String, byte[]> map, Map<String, Long> deadlines) {
      deadlines.remove(key);
      return applyTo(map);
    }
  }

  /**
   * Changes the deadline of {@code key}, if it has a value, to {@code deadline} ({@link
   * #NO_DEADLINE}: removes it, Redis {@code PERSIST}); the value stays. Logged instead of a put so
   * that an {@code EXPIRE} does not write the value again.
   */
  record Expire(String key, long deadline) implements Mutation {
    public Expire {
      requireNonNull(key, "key is null");
      if (deadline < 0) {
        throw new IllegalArgumentException("negative deadline " + deadline);
      }
    }

    @Override
    public boolean applyTo(Map<String, byte[]> map) {
      return map.containsKey(key);
    }

    @Override
    public boolean applyTo(Map<String, byte[]> map, Map<String, Long> deadlines) {
      if (!map.containsKey(key)) {
        return false;
      }
      if (deadline == NO_DEADLINE) {
        deadlines.remove(key);
      } else {
        deadlines.put(key, deadline);
      }
      return true;
    }
  }

  /**
   * The single-key changes this mutation consists of, in order: itself for a {@link Put},
   * {@link Remove} or {@link Expire}, its parts for a {@link Batch}, none for a {@link Clear}.
   */
  default List<Mutation> changes() {
    return List.of(this);
  }

  /**
   * Several single-key changes ({@link Put}, {@link Remove}, {@link Expire}) written as one record: recovery
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
        if (!(m instanceof Put) && !(m instanceof Remove) && !(m instanceof Expire)) {
          throw new IllegalArgumentException("a batch holds puts, removes and deadline changes only, not " + m);
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

    @Override
    public boolean applyTo(Map<String, byte[]> map, Map<String, Long> deadlines) {
      boolean any = false;
      for (Mutation m : parts) {
        any |= m.applyTo(map, deadlines);
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

    @Override
    public boolean applyTo(Map<String, byte[]> map, Map<String, Long> deadlines) {
      deadlines.clear();
      return applyTo(map);
    }
  }
}
