package dev.kvactors.internal.storage;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Encodes records as frames {@code [int length][int crc32c(payload)][payload]} (big-endian), the
 * payload a small CBOR array written with Jackson's streaming API:
 *
 * <ul>
 *   <li>log record: {@code [1, key, value]} for a put, {@code [2, key]} for a remove, {@code [3]}
 *       for a clear (every key before it in the log is gone); since format version 3 also
 *       {@code [4, key, value, deadline]} for a put with a deadline and {@code [5, key, deadline]}
 *       for a change of a key's deadline ({@code 0}: none, Redis {@code PERSIST}); and
 *       {@code [6, [1, key, value], [2, key], [4, ...], [5, ...], ...]} for a batch: its puts,
 *       removes and deadline changes, in order, kept or lost together (one frame, one checksum);
 *   <li>snapshot header: {@code [firstLogGeneration, entryCount]};
 *   <li>snapshot entry: {@code [key, value]}, or since version 3 {@code [key, value, deadline]}
 *       for a key with a deadline.
 * </ul>
 *
 * A deadline is absolute wall-clock time in milliseconds since the epoch, as in Redis's AOF.
 *
 * Not thread-safe: one instance per thread.
 */
public final class RecordCodec {
  /** Bytes before each payload: length and checksum. */
  public static final int FRAME_HEADER_BYTES = 8;
  /** Hard limits, independent of configuration, so that recovery never depends on settings. */
  public static final int MAX_KEY_BYTES = 64 * 1024;
  public static final int MAX_VALUE_BYTES = 512 * 1024 * 1024;
  public static final int MAX_PAYLOAD_BYTES = MAX_VALUE_BYTES + MAX_KEY_BYTES + 64;

  private static final int PUT = 1;
  private static final int REMOVE = 2;
  private static final int CLEAR = 3;
  private static final int PUT_EXPIRING = 4;
  private static final int EXPIRE = 5;
  private static final int BATCH = 6;
  private static final CBORFactory CBOR = new CBORFactory();

  private final CRC32C crc = new CRC32C();
  private final BufferOutput payload = new BufferOutput();

  /** A stream into a growing heap buffer: the payload is encoded straight into its frame. */
  private static final class BufferOutput extends OutputStream {
    ByteBuffer buf;

    @Override
    public void write(int b) {
      buf = ensureRemaining(buf, 1);
      buf.put((byte) b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      buf = ensureRemaining(buf, len);
      buf.put(b, off, len);
    }
  }

  /** Writes one payload. */
  private interface Encoder {
    void encode(JsonGenerator g) throws IOException;
  }

  /** Appends the frame of one log record to {@code out}, growing it if needed; returns the buffer. */
  public ByteBuffer appendRecord(Mutation mutation, ByteBuffer out) {
    int sizeHint = 0;
    for (Mutation m : mutation.changes()) {
      sizeHint += (m instanceof Mutation.Put put ? put.value().length : 0) + m.key().length() * 3 + 16;
    }
    return appendFrame(out, sizeHint + 16, "a record", g -> writeRecord(g, mutation));
  }

  private static void writeRecord(JsonGenerator g, Mutation mutation) throws IOException {
    g.writeStartArray();
    if (mutation instanceof Mutation.Put put) {
      boolean expiring = put.deadline() != Mutation.NO_DEADLINE;
      g.writeNumber(expiring ? PUT_EXPIRING : PUT);
      g.writeString(put.key());
      g.writeBinary(put.value());
      if (expiring) {
        g.writeNumber(put.deadline());
      }
    } else if (mutation instanceof Mutation.Expire expire) {
      g.writeNumber(EXPIRE);
      g.writeString(expire.key());
      g.writeNumber(expire.deadline());
    } else if (mutation instanceof Mutation.Remove) {
      g.writeNumber(REMOVE);
      g.writeString(mutation.key());
    } else if (mutation instanceof Mutation.Batch batch) {
      g.writeNumber(BATCH);
      for (Mutation part : batch.parts()) {
        writeRecord(g, part);
      }
    } else {
      g.writeNumber(CLEAR);
    }
    g.writeEndArray();
  }

  /** Appends the snapshot's header frame. */
  public ByteBuffer appendSnapshotHeader(long firstLogGeneration, long entries, ByteBuffer out) {
    return appendFrame(out, 32, "a snapshot header", g -> {
      g.writeStartArray();
      g.writeNumber(firstLogGeneration);
      g.writeNumber(entries);
      g.writeEndArray();
    });
  }

  /** Appends one snapshot entry's frame. */
  public ByteBuffer appendSnapshotEntry(String key, byte[] value, ByteBuffer out) {
    return appendSnapshotEntry(key, value, Mutation.NO_DEADLINE, out);
  }

  /** Appends one snapshot entry's frame, with its deadline unless it is {@link Mutation#NO_DEADLINE}. */
  public ByteBuffer appendSnapshotEntry(String key, byte[] value, long deadline, ByteBuffer out) {
    return appendFrame(out, value.length + key.length() * 3 + 24, "a snapshot entry", g -> {
      g.writeStartArray();
      g.writeString(key);
      g.writeBinary(value);
      if (deadline != Mutation.NO_DEADLINE) {
        g.writeNumber(deadline);
      }
      g.writeEndArray();
    });
  }

