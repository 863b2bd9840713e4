package dev.kvactors.cli;

import dev.kvactors.KvException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * What a command needs of its data directory, checked before the store or the log touches it, so
 * that a mistyped {@code --data-dir} is reported instead of becoming a new, empty store. Each
 * failure is a {@link KvException} with one line naming the directory (exit code 3).
 */
final class DataDir {
  /** How a command uses the data directory. */
  enum Use {
    /** {@code get}, {@code keys}: the directory must exist; a read-only one is read without its lock. */
    READ,
    /** {@code delete}, {@code repair}: the directory must exist and be writable. */
    UPDATE,
    /** {@code set}, {@code serve}: created if missing; must be writable. */
    CREATE
  }

  private DataDir() {}

  /**
   * Checks (and for {@link Use#CREATE} creates) {@code dir} for {@code use}; returns whether it is
   * writable (false only for {@link Use#READ} of a read-only directory).
   */
  static boolean prepare(Path dir, Use use) {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new KvException("data directory " + dir + " is not a directory", false);
    }
    if (!Files.exists(dir)) {
      if (use != Use.CREATE) {
        throw new KvException("data directory " + dir + " does not exist (kv set creates it)", false);
      }
      try {
        Files.createDirectories(dir);
      } catch (IOException e) {
        throw new KvException("cannot create data directory " + dir + ": " + describe(e), false, e);
      }
    }
    if (!Files.isReadable(dir) || !Files.isExecutable(dir)) {
      throw new KvException("data directory " + dir + " is not readable (permission denied)", false);
    }
    boolean writable = Files.isWritable(dir);
    if (!writable && use != Use.READ) {
      throw new KvException("data directory " + dir + " is read-only; get and keys can read it, but "
          + (use == Use.CREATE ? "set" : "delete and repair") + " need write access", false);
    }
    return writable;
  }

  /** An I/O error as a user reads it: the reason, with the file it names if any. */
  static String describe(IOException e) {
    if (e instanceof FileSystemException fs) {
      String reason = fs.getReason() != null ? fs.getReason()
          : fs instanceof AccessDeniedException ? "permission denied"
          : fs instanceof NoSuchFileException ? "no such file or directory"
          : fs.getClass().getSimpleName();
      return fs.getFile() != null ? fs.getFile() + ": " + reason : reason;
    }
    return e.getMessage() != null ? e.getMessage() : e.toString();
  }
}
