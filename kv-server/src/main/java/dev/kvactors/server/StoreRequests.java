package dev.kvactors.server;

import static java.util.Objects.requireNonNull;

import dev.kvactors.Correlator;
import dev.kvactors.KeyValueStore;
import dev.kvactors.KvException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.pattern.StatusReply;

/**
 * The store requests of one connection. The {@code Get}, {@code Set} and {@code Delete} requests of
 * the commands of one TCP read are collected and go to the router as one {@link KeyValueStore.Batch},
 * answered as one {@link KeyValueStore.Answers}: a pipelined batch of SETs is one message each way and
 * one group commit. One long-lived reply-to for the connection ({@link Correlator}), with a
 * correlation id per batch: no ask, promise or scheduled timeout per request.
 *
 * <p>When a batch goes out: once the commands of the read have been run ({@link #flush}), before any
 * other request of the connection (also {@link #flush}, so the store still sees the connection's
 * requests in the order they were sent), and whenever {@code maxBatch} requests are waiting, so that
 * one message stays bounded however many commands a read holds.
 *
 * <p>Used by one connection's {@link CommandHandler}, one call at a time.
 */
final class StoreRequests implements AutoCloseable {
  private final Correlator correlator;
  private final Duration timeout;
  private final int maxBatch;
  private List<KeyValueStore.Request> requests = new ArrayList<>();
  private List<CompletableFuture<Object>> waiting = new ArrayList<>();

  /**
   * @param correlator the connection's own reply-to
   * @param timeout how long a batch waits for its answers
   * @param maxBatch at most this many requests go in one batch
   */
  StoreRequests(Correlator correlator, Duration timeout, int maxBatch) {
    this.correlator = requireNonNull(correlator, "correlator is null");
    this.timeout = requireNonNull(timeout, "timeout is null");
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch must be at least 1: " + maxBatch);
    }
    this.maxBatch = maxBatch;
  }

  /**
   * Queues a {@code Get}, {@code Set} or {@code Delete} for the connection's next batch.
   *
   * @param <T> its answer's type
   * @return the answer, or the store's {@link KvException}
   */
  @SuppressWarnings("unchecked")
  <T> CompletionStage<T> send(KeyValueStore.Request request) {
    CompletableFuture<Object> answer = new CompletableFuture<>();
    requests.add(request);
    waiting.add(answer);
    if (requests.size() >= maxBatch) {
      flush();
    }
    return (CompletionStage<T>) (CompletionStage<?>) answer;
  }

  /** Sends the waiting requests as one batch now (at the end of a read, before a request of another kind). */
  void flush() {
    if (requests.isEmpty()) {
      return;
    }
    List<CompletableFuture<Object>> answers = waiting;
    CompletableFuture<List<StatusReply<?>>> replies = correlator.call(requests, timeout);
    requests = new ArrayList<>();
    waiting = new ArrayList<>();
    replies.whenComplete((list, error) -> {
      for (int i = 0; i < answers.size(); i++) {
        if (error != null) {
          answers.get(i).completeExceptionally(error);
        } else if (list.get(i).isSuccess()) {
          answers.get(i).complete(list.get(i).getValue());
        } else {
          answers.get(i).completeExceptionally(list.get(i).getError());
        }
      }
    });
  }

  /** Stops the connection's reply-to; batches still waiting for answers fail with a retryable error. */
  @Override
  public void close() {
    correlator.close();
  }
}
