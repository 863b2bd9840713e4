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
 * A plain class, used by the key-value actor only.
 */
final class Watches {
  /** One watcher's keys, and whether any of them changed since it watched them. */
  private static final class State {
    final Set<String> keys = new HashSet<>();
    boolean dirty;
  }

  private final Map<Long, State> byWatcher = new HashMap<>();
  private final Map<String, Set<Long>> byKey = new HashMap<>();

  /** Whether nobody watches anything. */
  boolean isEmpty() {
    return byWatcher.isEmpty();
  }

  /** The number of watchers (for tests and statistics). */
  int watchers() {
    return byWatcher.size();
  }

  /** {@code watcher} watches {@code keys} too, from now on. */
  void watch(long watcher, Collection<String> keys) {
    State state = byWatcher.computeIfAbsent(watcher, w -> new State());
    for (String key : keys) {
      if (state.keys.add(key)) {
        byKey.computeIfAbsent(key, k -> new HashSet<>()).add(watcher);
      }
    }
  }

  /** {@code key} changed: every watcher of it is dirty. */
  void touched(String key) {
    Set<Long> watchers = byKey.get(key);
    if (watchers != null) {
      watchers.forEach(w -> byWatcher.get(w).dirty = true);
    }
  }

  /** Every watched key for which {@code changed} holds changed (a clear: those that existed). */
  void touchedAll(Predicate<String> changed) {
    byKey.forEach((key, watchers) -> {
      if (changed.test(key)) {
        watchers.forEach(w -> byWatcher.get(w).dirty = true);
      }
    });
  }

  /** Forgets what {@code watcher} watches (Redis {@code UNWATCH}). */
  void unwatch(long watcher) {
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
   * something, and the store was not reset since) and none of its keys changed. Forgets the watcher
   * either way, as Redis's {@code EXEC} unwatches.
   */
  boolean release(long watcher) {
    State state = byWatcher.get(watcher);
    unwatch(watcher);
    return state != null && !state.dirty;
  }
}
