package dev.kvactors.internal.storage;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A child JVM for {@link DataDirLockTest}: exits 0 if it could lock the directory (waiting up to
 * the optional second argument, in seconds), 1 if not.
 */
public final class LockProbe {
  private LockProbe() {}

  public static void main(String[] args) throws IOException {
    try (DataDirLock lock = DataDirLock.acquire(Path.of(args[0]),
        java.time.Duration.ofMillis(args.length > 1 ? (long) (Double.parseDouble(args[1]) * 1000) : 0))) {
      System.exit(0);
    } catch (DataDirLockedException e) {
      System.exit(1);
    }
  }
}
