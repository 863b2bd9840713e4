package dev.kvactors;

import static java.util.Objects.requireNonNull;

import dev.kvactors.KvException.OperationFailed;
import dev.kvactors.KvException.OperationFailed.Reason;
import dev.kvactors.internal.RedisNumbers;
import dev.kvactors.internal.Utf8;
import dev.kvactors.internal.storage.Mutation;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.pattern.StatusReply;

/**
 * Evaluates the {@link Op}s of one request (one operation, or a transaction's in order) against the
 * store as the key-value actor sees it when it takes the request (its map with the unconfirmed
 * writes applied), each op seeing the changes of the ones before it. Collects the changes as
 * single-key mutations for the log and the answer of each op. A plain class, used on the actor's
 * thread only, one instance per request.
 *
 * <p>Public for kv-cluster, whose buckets evaluate the same operations with this same class (one
 * implementation of their semantics); applications send {@link KeyValueStore.Execute} and
 * {@link KeyValueStore.Transaction} instead.
 */
public final class OpEvaluator {

  /**
   * A key's live state: its value (null if it has none or it has expired) and its deadline
   * ({@link Mutation#NO_DEADLINE}: none).
   *
   * @param value the value, or null if the key has none (or it has expired)
   * @param deadline the deadline in epoch millis, or {@link Mutation#NO_DEADLINE}
   */
  public record State(byte[] value, long deadline) {
    /** A key with no value. */
    public static final State ABSENT = new State(null, Mutation.NO_DEADLINE);
  }

  /** The state of a key as the store has it before this request (unconfirmed writes included). */
  public interface Lookup {
    /**
     * The live state of {@code key}: {@link State#ABSENT} if it has no value or its value has expired.
     *
     * @param key the key
     * @return its state
     */
    State state(String key);
  }

  /**
   * The store's rules for a key: not null or empty, valid Unicode, at most {@code maxKeyBytes}
   * bytes of UTF-8 ({@code kv.max-key-bytes}).
   *
   * @param key the key
   * @param maxKeyBytes the longest key allowed, in bytes
   * @return why the key is refused, or null if it is valid
   */
  public static KvException checkKey(String key, int maxKeyBytes) {
    if (key == null || key.isEmpty()) {
      return new KvException.InvalidRequest("key must not be empty");
    }
    int bytes = Utf8.length(key);
    if (bytes < 0) {
      return new KvException.InvalidRequest("key is not valid Unicode (unpaired surrogate)");
    }
    if (bytes > maxKeyBytes) {
      return new KvException.InvalidRequest("key of " + bytes + " bytes is longer than " + maxKeyBytes
          + " bytes (kv.max-key-bytes)");
    }
    return null;
  }

  private final Lookup base;
  private final Function<String, KvException> keyCheck;
  private final int maxValueBytes;
  private final long now;
  /** The state each key has after the ops so far. */
  private final Map<String, State> staged = new HashMap<>();
  private final List<Mutation> changes = new ArrayList<>();
  private final LinkedHashSet<String> touched = new LinkedHashSet<>();

  /**
   * An evaluator for one request.
   *
   * @param base the state of every key before the request
   * @param keyCheck why a key is refused, or null if it is valid (see {@link #checkKey})
   * @param maxValueBytes the largest value an op may set or build ({@code kv.max-value-bytes})
   * @param now the store's clock when it takes the request (epoch millis): a deadline at or before
   *     it has passed, a TTL counts from it
   */
  public OpEvaluator(Lookup base, Function<String, KvException> keyCheck, int maxValueBytes, long now) {
    this.base = requireNonNull(base, "base is null");
    this.keyCheck = requireNonNull(keyCheck, "keyCheck is null");
    this.maxValueBytes = maxValueBytes;
    this.now = now;
  }

  /**
   * The single-key changes of the ops so far, in order (empty if they changed nothing): each a
   * {@link Mutation.Put} (with the key's deadline) or a {@link Mutation.Remove}.
   *
   * @return the changes
   */
  public List<Mutation> changes() {
    return changes;
  }

