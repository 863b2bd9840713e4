package dev.kvactors;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;

/**
 * One operation the key-value actor evaluates atomically, alone ({@link KeyValueStore.Execute}) or
 * in a transaction ({@link KeyValueStore.Transaction}). The actor is the only writer of the map, so
 * a read-modify-write such as {@link Increment} needs no lock, and is logged as its result (a put
 * or a remove, never as "increment by one"). {@code R} is the type of the answer on success; a
 * failure is a {@link KvException} ({@link KvException.OperationFailed} for the errors Redis gives
 * at run time, such as an increment of a value that is not an integer).
 *
 * <p>Every value is a string of bytes, as in Redis. Keys follow the store's rules (not empty, at
 * most {@code kv.max-key-bytes}); a value an operation produces may be at most
 * {@code kv.max-value-bytes}.
 *
 * @param <R> the type of the answer
 */
public sealed interface Op<R> {

  /**
   * The keys this operation reads or changes.
   *
   * @return the keys, in order
   */
  List<String> keys();

  /**
   * Reads {@code key} (Redis {@code GET}; {@code GETRANGE}, {@code STRLEN} and {@code EXISTS}
   * are computed from its answer).
   *
   * @param key the key
   */
  record Get(String key) implements Op<KeyValueStore.Value> {
    /**
     * Checks the arguments.
     *
     * @param key see the record
     */
    public Get {
      requireNonNull(key, "key is null");
    }

    @Override
    public List<String> keys() {
      return List.of(key);
    }
  }

  /**
   * Sets {@code key} to {@code value} if {@code condition} holds, with the deadline {@code expiry}
   * says (Redis {@code SET [NX|XX] [EX|PX|EXAT|PXAT|KEEPTTL]}, {@code SETNX}, {@code SETEX});
   * answered with whether it was applied and the value just before. A deadline already passed
   * removes the key.
   *
   * @param key the key
   * @param value the new value; the store copies it
   * @param condition when the set applies
   * @param expiry the key's deadline afterwards ({@link KeyValueStore.Expiry#NONE}: none,
   *     {@link KeyValueStore.Expiry#KEEP}: the one it had)
   */
  record Set(String key, byte[] value, KeyValueStore.Condition condition, KeyValueStore.Expiry expiry)
      implements Op<KeyValueStore.Stored> {
    /**
     * Checks the arguments.
     *
     * @param key see the record
     * @param value see the record
     * @param condition see the record
     * @param expiry see the record
     */
    public Set {
      requireNonNull(key, "key is null");
      requireNonNull(value, "value is null");
      requireNonNull(condition, "condition is null");
      requireNonNull(expiry, "expiry is null");
    }

    /**
     * A set that leaves the key with no deadline, as Redis's plain {@code SET}.
     *
     * @param key the key
     * @param value the new value; the store copies it
     * @param condition when the set applies
     */
    public Set(String key, byte[] value, KeyValueStore.Condition condition) {
      this(key, value, condition, KeyValueStore.Expiry.NONE);
    }

    /**
     * An unconditional set that leaves the key with no deadline.
     *
     * @param key the key
     * @param value the new value; the store copies it
     */
    public Set(String key, byte[] value) {
      this(key, value, KeyValueStore.Condition.ALWAYS);
    }

    @Override
    public List<String> keys() {
      return List.of(key);
    }
  }

  /**
   * Deletes {@code key} (Redis {@code DEL} of one key); answered with whether it existed.
   *
   * @param key the key
   */
  record Delete(String key) implements Op<KeyValueStore.Deleted> {
    /**
     * Checks the arguments.
     *
     * @param key see the record
     */
    public Delete {
      requireNonNull(key, "key is null");
    }

    @Override
    public List<String> keys() {
      return List.of(key);
    }
  }

  /**
   * Adds {@code by} to the integer stored at {@code key} (Redis {@code INCRBY}; {@code INCR},
   * {@code DECR}, {@code DECRBY} are the same with 1, -1, -by). A missing key counts as 0. The
   * value must be a base-10 signed 64-bit integer written as Redis writes one: optional {@code -},
   * no {@code +}, no leading zeros, no spaces, at most 20 characters. Answered with the new value.
   * Fails with {@link KvException.OperationFailed.Reason#NOT_AN_INTEGER} or
   * {@link KvException.OperationFailed.Reason#OVERFLOW}, changing nothing.
   *
   * @param key the key
   * @param by the increment (negative to decrement)
   */
  record Increment(String key, long by) implements Op<Long> {
    /**
     * Checks the arguments.
     *
     * @param key see the record
     * @param by see the record
     */
    public Increment {
      requireNonNull(key, "key is null");
    }

    @Override
    public List<String> keys() {
      return List.of(key);
    }
  }

