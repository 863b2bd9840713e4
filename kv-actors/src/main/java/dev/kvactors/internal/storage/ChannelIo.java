package dev.kvactors.internal.storage;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;

/**
 * Reads and writes of a file channel in slices of at most {@link #MAX_IO_BYTES}. Given a heap
 * buffer, the JDK copies it into a temporary direct buffer as large as the call and keeps that
 * buffer cached for the thread: one 16 MiB value would otherwise hold 16 MiB of direct memory on
 * every thread that ever wrote or read one.
 */
final class ChannelIo {
  static final int MAX_IO_BYTES = 1 << 20;

  private ChannelIo() {}

  /** Writes every remaining byte of {@code buf}; returns how many. */
  static long writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
    int limit = buf.limit();
    long n = 0;
    try {
      while (buf.position() < limit) {
        buf.limit(Math.min(limit, buf.position() + MAX_IO_BYTES));
        while (buf.hasRemaining()) {
          n += ch.write(buf);
        }
        buf.limit(limit);
      }
    } finally {
      buf.limit(limit);
    }
    return n;
  }

  /** A stream over {@code ch} from its position that reads at most {@link #MAX_IO_BYTES} a call. */
  static InputStream inputStream(FileChannel ch) {
    return new FilterInputStream(Channels.newInputStream(ch)) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return in.read(b, off, Math.min(len, MAX_IO_BYTES));
      }
    };
  }
}