  /**
   * Every key the ops so far read or changed.
   *
   * @return the keys, in the order first touched
   */
  public java.util.Set<String> touched() {
    return touched;
  }

  /**
   * Evaluates {@code op}, seeing the changes of the ops before it.
   *
   * @param op the operation
   * @return its answer, or its {@link KvException} (then it changed nothing)
   */
  public StatusReply<?> apply(Op<?> op) {
    try {
      for (String key : op.keys()) {
        KvException invalid = keyCheck.apply(key);
        if (invalid != null) {
          return StatusReply.error(invalid);
        }
      }
      touched.addAll(op.keys());
      return StatusReply.success(evaluate(op));
    } catch (KvException e) {
      return StatusReply.error(e);
    }
  }

  private Object evaluate(Op<?> op) {
    if (op instanceof Op.Get get) {
      return new KeyValueStore.Value(get.key(), value(get.key()));
    } else if (op instanceof Op.Set set) {
      checkSize(set.value().length, false);
      Optional<byte[]> previous = value(set.key());
      boolean holds = switch (set.condition()) {
        case ALWAYS -> true;
        case IF_ABSENT -> previous.isEmpty();
        case IF_PRESENT -> previous.isPresent();
      };
      long deadline = resolve(set.expiry(), set.key(), "set");
      if (holds) {
        putOrExpire(set.key(), set.value().clone(), deadline);
      }
      return new KeyValueStore.Stored(set.key(), holds, previous);
    } else if (op instanceof Op.Delete delete) {
      return new KeyValueStore.Deleted(delete.key(), remove(delete.key()).isPresent());
    } else if (op instanceof Op.Increment increment) {
      return increment(increment);
    } else if (op instanceof Op.IncrementFloat increment) {
      return incrementFloat(increment);
    } else if (op instanceof Op.Append append) {
      byte[] before = value(append.key()).orElse(new byte[0]);
      checkSize((long) before.length + append.bytes().length, true);
      byte[] after = Arrays.copyOf(before, before.length + append.bytes().length);
      System.arraycopy(append.bytes(), 0, after, before.length, append.bytes().length);
      put(append.key(), after, deadline(append.key()));
      return (long) after.length;
    } else if (op instanceof Op.SetRange range) {
      return setRange(range);
    } else if (op instanceof Op.GetAndSet getAndSet) {
      checkSize(getAndSet.value().length, false);
      Optional<byte[]> previous = value(getAndSet.key());
      put(getAndSet.key(), getAndSet.value().clone(), Mutation.NO_DEADLINE);
      return new KeyValueStore.Value(getAndSet.key(), previous);
    } else if (op instanceof Op.GetAndDelete getAndDelete) {
      return new KeyValueStore.Value(getAndDelete.key(), remove(getAndDelete.key()));
    } else if (op instanceof Op.Rename rename) {
      return rename(rename);
    } else if (op instanceof Op.Copy copy) {
      if (copy.from().equals(copy.to())) {
        throw new OperationFailed(Reason.SAME_OBJECT);
      }
      Optional<byte[]> source = value(copy.from());
      if (source.isEmpty() || (!copy.replace() && value(copy.to()).isPresent())) {
        return false;
      }
      put(copy.to(), source.get(), deadline(copy.from()));
      return true;
    } else if (op instanceof Op.SetAllIfAbsent all) {
      for (Map.Entry<String, byte[]> e : all.entries()) {
        checkSize(e.getValue().length, false);
        if (value(e.getKey()).isPresent()) {
          return false;
        }
      }
      for (Map.Entry<String, byte[]> e : all.entries()) {
        put(e.getKey(), e.getValue().clone(), Mutation.NO_DEADLINE);
      }
      return true;
    } else if (op instanceof Op.SetAll all) {
      for (Map.Entry<String, byte[]> e : all.entries()) {
        checkSize(e.getValue().length, false);
      }
      for (Map.Entry<String, byte[]> e : all.entries()) {
        put(e.getKey(), e.getValue().clone(), Mutation.NO_DEADLINE);
      }
      return true;
    } else if (op instanceof Op.Expire expire) {
      return expire(expire);
    } else if (op instanceof Op.Persist persist) {
      Optional<byte[]> value = value(persist.key());
      if (value.isEmpty() || deadline(persist.key()) == Mutation.NO_DEADLINE) {
        return new KeyValueStore.DeadlineChanged(persist.key(), false);
      }
      put(persist.key(), value.get(), Mutation.NO_DEADLINE);
      return new KeyValueStore.DeadlineChanged(persist.key(), true);
    } else if (op instanceof Op.Ttl ttl) {
      Optional<byte[]> value = value(ttl.key());
      long deadline = deadline(ttl.key());
      if (value.isEmpty()) {
        return new KeyValueStore.TimeToLive(ttl.key(), false, 0, 0);
      }
      return deadline == Mutation.NO_DEADLINE ? new KeyValueStore.TimeToLive(ttl.key(), true, 0, 0)
          : new KeyValueStore.TimeToLive(ttl.key(), true, deadline, deadline - now);
    }
    throw new KvException.InvalidRequest("unknown operation " + op);
  }