  /**
   * Encodes a payload straight into {@code out} behind room for its frame header, then fills in
   * the header: the value is copied once, into the frame (not into a builder, then an array, then
   * the frame).
   */
  private ByteBuffer appendFrame(ByteBuffer out, int sizeHint, String what, Encoder encoder) {
    ByteBuffer target = ensureRemaining(out, FRAME_HEADER_BYTES + sizeHint);
    int start = target.position();
    target.position(start + FRAME_HEADER_BYTES);
    payload.buf = target;
    try (JsonGenerator g = CBOR.createGenerator(payload)) {
      encoder.encode(g);
    } catch (IOException e) {
      throw new UncheckedIOException("encoding " + what + " in memory failed", e);
    }
    target = payload.buf;
    payload.buf = null;
    int length = target.position() - start - FRAME_HEADER_BYTES;
    crc.reset();
    crc.update(target.array(), target.arrayOffset() + start + FRAME_HEADER_BYTES, length);
    target.putInt(start, length);
    target.putInt(start + Integer.BYTES, (int) crc.getValue());
    return target;
  }

  /** The CRC-32C of a payload, as stored in a frame. */
  public static int checksum(byte[] bytes, int offset, int length) {
    CRC32C c = new CRC32C();
    c.update(bytes, offset, length);
    return (int) c.getValue();
  }

  /** Decodes a log record's payload. */
  public static Mutation decodeRecord(byte[] bytes) throws IOException {
    try (JsonParser p = CBOR.createParser(bytes)) {
      expect(p, JsonToken.START_ARRAY);
      return readRecord(p, true);
    }
  }

  /** Reads one record after its opening bracket, up to and including its closing one. */
  private static Mutation readRecord(JsonParser p, boolean topLevel) throws IOException {
    expect(p, JsonToken.VALUE_NUMBER_INT);
    int type = p.getIntValue();
    Mutation m;
    if (type == CLEAR && topLevel) {
      m = new Mutation.Clear();
    } else if (type >= PUT && type <= EXPIRE) {
      expect(p, JsonToken.VALUE_STRING);
      String key = p.getText();
      m = switch (type) {
        case PUT -> new Mutation.Put(key, readBinary(p));
        case REMOVE -> new Mutation.Remove(key);
        case PUT_EXPIRING -> new Mutation.Put(key, readBinary(p), readDeadline(p));
        default -> new Mutation.Expire(key, readDeadline(p, true));
      };
    } else if (type == BATCH && topLevel) {
      java.util.List<Mutation> parts = new java.util.ArrayList<>();
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.START_ARRAY) {
        parts.add(readRecord(p, false));
      }
      if (t != JsonToken.END_ARRAY || parts.isEmpty()) {
        throw new IOException("malformed payload: a batch record needs one or more puts, removes and deadline changes, found " + t);
      }
      return new Mutation.Batch(parts);
    } else {
      throw new IOException("unknown record type " + type + (topLevel ? "" : " inside a batch record"));
    }
    expect(p, JsonToken.END_ARRAY);
    return m;
  }

  /** Decodes a snapshot header: {@code [firstLogGeneration, entryCount]}. */
  public static long[] decodeSnapshotHeader(byte[] bytes) throws IOException {
    try (JsonParser p = CBOR.createParser(bytes)) {
      expect(p, JsonToken.START_ARRAY);
      expect(p, JsonToken.VALUE_NUMBER_INT);
      long gen = p.getLongValue();
      expect(p, JsonToken.VALUE_NUMBER_INT);
      long count = p.getLongValue();
      expect(p, JsonToken.END_ARRAY);
      return new long[] {gen, count};
    }
  }

  /** Decodes a snapshot entry as a put (with its deadline, if it has one). */
  public static Mutation.Put decodeSnapshotEntry(byte[] bytes) throws IOException {
    try (JsonParser p = CBOR.createParser(bytes)) {
      expect(p, JsonToken.START_ARRAY);
      expect(p, JsonToken.VALUE_STRING);
      String key = p.getText();
      byte[] value = readBinary(p);
      JsonToken t = p.nextToken();
      long deadline = Mutation.NO_DEADLINE;
      if (t == JsonToken.VALUE_NUMBER_INT) {
        deadline = positive(p.getLongValue());
        t = p.nextToken();
      }
      if (t != JsonToken.END_ARRAY) {
        throw new IOException("malformed payload: expected END_ARRAY but found " + t);
      }
      return new Mutation.Put(key, value, deadline);
    }
  }

  private static long readDeadline(JsonParser p) throws IOException {
    return readDeadline(p, false);
  }

  /** A deadline: positive epoch millis; 0 ("none") only where {@code zeroAllowed}. */
  private static long readDeadline(JsonParser p, boolean zeroAllowed) throws IOException {
    expect(p, JsonToken.VALUE_NUMBER_INT);
    long deadline = p.getLongValue();
    return zeroAllowed && deadline == Mutation.NO_DEADLINE ? deadline : positive(deadline);
  }

  private static long positive(long deadline) throws IOException {
    if (deadline <= 0) {
      throw new IOException("invalid deadline " + deadline);
    }
    return deadline;
  }

  private static byte[] readBinary(JsonParser p) throws IOException {
    expect(p, JsonToken.VALUE_EMBEDDED_OBJECT);
    return p.getBinaryValue();
  }

  private static void expect(JsonParser p, JsonToken token) throws IOException {
    JsonToken t = p.nextToken();
    if (t != token) {
      throw new IOException("malformed payload: expected " + token + " but found " + t);
    }
  }

  /** Returns {@code buf} if it has room for {@code n} more bytes, else a larger copy of it. */
  public static ByteBuffer ensureRemaining(ByteBuffer buf, int n) {
    if (buf.remaining() >= n) {
      return buf;
    }
    int needed = buf.position() + n;
    int capacity = Math.max(needed, buf.capacity() * 2);
    ByteBuffer bigger = ByteBuffer.allocate(capacity);
    buf.flip();
    bigger.put(buf);
    return bigger;
  }
}
