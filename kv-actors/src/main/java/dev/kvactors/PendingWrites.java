package dev.kvactors;

import static java.util.Objects.requireNonNull;

import dev.kvactors.internal.storage.Mutation;
import java.util.ArrayDeque;
import java.util.HashMap;
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
  private record WaitingRead(KeyValueStore.Request read, KeyValueStore.Answer answer, long afterSeq) {}

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

  /** The last unconfirmed write of {@code key}, if it has any. */
  Optional<Mutation> latest(String key) {
    PerKey p = byKey.get(key);
    return p == null ? Optional.empty() : Optional.of(p.latest);
  }

  /** Takes write {@code seq} (sequence numbers increase). */
  void add(long seq, Mutation mutation, KeyValueStore.Request request, KeyValueStore.Answer answer) {
    writes.add(new Write(seq, mutation, request, answer));
    PerKey p = byKey.computeIfAbsent(mutation.key(), k -> new PerKey());
    p.latest = mutation;
    p.latestSeq = seq;
    p.count++;
  }

  /** Answers {@code get} now, or once the writes of its key taken so far are settled. */
  void read(KeyValueStore.Get get, KeyValueStore.Answer answer) {
    read(get, get.key(), answer);
  }

  /** Answers {@code read} of {@code key} now, or once the writes of the key taken so far are settled. */
  void read(KeyValueStore.Request read, String key, KeyValueStore.Answer answer) {
    PerKey waiting = byKey.get(key);
    if (waiting != null) {
      waiting.waitingReads.add(new WaitingRead(read, answer, waiting.latestSeq));
    } else {
      settled.readable(read, answer);
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
      settle(w.mutation().key(), w.seq());
    }
    releaseListings();
  }

  /** Refuses every unconfirmed write with {@code error}; the reads and listings waiting for them go on. */
  void rejectAll(KvException error) {
    while (!writes.isEmpty()) {
      Write w = writes.poll();
      w.answer().tell(StatusReply.error(error));
      settle(w.mutation().key(), w.seq());
    }
    releaseListings();
  }

  /**
   * Write {@code seq} of {@code key} is done (applied or failed): the reads taken after it and before
   * the key's next write are answered now, so a read in a pipeline never sees a write sent after it.
   */
  private void settle(String key, long seq) {
    PerKey p = byKey.get(key);
    if (p == null) {
      return;
    }
    if (--p.count == 0) {
      byKey.remove(key);
    }
    while (!p.waitingReads.isEmpty() && p.waitingReads.peek().afterSeq() <= seq) {
      WaitingRead w = p.waitingReads.poll();
      settled.readable(w.read(), w.answer());
    }
  }

  /** Answers the listings whose earlier writes are all settled (confirmed or failed). */
  private void releaseListings() {
    while (!listings.isEmpty() && (writes.isEmpty() || listings.peek().afterSeq() < writes.peek().seq())) {
      settled.listable(listings.poll().request());
    }
  }
}
