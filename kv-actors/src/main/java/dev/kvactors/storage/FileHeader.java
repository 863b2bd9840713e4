package dev.kvactors.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** The 8 bytes every data file starts with: a magic number naming its kind, and a format version. */
enum FileHeader {
  LOG(0x4B564C47), // "KVLG"
  SNAPSHOT(0x4B56534E); // "KVSN"

  static final int BYTES = 8;
  static final int VERSION = 1;

  private final int magic;

  FileHeader(int magic) {
    this.magic = magic;
  }

  ByteBuffer bytes() {
    ByteBuffer b = ByteBuffer.allocate(BYTES);
    b.putInt(magic).putInt(VERSION).flip();
    return b;
  }

  /** Reads and checks the header at the start of {@code channel}. */
  void check(Path file, FileChannel channel) throws IOException {
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
    if (version != VERSION) {
      throw new CorruptDataException(file, 4, "unsupported format version " + version + " (this build reads "
          + VERSION + ")");
    }
  }
}
