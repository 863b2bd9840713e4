package dev.kvactors.internal.storage;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * An OS-level exclusive lock on a data directory's {@code LOCK} file, held for as long as a
 * writer owns the directory. The holder's process id is written into the file so that a second
 * process can name it.
 */
public final class DataDirLock implements AutoCloseable {
  /**
   * Directories locked by this JVM. OS file locks belong to the process, and closing any channel
   * of the lock file releases them, so a second store in this JVM must not even open the file.
   */
  private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

  private final Path dir;
  private final FileChannel channel;
  private final FileLock lock;

  private DataDirLock(Path dir, FileChannel channel, FileLock lock) {
    this.dir = requireNonNull(dir, "dir is null");
    this.channel = requireNonNull(channel, "channel is null");
    this.lock = requireNonNull(lock, "lock is null");
  }

  /** How often a waiting {@link #acquire(Path, Duration)} tries the lock again. */
  private static final long POLL_MILLIS = 25;

  /**
   * Creates the directory if it does not exist, then takes the lock or fails at once with
   * {@link DataDirLockedException}.
   */
  public static DataDirLock acquire(Path dir) throws IOException {
    return acquire(dir, Duration.ZERO);
  }

  /**
   * Like {@link #acquire(Path)}, but while another process (or another store in this process)
   * holds the lock, tries again every few milliseconds for up to {@code wait}, then fails with
   * {@link DataDirLockedException}. Blocks the calling thread while it waits.
   */
  public static DataDirLock acquire(Path dir, Duration wait) throws IOException {
    requireNonNull(wait, "wait is null");
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      try {
        return tryAcquire(dir);
      } catch (DataDirLockedException e) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw e;
        }
        try {
          Thread.sleep(Math.min(POLL_MILLIS, Math.max(1, TimeUnit.NANOSECONDS.toMillis(left))));
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  private static DataDirLock tryAcquire(Path dir) throws IOException {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new NotDirectoryException("data directory " + dir + " is not a directory");
    }
    Files.createDirectories(dir);
    Path real = dir.toRealPath();
    if (!HELD.add(real)) {
      throw new DataDirLockedException(dir, " (another store in this process holds it)");
    }
    try {
      return lock(dir, real);
    } catch (IOException | RuntimeException e) {
      HELD.remove(real);
      throw e;
    }
  }

  private static DataDirLock lock(Path dir, Path real) throws IOException {
    Path file = Filenames.lock(dir);
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      channel.close();
      throw new DataDirLockedException(dir, " (another store in this process holds it)");
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      channel.close();
      throw new DataDirLockedException(dir, holder(file));
    }
    try {
      byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(pid), 0);
    } catch (IOException e) {
      lock.release();
      channel.close();
      throw e;
    }
    return new DataDirLock(real, channel, lock);
  }

  private static String holder(Path file) {
    try {
      String pid = Files.readString(file, StandardCharsets.US_ASCII).trim();
      return pid.matches("\\d+") ? " (pid " + pid + ")" : "";
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() throws IOException {
    try {
      if (lock.isValid()) {
        lock.release();
      }
    } finally {
      try {
        channel.close();
      } finally {
        HELD.remove(dir);
      }
    }
  }
}
