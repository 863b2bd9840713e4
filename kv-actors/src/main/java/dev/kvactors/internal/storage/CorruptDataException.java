package dev.kvactors.internal.storage;

import java.io.IOException;
import java.nio.file.Path;

/** A data file is damaged somewhere a crash cannot explain; the store refuses to start. */
public final class CorruptDataException extends IOException {
  private final Path file;
  private final long offset;
  private final String reason;

  public CorruptDataException(Path file, long offset, String reason) {
    super(file + " is damaged at offset " + offset + ": " + reason
        + "; refusing to start (nothing was changed; `kv repair` salvages the valid prefix)");
    this.file = file;
    this.offset = offset;
    this.reason = reason;
  }

  public CorruptDataException(Path file, String reason) {
    super(file + ": " + reason + "; refusing to start (nothing was changed; `kv repair` salvages the valid prefix)");
    this.file = file;
    this.offset = -1;
    this.reason = reason;
  }

  public Path file() {
    return file;
  }

  /** What is wrong, without the file and offset. */
  public String reason() {
    return reason;
  }

  /** Byte offset of the damage, or -1 when the problem is not at one place. */
  public long offset() {
    return offset;
  }
}
