package dev.kvactors;

/**
 * Base of every error the store reports to a caller. The message is one line meant for a user;
 * {@link #isRetryable()} tells whether sending the same request again may succeed.
 */
public class KvException extends RuntimeException {
  private final boolean retryable;

  public KvException(String message, boolean retryable) {
    this(message, retryable, null);
  }

  public KvException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  public boolean isRetryable() {
    return retryable;
  }

  /** The request itself is wrong (empty key, key or value too large). */
  public static final class InvalidRequest extends KvException {
    public InvalidRequest(String message) {
      super(message, false);
    }
  }

  /**
   * The store cannot answer right now (it is being reset, or did not answer in time). A write
   * that got this error may or may not have been applied; writes are idempotent, so retry.
   */
  public static final class Unavailable extends KvException {
    public Unavailable(String message) {
      super(message, true);
    }
  }

  /**
   * Writing to the data directory failed. The store stops acknowledging writes (fail-stop); reads
   * keep working. Restart the store after fixing the cause.
   */
  public static final class StorageFailed extends KvException {
    public StorageFailed(String message, Throwable cause) {
      super(message, false, cause);
    }
  }

  /** The data directory could not be opened: locked, unreadable, or damaged. */
  public static final class RecoveryFailed extends KvException {
    public RecoveryFailed(String message, Throwable cause) {
      super(message, false, cause);
    }
  }
}
