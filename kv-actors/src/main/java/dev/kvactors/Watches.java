package dev.kvactors;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The keys each watcher watches (Redis {@code WATCH}), and whether one of them changed since.
 * Costs nothing while nobody watches: the store asks {@link #isEmpty()} before it reports a change.
 * A plain class, used by one actor only: the key-value actor, or a kv-cluster bucket (public for
 * that module; applications send {@link KeyValueStore.Watch} instead).
 */
public final class Watches {
  /** One watcher's keys, and whether any of them changed since it watched them. */
  private static final class State {
    final Set<String> keys = new HashSet<>();
    /** The watched keys that had expired (but were not removed yet) when they were watched. */
    final Set<String> expiredWhenWatched = new HashSet<>();
    boolean dirty;
  }

  private final Map<Long, State> byWatcher = new HashMap<>();
  private final Map<String, Set<Long>> byKey = new HashMap<>();

  /** Nobody watches anything yet. */
  public Watches() {}

  /**
   * Whether nobody watches anything.
   *
   * @return true if there is no watcher
   */
  public boolean isEmpty() {
    return byWatcher.isEmpty();
  }

  /**
   * The number of watchers (for tests and statistics).
   *
   * @return how many watchers watch something
   */
  public int watchers() {
    return byWatcher.size();
  }

  /**
   * {@code watcher} watches {@code keys} too, from now on; {@code expired} tells which of them have
   * expired but are still in the map (as Redis 7.0, their removal by the expiry is no change).
   *
   * @param watcher the watcher's id
   * @param keys the keys it watches from now on
   * @param expired whether a key has expired but is still in the map
   */
  public void watch(long watcher, Collection<String> keys, Predicate<String> expired) {
    State state = byWatcher.computeIfAbsent(watcher, w -> new State());
    for (String key : keys) {
      if (state.keys.add(key)) {
        byKey.computeIfAbsent(key, k -> new HashSet<>()).add(watcher);
        if (expired.test(key)) {
          state.expiredWhenWatched.add(key);
        }
      }
    }
  }

  /**
   * {@code key} changed: every watcher of it is dirty. A removal by the expiry ({@code byExpiry})
   * is no change for a watcher that watched the key already expired.
   *
   * @param key the key that changed
   * @param byExpiry whether the change is its removal by the expiry
   */
  public void touched(String key, boolean byExpiry) {
    Set<Long> watchers = byKey.get(key);
    if (watchers != null) {
      for (Long w : watchers) {
        State state = byWatcher.get(w);
        if (!(byExpiry && state.expiredWhenWatched.contains(key))) {
          state.dirty = true;
        }
        state.expiredWhenWatched.remove(key);
      }
    }
  }

  /**
   * Every watched key for which {@code changed} holds changed (a clear: those that existed).
   *
   * @param changed whether a key changed
   */
  public void touchedAll(Predicate<String> changed) {
    byKey.forEach((key, watchers) -> {
      if (changed.test(key)) {
        watchers.forEach(w -> byWatcher.get(w).dirty = true);
      }
    });
  }

  /**
   * Forgets what {@code watcher} watches (Redis {@code UNWATCH}).
   *
   * @param watcher the watcher's id
   */
  public void unwatch(long watcher) {
    State state = byWatcher.remove(watcher);
    if (state != null) {
      for (String key : state.keys) {
        Set<Long> watchers = byKey.get(key);
        watchers.remove(watcher);
        if (watchers.isEmpty()) {
          byKey.remove(key);
        }
      }
    }
  }

  /**
   * Whether a transaction of {@code watcher} may run: the store knows the watcher (it watched
   * something, and the store was not reset since), none of its keys changed, and none that was live
   * when watched has expired since ({@code expired}: expired but not removed yet). Forgets the
   * watcher either way, as Redis's {@code EXEC} unwatches.
   *
   * @param watcher the watcher's id
   * @param expired whether a key has expired but is still in the map
   * @return true if the transaction may run
   */
  public boolean release(long watcher, Predicate<String> expired) {
    State state = byWatcher.get(watcher);
    unwatch(watcher);
    if (state == null || state.dirty) {
      return false;
    }
    for (String key : state.keys) {
      if (!state.expiredWhenWatched.contains(key) && expired.test(key)) {
        return false;
      }
    }
    return true;
  }
}
