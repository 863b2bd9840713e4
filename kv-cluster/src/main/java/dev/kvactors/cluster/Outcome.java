package dev.kvactors.cluster;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.kvactors.KeyValueStore;
import dev.kvactors.KvException;
import java.util.Optional;
import org.apache.pekko.pattern.StatusReply;

/**
 * The answer of one operation as it crosses nodes, from a bucket to the router that asked: an
 * explicit encoding of the {@link StatusReply}s the evaluator gives (an op's answer, or its
 * {@link KvException}), since neither a {@code StatusReply} of any value nor an exception has a
 * serialized form of its own here. {@link #of} and {@link #toReply} convert; every answer type of
 * an {@link dev.kvactors.Op} has its record.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "t")
@JsonSubTypes({
    @JsonSubTypes.Type(value = Outcome.Value.class, name = "value"),
    @JsonSubTypes.Type(value = Outcome.Stored.class, name = "stored"),
    @JsonSubTypes.Type(value = Outcome.Deleted.class, name = "deleted"),
    @JsonSubTypes.Type(value = Outcome.DeadlineChanged.class, name = "deadline"),
    @JsonSubTypes.Type(value = Outcome.TimeToLive.class, name = "ttl"),
    @JsonSubTypes.Type(value = Outcome.Int.class, name = "int"),
    @JsonSubTypes.Type(value = Outcome.Text.class, name = "text"),
    @JsonSubTypes.Type(value = Outcome.Flag.class, name = "flag"),
    @JsonSubTypes.Type(value = Outcome.Done.class, name = "done"),
    @JsonSubTypes.Type(value = Outcome.Failure.class, name = "failure")
})
public sealed interface Outcome {

  /**
   * The reply this outcome stands for.
   *
   * @return the success with the op's answer, or the error with its {@link KvException}
   */
  StatusReply<?> toReply();

  /**
   * The bytes of values this outcome carries (what makes an answer large).
   *
   * @return the length of its value, if it has one; else 0
   */
  default long valueBytes() {
    if (this instanceof Value v && v.value() != null) {
      return v.value().length;
    } else if (this instanceof Stored s && s.previous() != null) {
      return s.previous().length;
    } else if (this instanceof Text t) {
      return t.value().length();
    }
    return 0;
  }

  /**
   * The outcome of {@code reply}, an evaluator's answer.
   *
   * @param reply a success with an op's answer, or an error
   * @return its outcome
   * @throws IllegalArgumentException for an answer no op gives
   */
  static Outcome of(StatusReply<?> reply) {
    if (reply.isError()) {
      return Failure.of(reply.getError());
    }
    Object value = reply.getValue();
    if (value instanceof KeyValueStore.Value v) {
      return new Value(v.key(), v.value().orElse(null));
    } else if (value instanceof KeyValueStore.Stored s) {
      return new Stored(s.key(), s.applied(), s.previous().orElse(null));
    } else if (value instanceof KeyValueStore.Deleted d) {
      return new Deleted(d.key(), d.existed());
    } else if (value instanceof KeyValueStore.DeadlineChanged d) {
      return new DeadlineChanged(d.key(), d.changed());
    } else if (value instanceof KeyValueStore.TimeToLive t) {
      return new TimeToLive(t.key(), t.exists(), t.deadlineMillis(), t.remainingMillis());
    } else if (value instanceof Long n) {
      return new Int(n);
    } else if (value instanceof String s) {
      return new Text(s);
    } else if (value instanceof Boolean b) {
      return new Flag(b);
    } else if (value instanceof KeyValueStore.Done) {
      return new Done();
    }
    throw new IllegalArgumentException("no outcome for an answer of type " + value.getClass().getName());
  }

  /**
   * A {@link KeyValueStore.Value}.
   *
   * @param key the key
   * @param value its value, or null if it has none
   */
  record Value(String key, byte[] value) implements Outcome {
    @Override
    public StatusReply<?> toReply() {
      return StatusReply.success(new KeyValueStore.Value(key, Optional.ofNullable(value)));
    }
  }

  /**
   * A {@link KeyValueStore.Stored}.
   *
   * @param key the key
   * @param applied whether the set applied
   * @param previous the value before, or null if it had none
   */
  record Stored(String key, boolean applied, byte[] previous) implements Outcome {
    @Override
    public StatusReply<?> toReply() {
      return StatusReply.success(new KeyValueStore.Stored(key, applied, Optional.ofNullable(previous)));
    }
  }

  /**
   * A {@link KeyValueStore.Deleted}.
   *
   * @param key the key
   * @param existed whether it had a value
   */
  record Deleted(String key, boolean existed) implements Outcome {
    @Override
    public StatusReply<?> toReply() {
      return StatusReply.success(new KeyValueStore.Deleted(key, existed));
    }
  }

  /**
   * A {@link KeyValueStore.DeadlineChanged}.
   *
   * @param key the key
   * @param changed whether its deadline changed
   */
  record DeadlineChanged(String key, boolean changed) implements Outcome {
    @Override
    public StatusReply<?> toReply() {
      return StatusReply.success(new KeyValueStore.DeadlineChanged(key, changed));
    }
  }

  /**
   * A {@link KeyValueStore.TimeToLive}.
   *
   * @param key the key
   * @param exists whether it has a value
   * @param deadlineMillis its deadline, or 0
   * @param remainingMillis the time left by the bucket's clock, or 0
   */
  record TimeToLive(String key, boolean exists, long deadlineMillis, long remainingMillis) implements Outcome {
    @Override
    public StatusReply<?> toReply() {
      return StatusReply.success(new KeyValueStore.TimeToLive(key, exists, deadlineMillis, remainingMillis));
    }
  }

  /**
   * A {@code Long} (an increment's result, a length).
   *
   * @param value the number
   */
  record Int(long value) implements Outcome {
    @Override
    public StatusReply<?> toReply() {
      return StatusReply.success(value);
    }
  }

  /**
   * A {@code String} (a float increment's result).
   *
   * @param value the text
   */
  record Text(String value) implements Outcome {
    @Override
    public StatusReply<?> toReply() {
      return StatusReply.success(value);
    }
  }

  /**
   * A {@code Boolean} (a rename's, copy's or multi-set's answer).
   *
   * @param value the answer
   */
  record Flag(boolean value) implements Outcome {
    @Override
    public StatusReply<?> toReply() {
      return StatusReply.success(value);
    }
  }

  /** {@link KeyValueStore.Done}: a watch or unwatch was taken. */
  record Done() implements Outcome {
    @Override
    public StatusReply<?> toReply() {
      return StatusReply.success(KeyValueStore.Done.INSTANCE);
    }
  }

  /**
   * A {@link KvException}, by kind, so the router's caller gets the same type (and Redis text) the
   * single-machine store gives.
   *
   * @param kind which exception: {@code invalid}, {@code failed}, {@code unavailable},
   *     {@code crossslot}, {@code aborted}, or {@code other}
   * @param message its message
   * @param reason the {@link KvException.OperationFailed.Reason} of a {@code failed} one, else null
   * @param retryable whether an {@code other} one is retryable
   */
  record Failure(String kind, String message, String reason, boolean retryable) implements Outcome {

    static Failure of(Throwable error) {
      if (error instanceof KvException.OperationFailed failed) {
        return new Failure("failed", failed.getMessage(), failed.reason().name(), false);
      } else if (error instanceof KvException.InvalidRequest) {
        return new Failure("invalid", error.getMessage(), null, false);
      } else if (error instanceof KvException.Unavailable) {
        return new Failure("unavailable", error.getMessage(), null, true);
      } else if (error instanceof KvException.CrossSlot) {
        return new Failure("crossslot", error.getMessage(), null, false);
      } else if (error instanceof KvException.TransactionAborted) {
        return new Failure("aborted", error.getMessage(), null, true);
      }
      boolean retryable = error instanceof KvException kv && kv.isRetryable();
      return new Failure("other", String.valueOf(error.getMessage()), null, retryable);
    }

    @Override
    public StatusReply<?> toReply() {
      return StatusReply.error(exception());
    }

    /**
     * The exception this failure stands for.
     *
     * @return the {@link KvException}
     */
    public KvException exception() {
      return switch (kind) {
        case "failed" -> new KvException.OperationFailed(KvException.OperationFailed.Reason.valueOf(reason));
        case "invalid" -> new KvException.InvalidRequest(message);
        case "unavailable" -> new KvException.Unavailable(message);
        case "crossslot" -> new KvException.CrossSlot();
        case "aborted" -> new KvException.TransactionAborted();
        default -> new KvException(message, retryable);
      };
    }
  }
}
