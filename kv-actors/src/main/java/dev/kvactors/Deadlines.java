package dev.kvactors;

import dev.kvactors.internal.storage.Mutation;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The deadlines of the keys that have one (epoch millis), by key and in time order, so the store
 * finds the next keys to expire without looking at the others. Keys without a deadline (most keys)
 * cost nothing here. A map for {@link Mutation#applyTo(Map, Map)}; a plain class, used by one actor
 * (the key-value actor, or a kv-cluster bucket: public for that module, not for applications).
 */
public final class Deadlines extends AbstractMap<String, Long> {

  /** One key's deadline; the same object is in both indexes. */
  private record At(long deadline, String key) {}

  private static final Comparator<At> BY_TIME = Comparator.comparingLong(At::deadline).thenComparing(At::key);

  private final HashMap<String, At> byKey = new HashMap<>();
  private final TreeSet<At> byTime = new TreeSet<>(BY_TIME);

  /** No deadlines. */
  public Deadlines() {}

  /**
   * The deadlines of {@code deadlines}; O(n log n), so for a recovered map off the actor's thread.
   *
   * @param deadlines each key's deadline in epoch millis
   * @return the index
   */
  public static Deadlines of(Map<String, Long> deadlines) {
    Deadlines d = new Deadlines();
    deadlines.forEach(d::put);
    return d;
  }

  /**
   * The deadline of a key.
   *
   * @param key the key
   * @return its deadline in epoch millis, or {@link Mutation#NO_DEADLINE}
   */
  public long of(String key) {
    if (byKey.isEmpty()) {
      return Mutation.NO_DEADLINE;
    }
    At at = byKey.get(key);
    return at == null ? Mutation.NO_DEADLINE : at.deadline();
  }

  /**
   * Whether {@code key} has a deadline at or before {@code now}.
   *
   * @param key the key
   * @param now the clock, in epoch millis
   * @return true if it has expired
   */
  public boolean isExpired(String key, long now) {
    long deadline = of(key);
    return deadline != Mutation.NO_DEADLINE && deadline <= now;
  }

  /**
   * Up to {@code max} keys whose deadline is at or before {@code now}, earliest first, without
   * those {@code skip} names. At most {@code 2 * max} keys are looked at, so the work is bounded
   * even when the earliest ones are all skipped.
   *
   * @param now the clock, in epoch millis
   * @param max the most keys to return
   * @param skip which keys not to return
   * @return the keys, earliest deadline first
   */
  public List<String> expired(long now, int max, java.util.function.Predicate<String> skip) {
    List<String> keys = new ArrayList<>();
    Iterator<At> it = byTime.iterator();
    for (int looked = 0; looked < 2L * max && keys.size() < max && it.hasNext(); looked++) {
      At at = it.next();
      if (at.deadline() > now) {
        break;
      }
      if (!skip.test(at.key())) {
        keys.add(at.key());
      }
    }
    return keys;
  }

  @Override
  public Long get(Object key) {
    At at = byKey.get(key);
    return at == null ? null : at.deadline();
  }

  @Override
  public boolean containsKey(Object key) {
    return byKey.containsKey(key);
  }

  @Override
  public Long put(String key, Long deadline) {
    At at = new At(deadline, key);
    At old = byKey.put(key, at);
    if (old != null) {
      byTime.remove(old);
    }
    byTime.add(at);
    return old == null ? null : old.deadline();
  }

  @Override
  public Long remove(Object key) {
    At old = byKey.remove(key);
    if (old == null) {
      return null;
    }
    byTime.remove(old);
    return old.deadline();
  }

  @Override
  public void clear() {
    byKey.clear();
    byTime.clear();
  }

  @Override
  public int size() {
    return byKey.size();
  }

  @Override
  public boolean isEmpty() {
    return byKey.isEmpty();
  }

  /** A read-only copy: O(n), for tests and diagnostics only. */
  @Override
  public Set<Map.Entry<String, Long>> entrySet() {
    Map<String, Long> view = new HashMap<>();
    byKey.forEach((k, at) -> view.put(k, at.deadline()));
    return Collections.unmodifiableMap(view).entrySet();
  }
}
