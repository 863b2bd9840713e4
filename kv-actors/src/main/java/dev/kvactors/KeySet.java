package dev.kvactors;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import scala.collection.immutable.TreeSet;
import scala.collection.mutable.Builder;
import scala.math.Ordering;

/**
 * The keys of the store at one moment: an immutable, persistent set the key-value actor hands out
 * in O(1) and changes in O(log n) per added or removed key (a red-black tree that shares all but
 * one path with the version before it). Everything that costs time in the number of keys or is
 * shaped by a caller (filtering, matching, sorting, paging) runs on the caller's thread over this
 * view, never on the actor's.
 *
 * <p>Keys are kept in the order of {@link #scanHash}, then of the key itself: a scan cursor is the
 * hash to go on from, so a scan in steps returns every key present during the whole scan exactly
 * once, whatever is added or removed meanwhile.
 *
 * <p>A key with a deadline (expiry) carries it here too. The store hands out the set as of the
 * moment of the request: a key whose deadline has passed by then is skipped by {@link #iterator},
 * {@link #sorted} and {@link #scan}, but is still counted by {@link #size} until the store has
 * removed it, as Redis's {@code DBSIZE} counts expired keys not yet removed.
 */
public final class KeySet implements Iterable<String> {

  /**
   * One step of a scan.
   *
   * @param next the cursor to go on from; 0 at the end
   * @param keys the keys of this step that the filter accepted
   */
  public record Page(long next, List<String> keys) {}

  /** A key without a deadline: no field for one, as most keys have none. */
  private static class Entry {
    final long hash;
    final String key;

    Entry(long hash, String key) {
      this.hash = hash;
      this.key = key;
    }

    long hash() {
      return hash;
    }

    String key() {
      return key;
    }

    /** Whether the key has expired at {@code now}. */
    boolean expiredAt(long now) {
      return false;
    }
  }

  /** A key with a deadline (epoch millis). */
  private static final class Expiring extends Entry {
    final long deadline;

    Expiring(long hash, String key, long deadline) {
      super(hash, key);
      this.deadline = deadline;
    }

    @Override
    boolean expiredAt(long now) {
      return deadline <= now;
    }
  }

  private static final Ordering<Entry> ORDER = Ordering.comparatorToOrdering(new Comparator<Entry>() {
    @Override
    public int compare(Entry a, Entry b) {
      int byHash = Long.compare(a.hash(), b.hash());
      return byHash != 0 ? byHash : a.key().compareTo(b.key());
    }
  });

  static final KeySet EMPTY = new KeySet(new TreeSet<>(ORDER), Long.MIN_VALUE);

  private final TreeSet<Entry> tree;
  /** Keys whose deadline is at or before this moment (epoch millis) are not listed. */
  private final long now;

  private KeySet(TreeSet<Entry> tree, long now) {
    this.tree = requireNonNull(tree, "tree is null");
    this.now = now;
  }

  /** The set of {@code keys}; O(n log n), so for a recovered map it runs off the actor's thread. */
  static KeySet of(Collection<String> keys) {
    return of(keys, Map.of());
  }

  /** The set of {@code keys} with the deadlines of those that have one; O(n log n). */
  static KeySet of(Collection<String> keys, Map<String, Long> deadlines) {
    Builder<Entry, TreeSet<Entry>> builder = TreeSet.newBuilder(ORDER);
    for (String key : keys) {
      builder.addOne(entry(key, deadlines.isEmpty() ? null : deadlines.get(key)));
    }
    return new KeySet(builder.result(), Long.MIN_VALUE);
  }

  private static Entry entry(String key, Long deadline) {
    long hash = scanHash(key);
    return deadline == null || deadline == 0 ? new Entry(hash, key) : new Expiring(hash, key, deadline);
  }

  KeySet with(String key) {
    return new KeySet(tree.incl(new Entry(scanHash(key), key)), now);
  }

  /** This set with {@code key} added, or its deadline changed ({@code 0}: none). */
  KeySet with(String key, long deadline) {
    Entry e = entry(key, deadline);
    return new KeySet(tree.excl(e).incl(e), now);
  }

  KeySet without(String key) {
    return new KeySet(tree.excl(new Entry(scanHash(key), key)), now);
  }

