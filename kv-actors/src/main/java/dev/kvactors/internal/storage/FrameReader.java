package dev.kvactors.internal.storage;

import static java.util.Objects.requireNonNull;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Reads the frames of one data file in order. A frame that cannot be read whole and intact is
 * reported as {@link Damage} at its offset; whether that is a torn tail or corruption is the
 * caller's decision, helped by {@link #hasValidFrameAfter(long)}.
 */
final class FrameReader implements AutoCloseable {
  /** What {@link #next()} found. */
  sealed interface Result {}

  record Frame(long offset, byte[] payload) implements Result {}

  record End(long offset) implements Result {}

  record Damage(long offset, String reason) implements Result {}

  private final Path file;
  private final FileChannel channel;
  private final long size;
  private final DataInputStream in;
  private long offset;

  FrameReader(Path file, FileChannel channel, long start) throws IOException {
    this.file = requireNonNull(file, "file is null");
    this.channel = requireNonNull(channel, "channel is null");
    this.size = channel.size();
    this.offset = start;
    channel.position(start);
    this.in = new DataInputStream(new BufferedInputStream(ChannelIo.inputStream(channel), 1 << 16));
  }

  long size() {
    return size;
  }

  Result next() throws IOException {
    long remaining = size - offset;
    if (remaining == 0) {
      return new End(offset);
    }
    if (remaining < RecordCodec.FRAME_HEADER_BYTES) {
      return new Damage(offset, "incomplete frame header (" + remaining + " bytes)");
    }
    int length;
    int crc;
    try {
      length = in.readInt();
      crc = in.readInt();
    } catch (EOFException e) {
      return new Damage(offset, "file ended inside a frame header");
    }
    if (length <= 0 || length > RecordCodec.MAX_PAYLOAD_BYTES) {
      return new Damage(offset, "invalid frame length " + length);
    }
    if (length > remaining - RecordCodec.FRAME_HEADER_BYTES) {
      return new Damage(offset, "frame of " + length + " bytes runs past the end of the file");
    }
    byte[] payload = new byte[length];
    try {
      in.readFully(payload);
    } catch (EOFException e) {
      return new Damage(offset, "file ended inside a frame");
    }
    if (RecordCodec.checksum(payload, 0, length) != crc) {
      return new Damage(offset, "checksum mismatch");
    }
    Frame frame = new Frame(offset, payload);
    offset += RecordCodec.FRAME_HEADER_BYTES + length;
    return frame;
  }

  /**
   * Whether any intact frame starts after {@code damageOffset}. A crash can only leave garbage
   * at the end of a log; an intact frame after the damage means the damage is not a torn tail.
   */
  boolean hasValidFrameAfter(long damageOffset) throws IOException {
    long regionStart = damageOffset + 1;
    long regionLength = size - regionStart;
    if (regionLength < RecordCodec.FRAME_HEADER_BYTES + 1) {
      return false;
    }
    if (regionLength > Integer.MAX_VALUE) {
      return true; // too large to scan: treat as damage in the middle, the safe answer
    }
    MappedByteBuffer region = channel.map(FileChannel.MapMode.READ_ONLY, regionStart, regionLength);
    int limit = (int) regionLength;
    for (int p = 0; p + RecordCodec.FRAME_HEADER_BYTES < limit; p++) {
      int length = region.getInt(p);
      if (length <= 0 || length > limit - p - RecordCodec.FRAME_HEADER_BYTES) {
        continue;
      }
      int crc = region.getInt(p + 4);
      byte[] payload = new byte[length];
      region.get(p + RecordCodec.FRAME_HEADER_BYTES, payload);
      if (RecordCodec.checksum(payload, 0, length) == crc) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