  private Long increment(Op.Increment increment) {
    Optional<byte[]> before = value(increment.key());
    long value = 0;
    if (before.isPresent()) {
      Long parsed = RedisNumbers.parseLong(before.get());
      if (parsed == null) {
        throw new OperationFailed(Reason.NOT_AN_INTEGER);
      }
      value = parsed;
    }
    long by = increment.by();
    if ((by < 0 && value < 0 && by < Long.MIN_VALUE - value) || (by > 0 && value > 0 && by > Long.MAX_VALUE - value)) {
      throw new OperationFailed(Reason.OVERFLOW);
    }
    long result = value + by;
    put(increment.key(), Long.toString(result).getBytes(StandardCharsets.US_ASCII), deadline(increment.key()));
    return result;
  }

  private String incrementFloat(Op.IncrementFloat increment) {
    Optional<byte[]> before = value(increment.key());
    BigDecimal value = BigDecimal.ZERO;
    if (before.isPresent()) {
      value = before.get().length >= RedisNumbers.MAX_LONG_DOUBLE_CHARS ? null
          : RedisNumbers.parseLongDouble(new String(before.get(), StandardCharsets.ISO_8859_1));
      if (value == null) {
        throw new OperationFailed(Reason.NOT_A_FLOAT);
      }
    }
    BigDecimal by = RedisNumbers.parseLongDouble(increment.by());
    if (by == null) {
      throw new OperationFailed(Reason.NOT_A_FLOAT);
    }
    BigDecimal sum = RedisNumbers.addLongDouble(value, by);
    if (sum == null) {
      throw new OperationFailed(Reason.NAN_OR_INFINITY);
    }
    String text = RedisNumbers.formatLongDouble(sum);
    checkSize(text.length(), true);
    put(increment.key(), text.getBytes(StandardCharsets.US_ASCII), deadline(increment.key()));
    return text;
  }

  private Long setRange(Op.SetRange range) {
    Optional<byte[]> before = value(range.key());
    if (range.bytes().length == 0) {
      return (long) before.map(b -> b.length).orElse(0);
    }
    long end = range.offset() + range.bytes().length;
    checkSize(end, true);
    byte[] old = before.orElse(new byte[0]);
    byte[] after = Arrays.copyOf(old, (int) Math.max(old.length, end));
    System.arraycopy(range.bytes(), 0, after, (int) range.offset(), range.bytes().length);
    put(range.key(), after, deadline(range.key()));
    return (long) after.length;
  }

  private Boolean rename(Op.Rename rename) {
    Optional<byte[]> source = value(rename.from());
    if (source.isEmpty()) {
      throw new OperationFailed(Reason.NO_SUCH_KEY);
    }
    if (rename.from().equals(rename.to())) {
      return !rename.onlyIfAbsent();
    }
    if (rename.onlyIfAbsent() && value(rename.to()).isPresent()) {
      return false;
    }
    long deadline = deadline(rename.from());
    remove(rename.from());
    put(rename.to(), source.get(), deadline);
    return true;
  }

