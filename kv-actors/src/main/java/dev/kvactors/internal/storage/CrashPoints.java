package dev.kvactors.internal.storage;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Named points on the write path where a test can stop the whole process at once, as a power cut
 * or {@code kill -9} would: nothing is flushed, no shutdown hook runs. Test-only: only code can arm
 * a point (there is no configuration key or system property for it), and the crash tests arm it in
 * a child JVM of their own.
 */
public final class CrashPoints {
  /** The exit status of a process stopped at a crash point. */
  public static final int EXIT_STATUS = 86;

  /** Where the process can be stopped. */
  public enum Point {
    /** A batch of records was written to the log, before it is synced. */
    LOG_WRITTEN_BEFORE_SYNC,
    /** The log was synced, before the writes are acknowledged. */
    LOG_SYNCED_BEFORE_ACK,
    /** Part of a new snapshot's temp file was written. */
    SNAPSHOT_TEMP_PARTLY_WRITTEN,
    /** The new snapshot was renamed into place, before the directory is synced. */
    SNAPSHOT_RENAMED_BEFORE_DIRECTORY_SYNC,
    /** A compaction started its new log generation and has written nothing of the snapshot yet. */
    COMPACTION_STARTED,
    /** A compaction's snapshot is in place, before the logs it covers are deleted. */
    COMPACTION_BEFORE_LOG_DELETE,
    /** A new log generation's file is in place, before the manifest names it. */
    LOG_CREATED_BEFORE_MANIFEST,
    /** A new manifest's temp file was written and synced, before its rename. */
    MANIFEST_TEMP_WRITTEN,
    /** A new manifest was renamed into place, before the directory is synced. */
    MANIFEST_RENAMED_BEFORE_DIRECTORY_SYNC
  }

  private static volatile Point armed;
  private static final AtomicInteger remaining = new AtomicInteger();
  private static final AtomicLongArray reached = new AtomicLongArray(Point.values().length);

  private CrashPoints() {}

  /** Halts this JVM the {@code nth} time {@code point} is reached. For crash tests only. */
  public static void armForTest(Point point, int nth) {
    if (nth < 1) {
      throw new IllegalArgumentException("nth must be at least 1");
    }
    remaining.set(nth);
    armed = point;
  }

  /** How often {@code point} was reached in this JVM (tests count forces of the log with it). */
  public static long timesReached(Point point) {
    return reached.get(point.ordinal());
  }

  static void reached(Point point) {
    reached.incrementAndGet(point.ordinal());
    if (armed == point && remaining.decrementAndGet() == 0) {
      Runtime.getRuntime().halt(EXIT_STATUS);
    }
  }
}
