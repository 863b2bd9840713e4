package dev.kvactors.internal.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * Folds the snapshot and every log before a generation into a new snapshot, then deletes those
 * logs. It reads only files the writer no longer appends to, so it runs beside the writer. A crash
 * at any step leaves a directory that recovers to the same map: before the rename the old snapshot
 * and all logs are in place; after it, logs the new snapshot already covers are deleted at start.
 */
public final class Compaction {
  private Compaction() {}

  /**
   * Compacts an open data directory: after the new snapshot is in place the manifest names it, and
   * only then are the logs it covers deleted. Returns the new snapshot's size in bytes.
   */
  public static long run(DataDir dataDir, long newFirstLogGeneration, BooleanSupplier cancelled) throws IOException {
    return run(dataDir.dir(), newFirstLogGeneration, cancelled, dataDir::snapshotWritten);
  }

  /** Compacts a directory that has no manifest (tests and tools); returns the new snapshot's size. */
  public static long run(Path dir, long newFirstLogGeneration, BooleanSupplier cancelled) throws IOException {
    return run(dir, newFirstLogGeneration, cancelled, generation -> {});
  }

  interface SnapshotWritten {
    void accept(long generation) throws IOException;
  }

  private static long run(Path dir, long newFirstLogGeneration, BooleanSupplier cancelled, SnapshotWritten written)
      throws IOException {
    CrashPoints.reached(CrashPoints.Point.COMPACTION_STARTED);
    Recovery.State state = Recovery.read(dir, newFirstLogGeneration, false);
    long bytes = Snapshot.write(dir, state.entries(), newFirstLogGeneration, cancelled);
    written.accept(newFirstLogGeneration);
    CrashPoints.reached(CrashPoints.Point.COMPACTION_BEFORE_LOG_DELETE);
    Filenames.deleteLogsBefore(dir, newFirstLogGeneration);
    FileSync.directory(dir);
    return bytes;
  }
}
