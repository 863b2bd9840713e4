package dev.kvactors.server;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The bytes a server holds for its clients (requests read and not yet answered, replies not yet
 * written), bounded in total ({@code kv.server.max-memory}) and per connection
 * ({@code kv.server.max-client-memory}). A connection reserves the bytes it reads before it reads
 * more: the reservation completes when there is room, and until then the connection's stream does
 * not pull, so TCP stops reading from that client (back-pressure, no buffering).
 *
 * <p>Rules, all under one lock: a connection may read while it holds less than its limit (so it
 * holds at most its limit plus one read); the total may not go past {@code max-memory}, except for
 * one connection at a time (the overdraft) that is in the middle of a request, so that half-read
 * requests on several connections cannot wait on each other forever: the overdraft's request is at
 * most {@code max-client-memory} (the parser refuses larger ones), it completes, is answered, and
 * its bytes come back. Replies are counted when made ({@link Account#add}), even past the limits:
 * the connection then reads nothing until they are written. Thread-safe.
 */
final class ClientMemory {
  private final long max;
  private final long maxPerClient;
  private long held;
  private Account overdraft;
  /** Connections waiting for room, oldest first, each with the bytes it asks for. */
  private final Map<Account, Long> waiting = new LinkedHashMap<>();

  ClientMemory(long max, long maxPerClient) {
    this.max = max;
    this.maxPerClient = maxPerClient;
  }

  Account open() {
    return new Account();
  }

  synchronized long held() {
    return held;
  }

  /** The bytes of one connection. Reserve before reading; release when answered and written; close at the end. */
  final class Account {
    private long accountHeld;
    private boolean midRequest;
    private CompletableFuture<Void> pending;
    private boolean closed;

    private Account() {}

    /**
     * Completes when {@code bytes} are reserved for this connection; {@code inRequest}: the
     * connection has read part of a request and needs these bytes to finish it. One at a time.
     */
    CompletionStage<Void> reserve(long bytes, boolean inRequest) {
      synchronized (ClientMemory.this) {
        midRequest = inRequest;
        if (!midRequest && overdraft == this) {
          overdraft = null;
        }
        if (tryGrant(this, bytes)) {
          return CompletableFuture.completedFuture(null);
        }
        pending = new CompletableFuture<>();
        waiting.put(this, bytes);
        return pending;
      }
    }

    /** Counts bytes that already exist (a reply), whatever the limits. */
    void add(long bytes) {
      synchronized (ClientMemory.this) {
        if (!closed) {
          accountHeld += bytes;
          held += bytes;
        }
      }
    }

    /** Gives back bytes reserved or added earlier. */
    void release(long bytes) {
      List<CompletableFuture<Void>> granted;
      synchronized (ClientMemory.this) {
        if (closed) {
          return;
        }
        long n = Math.min(bytes, accountHeld);
        accountHeld -= n;
        held -= n;
        granted = grantWaiting();
      }
      granted.forEach(f -> f.complete(null));
    }

    /** The connection is no longer in the middle of a request: it gives up the overdraft, if it had it. */
    void requestsComplete() {
      List<CompletableFuture<Void>> granted = List.of();
      synchronized (ClientMemory.this) {
        midRequest = false;
        if (overdraft == this) {
          overdraft = null;
          granted = grantWaiting();
        }
      }
      granted.forEach(f -> f.complete(null));
    }

    /** The connection ended: everything it held is given back. Idempotent. */
    void close() {
      List<CompletableFuture<Void>> granted;
      CompletableFuture<Void> abandoned = null;
      synchronized (ClientMemory.this) {
        if (closed) {
          return;
        }
        closed = true;
        held -= accountHeld;
        accountHeld = 0;
        if (overdraft == this) {
          overdraft = null;
        }
        if (waiting.remove(this) != null) {
          abandoned = pending;
        }
        granted = grantWaiting();
      }
      if (abandoned != null) {
        abandoned.complete(null); // the stream is gone; nothing will read what it would have granted
      }
      granted.forEach(f -> f.complete(null));
    }

    long held() {
      synchronized (ClientMemory.this) {
        return accountHeld;
      }
    }
  }

  /** Under the lock. */
  private boolean tryGrant(Account account, long bytes) {
    if (account.closed) {
      return true;
    }
    if (account.accountHeld >= maxPerClient) {
      return false;
    }
    boolean fits = held + bytes <= max || held == 0;
    if (!fits) {
      if (overdraft == account) {
        fits = true;
      } else if (overdraft == null && account.midRequest) {
        overdraft = account;
        fits = true;
      }
    }
    if (fits) {
      account.accountHeld += bytes;
      held += bytes;
    }
    return fits;
  }

  /** Under the lock: grants what now fits, oldest first; the caller completes the futures outside the lock. */
  private List<CompletableFuture<Void>> grantWaiting() {
    List<CompletableFuture<Void>> granted = new ArrayList<>();
    Iterator<Map.Entry<Account, Long>> it = waiting.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Account, Long> waiter = it.next();
      Account account = waiter.getKey();
      if (tryGrant(account, waiter.getValue())) {
        it.remove();
        granted.add(account.pending);
        account.pending = null;
      }
    }
    return granted;
  }
}