  /**
   * Adds the decimal number {@code by} to the number stored at {@code key} (Redis
   * {@code INCRBYFLOAT}), with Redis's arithmetic (80-bit extended precision) and formatting (17
   * digits after the point, trailing zeros removed, never an exponent): {@code 10.5} plus
   * {@code 0.1} is {@code 10.6}. A missing key counts as 0. Answered with the new value as stored.
   * Fails with {@link KvException.OperationFailed.Reason#NOT_A_FLOAT} (the value or {@code by}) or
   * {@link KvException.OperationFailed.Reason#NAN_OR_INFINITY}, changing nothing.
   *
   * @param key the key
   * @param by the increment as text, as a client sent it (for example {@code "0.1"}, {@code "-5"},
   *     {@code "3.0e3"})
   */
  record IncrementFloat(String key, String by) implements Op<String> {
    /**
     * Checks the arguments.
     *
     * @param key see the record
     * @param by see the record
     */
    public IncrementFloat {
      requireNonNull(key, "key is null");
      requireNonNull(by, "by is null");
    }

    @Override
    public List<String> keys() {
      return List.of(key);
    }
  }

  /**
   * Appends {@code bytes} to the value of {@code key}, creating it if missing (Redis
   * {@code APPEND}); answered with the new length. Fails with
   * {@link KvException.OperationFailed.Reason#VALUE_TOO_LARGE} past {@code kv.max-value-bytes}.
   *
   * @param key the key
   * @param bytes what to append
   */
  record Append(String key, byte[] bytes) implements Op<Long> {
    /**
     * Checks the arguments.
     *
     * @param key see the record
     * @param bytes see the record
     */
    public Append {
      requireNonNull(key, "key is null");
      requireNonNull(bytes, "bytes is null");
    }

    @Override
    public List<String> keys() {
      return List.of(key);
    }
  }

  /**
   * Overwrites the value of {@code key} from {@code offset} on with {@code bytes}, padding with zero
   * bytes if the value is shorter than {@code offset} (Redis {@code SETRANGE}); answered with the new
   * length. Empty {@code bytes} change nothing (and create no key). Fails with
   * {@link KvException.OperationFailed.Reason#VALUE_TOO_LARGE} when {@code offset + bytes.length}
   * passes {@code kv.max-value-bytes}.
   *
   * @param key the key
   * @param offset where to write, at least 0
   * @param bytes what to write
   */
  record SetRange(String key, long offset, byte[] bytes) implements Op<Long> {
    /**
     * Checks the arguments.
     *
     * @param key see the record
     * @param offset see the record
     * @param bytes see the record
     */
    public SetRange {
      requireNonNull(key, "key is null");
      requireNonNull(bytes, "bytes is null");
      if (offset < 0) {
        throw new IllegalArgumentException("offset is out of range: " + offset);
      }
    }

    @Override
    public List<String> keys() {
      return List.of(key);
    }
  }

  /**
   * Sets {@code key} to {@code value} and answers with the value it had (Redis {@code GETSET}).
   *
   * @param key the key
   * @param value the new value; the store copies it
   */
  record GetAndSet(String key, byte[] value) implements Op<KeyValueStore.Value> {
    /**
     * Checks the arguments.
     *
     * @param key see the record
     * @param value see the record
     */
    public GetAndSet {
      requireNonNull(key, "key is null");
      requireNonNull(value, "value is null");
    }

    @Override
    public List<String> keys() {
      return List.of(key);
    }
  }

  /**
   * Deletes {@code key} and answers with the value it had (Redis {@code GETDEL}).
   *
   * @param key the key
   */
  record GetAndDelete(String key) implements Op<KeyValueStore.Value> {
    /**
     * Checks the arguments.
     *
     * @param key see the record
     */
    public GetAndDelete {
      requireNonNull(key, "key is null");
    }

    @Override
    public List<String> keys() {
      return List.of(key);
    }
  }

  /**
   * Moves the value of {@code from} to {@code to}, replacing what {@code to} held (Redis
   * {@code RENAME}) or, with {@code onlyIfAbsent}, only if {@code to} has no value (Redis
   * {@code RENAMENX}). Answered with whether it moved. Renaming a key to itself changes nothing:
   * true, or false with {@code onlyIfAbsent}. Fails with
   * {@link KvException.OperationFailed.Reason#NO_SUCH_KEY} if {@code from} has no value. Written as
   * one record, so a crash keeps both halves or neither.
   *
   * @param from the key to move
   * @param to the new key
   * @param onlyIfAbsent whether to move only if {@code to} has no value
   */
  record Rename(String from, String to, boolean onlyIfAbsent) implements Op<Boolean> {
    /**
     * Checks the arguments.
     *
     * @param from see the record
     * @param to see the record
     * @param onlyIfAbsent see the record
     */
    public Rename {
      requireNonNull(from, "from is null");
      requireNonNull(to, "to is null");
    }