  private KeyValueStore.DeadlineChanged expire(Op.Expire expire) {
    String key = expire.key();
    long deadline = -1;
    if (expire.deadline() instanceof KeyValueStore.Expiry.After after) {
      deadline = deadlineAfter(after.ttl());
    } else if (expire.deadline() instanceof KeyValueStore.Expiry.At at) {
      // An instant at or before the epoch is in the past: the key is deleted. (Not 0, which means
      // "no deadline" in the records.)
      deadline = Math.max(at.epochMillis(), 1);
    }
    if (deadline < 0) {
      throw new KvException.InvalidRequest("invalid expire time: " + expire.deadline()
          + " (an expire takes a TTL or an instant)");
    }
    Optional<byte[]> value = value(key);
    if (value.isEmpty() || !expire.condition().holds(deadline(key), deadline)) {
      return new KeyValueStore.DeadlineChanged(key, false);
    }
    putOrExpire(key, value.get(), deadline);
    return new KeyValueStore.DeadlineChanged(key, true);
  }

  /**
   * The deadline a set gives {@code key}: {@link Mutation#NO_DEADLINE} for none, the key's own for
   * {@code KEEP}; refuses a TTL or instant that is not positive, or overflows.
   */
  private long resolve(KeyValueStore.Expiry expiry, String key, String what) {
    long deadline = -1;
    if (expiry instanceof KeyValueStore.Expiry.None) {
      deadline = Mutation.NO_DEADLINE;
    } else if (expiry instanceof KeyValueStore.Expiry.Keep) {
      deadline = deadline(key);
    } else if (expiry instanceof KeyValueStore.Expiry.After after) {
      deadline = after.ttl().isNegative() || after.ttl().isZero() ? -1 : deadlineAfter(after.ttl());
    } else if (expiry instanceof KeyValueStore.Expiry.At at) {
      deadline = at.epochMillis() > 0 ? at.epochMillis() : -1;
    }
    if (deadline < 0) {
      throw new KvException.InvalidRequest("invalid expire time in " + what + ": " + expiry);
    }
    return deadline;
  }

  /** {@code now + ttl} in millis (at least 0), or -1 on overflow. */
  private long deadlineAfter(java.time.Duration ttl) {
    try {
      return Math.max(Math.addExact(now, ttl.toMillis()), 1); // never 0, which means "no deadline"
    } catch (ArithmeticException e) {
      return -1;
    }
  }

  /**
   * Refuses a value of {@code bytes}: an operation that builds a value (append, setRange) gets
   * Redis's error; one that takes a caller's value gets the store's usual one.
   */
  private void checkSize(long bytes, boolean built) {
    if (bytes > maxValueBytes) {
      if (built) {
        throw new OperationFailed(Reason.VALUE_TOO_LARGE);
      }
      throw new KvException.InvalidRequest("value of " + bytes + " bytes is larger than " + maxValueBytes
          + " bytes (kv.max-value-bytes)");
    }
  }

  private State state(String key) {
    State state = staged.get(key);
    return state != null ? state : base.state(key);
  }

  private Optional<byte[]> value(String key) {
    return Optional.ofNullable(state(key).value());
  }

  /** The deadline of {@code key} ({@link Mutation#NO_DEADLINE} if it has none or no value). */
  private long deadline(String key) {
    State state = state(key);
    return state.value() == null ? Mutation.NO_DEADLINE : state.deadline();
  }

  private void put(String key, byte[] value, long deadline) {
    staged.put(key, new State(value, deadline));
    changes.add(new Mutation.Put(key, value, deadline));
  }

  /** Sets {@code key}, or removes it if {@code deadline} has passed already (set and expired at once). */
  private void putOrExpire(String key, byte[] value, long deadline) {
    if (deadline != Mutation.NO_DEADLINE && deadline <= now) {
      remove(key);
    } else {
      put(key, value, deadline);
    }
  }

  private Optional<byte[]> remove(String key) {
    Optional<byte[]> before = value(key);
    if (before.isPresent()) {
      staged.put(key, State.ABSENT);
      changes.add(new Mutation.Remove(key));
    }
    return before;
  }
}
