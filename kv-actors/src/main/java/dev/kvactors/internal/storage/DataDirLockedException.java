package dev.kvactors.internal.storage;

import java.io.IOException;
import java.nio.file.Path;

/** Another process (or another store in this process) holds the data directory. */
public final class DataDirLockedException extends IOException {
  public DataDirLockedException(Path dir, String holder) {
    super("data directory " + dir + " is locked by another process" + holder);
  }
}