    @Override
    public List<String> keys() {
      return List.of(from, to);
    }
  }

  /**
   * Copies the value of {@code from} to {@code to} (Redis {@code COPY}); answered with whether it
   * copied: false when {@code from} has no value, or {@code to} has one and {@code replace} is
   * false. Fails with {@link KvException.OperationFailed.Reason#SAME_OBJECT} when both are the same key.
   *
   * @param from the key to copy
   * @param to the key to copy to
   * @param replace whether to replace a value {@code to} already has
   */
  record Copy(String from, String to, boolean replace) implements Op<Boolean> {
    /**
     * Checks the arguments.
     *
     * @param from see the record
     * @param to see the record
     * @param replace see the record
     */
    public Copy {
      requireNonNull(from, "from is null");
      requireNonNull(to, "to is null");
    }

    @Override
    public List<String> keys() {
      return List.of(from, to);
    }
  }

  /**
   * Sets every key to its value, each with no deadline (Redis {@code MSET}); answered with true.
   * One record: a crash keeps all of them or none. An invalid key or value refuses the whole op
   * before anything is set.
   *
   * @param entries the keys and their values, in order; a key given twice takes the last value
   */
  record SetAll(List<Map.Entry<String, byte[]>> entries) implements Op<Boolean> {
    /**
     * Checks the arguments and copies the list.
     *
     * @param entries see the record
     */
    public SetAll {
      entries = List.copyOf(entries);
      for (Map.Entry<String, byte[]> e : entries) {
        requireNonNull(e.getKey(), "a key is null");
        requireNonNull(e.getValue(), "a value is null");
      }
    }

    @Override
    public List<String> keys() {
      return entries.stream().map(Map.Entry::getKey).toList();
    }
  }

  /**
   * Sets every key to its value if none of the keys has a value, else sets none (Redis
   * {@code MSETNX}); answered with whether it set them. One record.
   *
   * @param entries the keys and their values, in order; a key given twice takes the last value
   */
  record SetAllIfAbsent(List<Map.Entry<String, byte[]>> entries) implements Op<Boolean> {
    /**
     * Checks the arguments and copies the list.
     *
     * @param entries see the record
     */
    public SetAllIfAbsent {
      entries = List.copyOf(entries);
      for (Map.Entry<String, byte[]> e : entries) {
        requireNonNull(e.getKey(), "a key is null");
        requireNonNull(e.getValue(), "a value is null");
      }
    }

    @Override
    public List<String> keys() {
      return entries.stream().map(Map.Entry::getKey).toList();
    }
  }

  /**
   * Gives {@code key} a deadline if it has a value and {@code condition} holds (Redis {@code EXPIRE},
   * {@code PEXPIRE}, {@code EXPIREAT}, {@code PEXPIREAT} and their options); a deadline already
   * passed removes the key. Answered with whether it changed anything.
   *
   * @param key the key
   * @param deadline an {@link KeyValueStore.Expiry.After} or {@link KeyValueStore.Expiry.At}
   * @param condition when the deadline changes
   */
  record Expire(String key, KeyValueStore.Expiry deadline, KeyValueStore.ExpireCondition condition)
      implements Op<KeyValueStore.DeadlineChanged> {
    /**
     * Checks the arguments.
     *
     * @param key see the record
     * @param deadline see the record
     * @param condition see the record
     */
    public Expire {
      requireNonNull(key, "key is null");
      requireNonNull(deadline, "deadline is null");
      requireNonNull(condition, "condition is null");
    }

    @Override
    public List<String> keys() {
      return List.of(key);
    }
  }

  /**
   * Removes the deadline of {@code key} (Redis {@code PERSIST}); answered with whether it had one.
   *
   * @param key the key
   */
  record Persist(String key) implements Op<KeyValueStore.DeadlineChanged> {
    /**
     * Checks the arguments.
     *
     * @param key see the record
     */
    public Persist {
      requireNonNull(key, "key is null");
    }

    @Override
    public List<String> keys() {
      return List.of(key);
    }
  }

  /**
   * Reads whether {@code key} has a value and its deadline (Redis {@code TTL}, {@code PTTL},
   * {@code EXPIRETIME}, {@code PEXPIRETIME}).
   *
   * @param key the key
   */
  record Ttl(String key) implements Op<KeyValueStore.TimeToLive> {
    /**
     * Checks the arguments.
     *
     * @param key see the record
     */
    public Ttl {
      requireNonNull(key, "key is null");
    }

    @Override
    public List<String> keys() {
      return List.of(key);
    }
  }
}
