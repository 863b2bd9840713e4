package dev.kvactors.internal.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** The 8 bytes every data file starts with: a magic number naming its kind, and a format version. */
enum FileHeader {
  LOG(0x4B564C47), // "KVLG"
  SNAPSHOT(0x4B56534E), // "KVSN"
  MANIFEST(0x4B564D46); // "KVMF"

  static final int BYTES = 8;
  /**
   * The version this build writes. Version 1 files were written before the manifest existed; this
   * build reads them (a directory of version 1 files and no manifest is upgraded at start). Version
   * 3 added deadlines (expiry): two record types and an optional deadline in snapshot entries; a
   * version 2 file is a valid version 3 file, so the newest log and the manifest of a version 2
   * directory are marked version 3 at start, and a build that reads only up to 2 refuses it.
   */
  static final int VERSION = 3;
  static final int FIRST_VERSION = 1;
  /** The first manifest version: manifests of versions 2 and 3 have the same layout. */
  static final int FIRST_MANIFEST_VERSION = 2;

  private final int magic;

  FileHeader(int magic) {
    this.magic = magic;
  }

  /** The format version of a data file, read from its header, or 0 if it has no valid header of this kind. */
  int versionOf(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, java.nio.file.StandardOpenOption.READ)) {
      return check(file, ch);
    } catch (CorruptDataException e) {
      return 0;
    }
  }

  ByteBuffer bytes() {
    ByteBuffer b = ByteBuffer.allocate(BYTES);
    b.putInt(magic).putInt(VERSION).flip();
    return b;
  }

  /** Reads and checks the header at the start of {@code channel}; returns its format version. */
  int check(Path file, FileChannel channel) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(BYTES);
    while (b.hasRemaining()) {
      if (channel.read(b, b.position()) < 0) {
        throw new CorruptDataException(file, 0, "file is shorter than its " + BYTES + "-byte header");
      }
    }
    b.flip();
    int m = b.getInt();
    int version = b.getInt();
    if (m != magic) {
      throw new CorruptDataException(file, 0, "not a " + name().toLowerCase(java.util.Locale.ROOT) + " file (bad magic number)");
    }
    int first = this == MANIFEST ? FIRST_MANIFEST_VERSION : FIRST_VERSION;
    if (version < first || version > VERSION) {
      throw new CorruptDataException(file, 4, "unsupported format version " + version + " (this build reads "
          + first + " to " + VERSION + ")");
    }
    return version;
  }
}
