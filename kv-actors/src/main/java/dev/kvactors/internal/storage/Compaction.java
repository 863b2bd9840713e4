package dev.kvactors.internal.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Folds the snapshot and every log before a generation into a new snapshot, then deletes those
 * logs. It reads only files the writer no longer appends to, so it runs beside the writer. A crash
 * at any step leaves a directory that recovers to the same map: before the rename the old snapshot
 * and all logs are in place; after it, logs the new snapshot already covers are deleted at start.
 * Deadlines are kept; keys whose deadline has passed are left out of the new snapshot (the store
 * never returns them, and its later delete records of them then find nothing to delete).
 */
public final class Compaction {
  private Compaction() {}

  /**
   * Compacts an open data directory: after the new snapshot is in place the manifest names it, and
   * only then are the logs it covers deleted. Returns the new snapshot's size in bytes.
   */
  public static long run(DataDir dataDir, long newFirstLogGeneration, BooleanSupplier cancelled) throws IOException {
    return run(dataDir, newFirstLogGeneration, System.currentTimeMillis(), cancelled);
  }

  /**
   * Compacts an open data directory as {@link #run(DataDir, long, BooleanSupplier)} does, leaving
   * out the keys whose deadline is at or before {@code nowMillis} (wall-clock epoch millis).
   */
  public static long run(DataDir dataDir, long newFirstLogGeneration, long nowMillis, BooleanSupplier cancelled)
      throws IOException {
    return run(dataDir.dir(), newFirstLogGeneration, nowMillis, cancelled, dataDir::snapshotWritten);
  }

  /** Compacts a directory that has no manifest (tests and tools); returns the new snapshot's size. */
  public static long run(Path dir, long newFirstLogGeneration, BooleanSupplier cancelled) throws IOException {
    return run(dir, newFirstLogGeneration, System.currentTimeMillis(), cancelled, generation -> {});
  }

  interface SnapshotWritten {
    void accept(long generation) throws IOException;
  }

  private static long run(Path dir, long newFirstLogGeneration, long nowMillis, BooleanSupplier cancelled,
      SnapshotWritten written) throws IOException {
    CrashPoints.reached(CrashPoints.Point.COMPACTION_STARTED);
    Recovery.State state = Recovery.read(dir, newFirstLogGeneration, false);
    Map<String, byte[]> entries = state.entries();
    Map<String, Long> deadlines = state.deadlines();
    deadlines.entrySet().removeIf(e -> {
      boolean expired = e.getValue() <= nowMillis;
      if (expired) {
        entries.remove(e.getKey());
      }
      return expired;
    });
    long bytes = Snapshot.write(dir, entries, deadlines, newFirstLogGeneration, cancelled);
    written.accept(newFirstLogGeneration);
    CrashPoints.reached(CrashPoints.Point.COMPACTION_BEFORE_LOG_DELETE);
    Filenames.deleteLogsBefore(dir, newFirstLogGeneration);
    FileSync.directory(dir);
    return bytes;
  }
}
