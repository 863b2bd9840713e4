package dev.kvactors.internal.storage;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * An open data directory: its lock, what recovery found, and its manifest, which this class alone
 * rewrites. Opening takes the lock (waiting up to a set time), recovers, opens the newest log (or
 * creates the first) and brings the manifest up to date. The manifest says "clean shutdown" only
 * between {@link #closeCleanly} and the next append, so a crash at any other moment leaves it
 * saying "not clean" and only then is a damaged end of the newest log taken for a torn write.
 *
 * <p>Every step that creates a file happens before the manifest names it, and every step that
 * deletes one after the manifest stops naming it, so a crash between any two steps leaves a
 * directory that recovers: an empty log the manifest does not name yet is removed at start.
 */
public final class DataDir implements AutoCloseable {
  private final Path dir;
  private final DataDirLock lock;
  private final Recovery.State recovered;
  private final RecordLog firstLog;
  private Manifest manifest; // guarded by this
  private volatile boolean clean; // manifest.clean(), readable without the lock on every append

  private DataDir(Path dir, DataDirLock lock, Recovery.State recovered, RecordLog firstLog, Manifest manifest) {
    this.dir = requireNonNull(dir, "dir is null");
    this.lock = requireNonNull(lock, "lock is null");
    this.recovered = requireNonNull(recovered, "recovered is null");
    this.firstLog = requireNonNull(firstLog, "firstLog is null");
    this.manifest = requireNonNull(manifest, "manifest is null");
    this.clean = manifest.clean();
  }

  /**
   * Locks {@code dir} (waiting up to {@code lockWait} for another holder), recovers it and opens
   * the log to append to. On failure nothing stays open or locked.
   */
  public static DataDir open(Path dir, Duration lockWait) throws IOException {
    DataDirLock lock = DataDirLock.acquire(dir, lockWait);
    RecordLog log = null;
    try {
      Recovery.State state = Recovery.recover(dir);
      Manifest m = state.manifest();
      if (state.hasLog()) {
        log = RecordLog.openForAppend(Filenames.log(dir, state.lastLogGeneration()), state.lastLogGeneration(),
            state.lastLogValidLength());
        if (state.manifestChanged()) {
          m.write(dir);
        }
      } else {
        log = RecordLog.create(dir, state.firstLogGeneration());
        CrashPoints.reached(CrashPoints.Point.LOG_CREATED_BEFORE_MANIFEST);
        m = m.withNewLog(0);
        m.write(dir);
      }
      for (Path legacy : state.legacyFiles()) {
        upgradeHeader(legacy);
      }
      if (!state.legacyFiles().isEmpty()) {
        FileSync.directory(dir);
      }
      // A directory of an older version: the log this build appends to, and the manifest, are marked
      // with this build's version, so a build that cannot read the new record types refuses it.
      if (FileHeader.LOG.versionOf(log.file()) < FileHeader.VERSION) {
        upgradeHeader(log.file());
      }
      if (FileHeader.MANIFEST.versionOf(Filenames.manifest(dir)) < FileHeader.VERSION) {
        m.write(dir);
      }
      return new DataDir(dir, lock, state, log, m);
    } catch (IOException | RuntimeException e) {
      try {
        if (log != null) {
          log.close();
        }
      } finally {
        lock.close();
      }
      throw e;
    }
  }

  /** Marks a file of an older version as of this version (a superset of the layout). */
  private static void upgradeHeader(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(4).putInt(0, FileHeader.VERSION), 4);
      ch.force(true);
    }
  }

  public Path dir() {
    return dir;
  }

  /** What recovery found. */
  public Recovery.State recovered() {
    return recovered;
  }

  /** The log opened or created at start. */
  public RecordLog log() {
    return firstLog;
  }

  public synchronized Manifest manifest() {
    return manifest;
  }

  /**
   * Call before anything is appended: after a clean shutdown the manifest says so, and must stop
   * saying so before the newest log changes.
   */
  public void beforeAppend() throws IOException {
    if (clean) { // only the writer's thread sets it to true (closeCleanly), so no append can slip past
      synchronized (this) {
        update(Manifest::opened);
      }
    }
  }

  /** Syncs and closes {@code current}, creates the next log generation and names it in the manifest. */
  public synchronized RecordLog startNewLog(RecordLog current) throws IOException {
    current.sync();
    current.close();
    RecordLog next = RecordLog.create(dir, current.generation() + 1);
    CrashPoints.reached(CrashPoints.Point.LOG_CREATED_BEFORE_MANIFEST);
    try {
      update(m -> m.withNewLog(current.size()));
    } catch (IOException | RuntimeException e) {
      next.close();
      throw e;
    }
    return next;
  }

  /** A snapshot covering every log before {@code generation} is in place: the manifest names it. */
  public synchronized void snapshotWritten(long generation) throws IOException {
    update(m -> m.withSnapshot(generation));
  }

  /**
   * Records a clean shutdown: {@code log}, already synced by the caller, is the newest log and will
   * not change. Writes nothing if the manifest already says exactly that.
   */
  public synchronized void closeCleanly(RecordLog log) throws IOException {
    if (log.generation() != manifest.lastLogGeneration()) {
      throw new IllegalStateException("log " + log.generation() + " is not the newest, "
          + manifest.lastLogGeneration());
    }
    // Without a directory sync: if a power cut loses this rename, the next start sees the previous
    // manifest, "not clean", and applies the crash rules: the safe side.
    update(m -> m.clean() ? m : m.closed(log.size()), false);
  }

  private void update(UnaryOperator<Manifest> change) throws IOException {
    update(change, true);
  }

  private void update(UnaryOperator<Manifest> change, boolean syncDirectory) throws IOException {
    Manifest next = change.apply(manifest);
    if (!next.equals(manifest)) {
      next.write(dir, syncDirectory);
      manifest = next;
      clean = next.clean();
    }
  }

  /** Releases the lock. Closing the log is the caller's. */
  @Override
  public void close() throws IOException {
    lock.close();
  }
}
