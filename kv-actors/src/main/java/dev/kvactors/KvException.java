package dev.kvactors;

/**
 * Base of every error the store reports to a caller. The message is one line meant for a user;
 * {@link #isRetryable()} tells whether sending the same request again may succeed.
 *
 * <p>The subtypes, from the caller's point of view:
 * <ul>
 *   <li>{@link InvalidRequest}: fix the request (empty key, key or value too large);
 *   <li>{@link OperationFailed}: an {@link Op} cannot be applied to the value it found (an
 *       increment of a value that is not an integer, an overflow, a rename of a missing key); its
 *       {@link OperationFailed#reason()} says which, its message is Redis's text for it;
 *   <li>{@link Unavailable}: retry (the store is being reset, or did not answer in time);
 *   <li>{@link CrossSlot}: in cluster mode, the request's keys are in different buckets;
 *   <li>{@link StorageFailed}: the disk failed; the store refuses writes until restarted;
 *   <li>{@link RecoveryFailed}: the data directory could not be opened (damaged, unreadable), and
 *       its subtype {@link DataDirLocked}: another process (or store) holds the directory.
 * </ul>
 */
public class KvException extends RuntimeException {
  /** Version of the serialized form. */
  private static final long serialVersionUID = 1L;

  /** Whether the same request may succeed if sent again. */
  private final boolean retryable;

  /**
   * An error with no cause.
   *
   * @param message one line for a user
   * @param retryable whether the same request may succeed if sent again
   */
  public KvException(String message, boolean retryable) {
    this(message, retryable, null);
  }

  /**
   * An error with a cause.
   *
   * @param message one line for a user
   * @param retryable whether the same request may succeed if sent again
   * @param cause the underlying failure, or null
   */
  public KvException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  /**
   * Whether sending the same request again may succeed.
   *
   * @return true for {@link Unavailable}
   */
  public boolean isRetryable() {
    return retryable;
  }

  /** The request itself is wrong (empty key, key or value too large). */
  public static final class InvalidRequest extends KvException {
    /** Version of the serialized form. */
    private static final long serialVersionUID = 1L;

    /**
     * An invalid request.
     *
     * @param message what is wrong with it
     */
    public InvalidRequest(String message) {
      super(message, false);
    }
  }

  /**
   * The store cannot answer right now (it is being reset, or did not answer in time). A write
   * that got this error may or may not have been applied; writes are idempotent, so retry.
   */
  public static final class Unavailable extends KvException {
    /** Version of the serialized form. */
    private static final long serialVersionUID = 1L;

    /**
     * The store is unavailable.
     *
     * @param message why, and that a retry may succeed
     */
    public Unavailable(String message) {
      super(message, true);
    }
  }

  /**
   * Writing to the data directory failed. The store stops acknowledging writes (fail-stop); reads
   * keep working. Restart the store after fixing the cause.
   */
  public static final class StorageFailed extends KvException {
    /** Version of the serialized form. */
    private static final long serialVersionUID = 1L;

    /**
     * A failed write, sync or rename.
     *
     * @param message the file and the cause
     * @param cause the I/O error
     */
    public StorageFailed(String message, Throwable cause) {
      super(message, false, cause);
    }
  }

  /**
   * The data directory could not be opened: locked ({@link DataDirLocked}), unreadable, or
   * damaged. Every request of the store fails with this error until it is opened again.
   */
  public static class RecoveryFailed extends KvException {
    /** Version of the serialized form. */
    private static final long serialVersionUID = 1L;

    /**
     * A failed recovery.
     *
     * @param message the directory or file and the cause
     * @param cause the underlying failure
     */
    public RecoveryFailed(String message, Throwable cause) {
      super(message, false, cause);
    }
  }

  /**
   * Another process, or another store in this process, holds the data directory's lock. Opening
   * the store again may succeed once the holder has stopped.
   */
  public static final class DataDirLocked extends RecoveryFailed {
    /** Version of the serialized form. */
    private static final long serialVersionUID = 1L;

    /**
     * The data directory is locked.
     *
     * @param message the directory and, if known, the holder
     * @param cause the lock failure
     */
    public DataDirLocked(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * An {@link Op} could not be applied to what the store holds, and changed nothing: the errors
   * Redis gives at run time. The message is Redis 7.0's error text without its {@code ERR } prefix,
   * so a Redis server answers {@code "-ERR " + getMessage()}.
   */
  public static final class OperationFailed extends KvException {
    /** Version of the serialized form. */
    private static final long serialVersionUID = 1L;

    /** Why an operation failed; each has Redis's text. */
    public enum Reason {
      /** The value (or increment) is not a base-10 signed 64-bit integer. */
      NOT_AN_INTEGER("value is not an integer or out of range"),
      /** The result of an integer increment would not fit in 64 bits. */
      OVERFLOW("increment or decrement would overflow"),
      /** The value (or increment) is not a number. */
      NOT_A_FLOAT("value is not a valid float"),
      /** The result of a float increment would be NaN or infinite. */
      NAN_OR_INFINITY("increment would produce NaN or Infinity"),
      /** The key an operation needs (the source of a rename) has no value. */
      NO_SUCH_KEY("no such key"),
      /** The value an operation would produce is larger than {@code kv.max-value-bytes}. */
      VALUE_TOO_LARGE("string exceeds maximum allowed size (proto-max-bulk-len)"),
      /** A copy of a key to itself. */
      SAME_OBJECT("source and destination objects are the same");

      private final String text;

      Reason(String text) {
        this.text = text;
      }

      /**
       * Redis's error text for this reason, without the {@code ERR } prefix.
       *
       * @return the text
       */
      public String text() {
        return text;
      }
    }

    /** Why it failed. */
    private final Reason reason;

    /**
     * A failed operation, with Redis's text as the message.
     *
     * @param reason why it failed
     */
    public OperationFailed(Reason reason) {
      super(reason.text(), false);
      this.reason = reason;
    }

    /**
     * Why it failed.
     *
     * @return the reason
     */
    public Reason reason() {
      return reason;
    }
  }

  /**
   * In cluster mode, a request whose keys are in different buckets, which no bucket can apply
   * atomically (an operation on two keys, a transaction, a multi-key command, a {@code WATCH}):
   * refused as Redis Cluster refuses one whose keys are in different slots, with its text. Give
   * the keys the same hash tag ({@code {user1}.name}, {@code {user1}.email}) to keep them together.
   * A Redis server answers {@code "-CROSSSLOT " + getMessage()}.
   */
  public static final class CrossSlot extends KvException {
    /** Version of the serialized form. */
    private static final long serialVersionUID = 1L;

    /** Redis Cluster's text, without its {@code CROSSSLOT} code. */
    public static final String TEXT = "Keys in request don't hash to the same slot";

    /** A request whose keys are in different buckets. */
    public CrossSlot() {
      super(TEXT, false);
    }
  }

  /**
   * A {@link KvStore.Transaction} was not applied because a key it watched changed before its
   * commit (Redis answers such an {@code EXEC} with nil). Nothing was applied: watch again, read
   * again, and retry.
   */
  public static final class TransactionAborted extends KvException {
    /** Version of the serialized form. */
    private static final long serialVersionUID = 1L;

    /** A transaction aborted because a watched key changed. */
    public TransactionAborted() {
      super("the transaction was not applied: a watched key changed before it was committed; retry", true);
    }
  }
}
