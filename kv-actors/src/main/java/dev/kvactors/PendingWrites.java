package dev.kvactors;

import static java.util.Objects.requireNonNull;

import dev.kvactors.internal.storage.Mutation;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.pattern.StatusReply;

/**
 * The store's writes that the writer has not confirmed yet, in the order they were taken, and the
 * reads and listings waiting for them. A read of a key waits for that key's unconfirmed writes; a
 * listing waits for every write taken before it. A plain class, used by one actor only.
 */
final class PendingWrites {

  /** What the store does as writes settle. */
  interface Settled {
    /** A write is confirmed: apply it to the map and answer its request. */
    void confirmed(Mutation mutation, KeyValueStore.Request request, KeyValueStore.Answer answer);

    /** A read ({@code Get}, {@code Ttl}, ...) whose key has no unconfirmed write left. */
    void readable(KeyValueStore.Request read, KeyValueStore.Answer answer);

    /** A listing whose earlier writes are all settled. */
    void listable(KeyValueStore.Keys keys);
  }

  private record Write(long seq, Mutation mutation, KeyValueStore.Request request, KeyValueStore.Answer answer) {}

  /** A read waiting for the writes of its key up to {@code afterSeq}, not for those taken after it. */
  private record WaitingRead(Runnable then, long afterSeq) {}

  /** Writes of one key that are not confirmed yet, and the reads waiting for them, in order. */
  private static final class PerKey {
    Mutation latest;
    long latestSeq;
    int count;
    final ArrayDeque<WaitingRead> waitingReads = new ArrayDeque<>();
  }

  /** A listing waiting for the writes taken before it (sequence numbers up to {@code afterSeq}). */
  private record WaitingListing(long afterSeq, KeyValueStore.Keys request) {}

  private final Settled settled;
  private final ArrayDeque<Write> writes = new ArrayDeque<>();
  private final Map<String, PerKey> byKey = new HashMap<>();
  private final ArrayDeque<WaitingListing> listings = new ArrayDeque<>();

  PendingWrites(Settled settled) {
    this.settled = requireNonNull(settled, "settled is null");
  }

  /** Whether {@code key} has a write on its way. */
  boolean has(String key) {
    return byKey.containsKey(key);
  }

  /** The last unconfirmed write of {@code key} (a put or a remove), if it has any. */
  Optional<Mutation> latest(String key) {
    PerKey p = byKey.get(key);
    return p == null ? Optional.empty() : Optional.of(p.latest);
  }

  /** Takes write {@code seq} (sequence numbers increase). */
  void add(long seq, Mutation mutation, KeyValueStore.Request request, KeyValueStore.Answer answer) {
    writes.add(new Write(seq, mutation, request, answer));
    for (Mutation change : mutation.changes()) {
      PerKey p = byKey.computeIfAbsent(change.key(), k -> new PerKey());
      p.latest = change;
      p.latestSeq = seq;
    }
    for (String key : distinctKeys(mutation)) {
      byKey.get(key).count++; // once per write, however often the write changes the key
    }
  }

  /** The keys a write changes, each once. */
  private static Iterable<String> distinctKeys(Mutation mutation) {
    List<Mutation> changes = mutation.changes();
    if (changes.size() == 1) {
      return List.of(changes.get(0).key());
    }
    java.util.Set<String> keys = new java.util.LinkedHashSet<>();
    changes.forEach(c -> keys.add(c.key()));
    return keys;
  }

  /** Answers {@code get} now, or once the writes of its key taken so far are settled. */
  void read(KeyValueStore.Get get, KeyValueStore.Answer answer) {
    read(get, get.key(), answer);
  }

  /** Answers {@code read} of {@code key} now, or once the writes of the key taken so far are settled. */
  void read(KeyValueStore.Request read, String key, KeyValueStore.Answer answer) {
    afterWritesOf(List.of(key).iterator(), () -> settled.readable(read, answer));
  }

  /**
   * Runs {@code then} now, or once the writes of each of {@code keys} taken so far are settled
   * (confirmed or failed), not waiting for writes taken after this call. Writes settle in order, so
   * it waits for the latest of them only.
   */
  void afterWritesOf(java.util.Iterator<String> keys, Runnable then) {
    PerKey latest = null;
    while (keys.hasNext()) {
      PerKey p = byKey.get(keys.next());
      if (p != null && (latest == null || p.latestSeq > latest.latestSeq)) {
        latest = p;
      }
    }
    if (latest == null) {
      then.run();
    } else {
      latest.waitingReads.add(new WaitingRead(then, latest.latestSeq));
    }
  }

  /** Answers {@code keys} now, or once every write taken so far is settled. */
  void list(KeyValueStore.Keys keys) {
    if (writes.isEmpty()) {
      settled.listable(keys);
    } else {
      listings.add(new WaitingListing(writes.peekLast().seq(), keys));
    }
  }

  /** The writer confirmed every write up to {@code upToSeq}: applies them in order. */
  void confirm(long upToSeq) {
    while (!writes.isEmpty() && writes.peek().seq() <= upToSeq) {
      Write w = writes.poll();
      settled.confirmed(w.mutation(), w.request(), w.answer());
      settle(w.mutation(), w.seq());
    }
    releaseListings();
  }

  /** Refuses every unconfirmed write with {@code error}; the reads and listings waiting for them go on. */
  void rejectAll(KvException error) {
    while (!writes.isEmpty()) {
      Write w = writes.poll();
      w.answer().tell(StatusReply.error(error));
      settle(w.mutation(), w.seq());
    }
    releaseListings();
  }

  /**
   * Write {@code seq} is done (applied or failed): for each key it changed, the reads taken after
   * it and before the key's next write go on now, so a read in a pipeline never sees a write sent
   * after it.
   */
  private void settle(Mutation mutation, long seq) {
    for (String key : distinctKeys(mutation)) {
      PerKey p = byKey.get(key);
      if (p == null) {
        continue;
      }
      if (--p.count == 0) {
        byKey.remove(key);
      }
      while (!p.waitingReads.isEmpty() && p.waitingReads.peek().afterSeq() <= seq) {
        p.waitingReads.poll().then().run();
      }
    }
  }

  /** Answers the listings whose earlier writes are all settled (confirmed or failed). */
  private void releaseListings() {
    while (!listings.isEmpty() && (writes.isEmpty() || listings.peek().afterSeq() < writes.peek().seq())) {
      settled.listable(listings.poll().request());
    }
  }
}