  /** This set as listed at {@code nowMillis}: keys whose deadline is at or before it are skipped. O(1). */
  KeySet at(long nowMillis) {
    return new KeySet(tree, nowMillis);
  }

  /**
   * The number of keys, in O(1), counting keys that have expired but are not removed yet (as
   * Redis's {@code DBSIZE} does).
   *
   * @return the number of keys
   */
  public int size() {
    return tree.size();
  }

  /**
   * Whether there are no keys.
   *
   * @return true if the set is empty
   */
  public boolean isEmpty() {
    return tree.isEmpty();
  }

  /** The keys in scan order (by hash, not sorted), without those that had expired when the set was handed out. */
  @Override
  public Iterator<String> iterator() {
    scala.collection.Iterator<Entry> it = tree.iterator();
    return new Iterator<>() {
      private Entry next = advance();

      private Entry advance() {
        while (it.hasNext()) {
          Entry e = it.next();
          if (!e.expiredAt(now)) {
            return e;
          }
        }
        return null;
      }

      @Override
      public boolean hasNext() {
        return next != null;
      }

      @Override
      public String next() {
        if (next == null) {
          throw new java.util.NoSuchElementException();
        }
        Entry e = next;
        next = advance();
        return e.key();
      }
    };
  }

  /**
   * The keys that start with {@code prefix}, sorted. O(n + m log m) on the caller's thread.
   *
   * @param prefix the prefix; empty or null for all keys
   * @return the matching keys in ascending order
   */
  public List<String> sorted(String prefix) {
    String p = prefix == null ? "" : prefix;
    List<String> found = new ArrayList<>();
    for (String key : this) {
      if (key.startsWith(p)) {
        found.add(key);
      }
    }
    Collections.sort(found);
    return found;
  }

  /**
   * The keys from {@code cursor} on (0 starts), in scan order: {@code count} keys are looked at
   * (more only to keep keys of the same hash together) and those {@code filter} accepts are
   * returned, as Redis's {@code SCAN ... COUNT} bounds the work of a step, not the number of
   * matches. Keys that had expired when the set was handed out are looked at but never returned.
   * O(log n + count) plus the filter's cost.
   *
   * @param cursor where to go on: 0 to start, else the {@link Page#next()} of the previous page
   * @param count how many keys to look at, at least 1
   * @param filter which of the looked-at keys to return
   * @return the keys found and the cursor for the next step
   */
  public Page scan(long cursor, int count, Predicate<String> filter) {
    if (count < 1) {
      throw new IllegalArgumentException("count must be positive: " + count);
    }
    List<String> keys = new ArrayList<>();
    if (cursor < 0) {
      return new Page(0, keys); // beyond every hash (62 bits): nothing left
    }
    scala.collection.Iterator<Entry> it = tree.iteratorFrom(new Entry(cursor, ""));
    int looked = 0;
    long lastHash = -1;
    while (it.hasNext()) {
      Entry e = it.next();
      if (looked >= count && e.hash() != lastHash) {
        return new Page(e.hash(), keys);
      }
      looked++;
      lastHash = e.hash();
      if (!e.expiredAt(now) && filter.test(e.key())) {
        keys.add(e.key());
      }
    }
    return new Page(0, keys);
  }

  /**
   * A 62-bit FNV-1a hash of the key's UTF-8 bytes, never 0 (cursor 0 starts and ends a scan).
   *
   * @param key the key
   * @return its position in scan order
   */
  public static long scanHash(String key) {
    long h = 0xcbf29ce484222325L;
    int n = key.length();
    for (int i = 0; i < n; i++) {
      char c = key.charAt(i);
      if (c < 0x80) {
        h = (h ^ c) * 0x100000001b3L;
      } else {
        // Not ASCII: hash the UTF-8 bytes of the rest (rare; keeps the hash of a key's UTF-8 bytes).
        for (byte b : key.substring(i).getBytes(StandardCharsets.UTF_8)) {
          h = (h ^ (b & 0xFF)) * 0x100000001b3L;
        }
        break;
      }
    }
    h ^= h >>> 29;
    h = h & 0x3FFF_FFFF_FFFF_FFFFL;
    return h == 0 ? 1 : h;
  }
}
