package dev.kvactors.internal.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * The snapshot file: a header, a frame {@code [firstLogGeneration, entryCount]}, then one frame
 * per entry (with the key's deadline, if it has one). It holds the whole map as of the start of
 * log {@code firstLogGeneration}; the logs from that generation on are replayed over it.
 */
public final class Snapshot {
  private static final int WRITE_BUFFER_BYTES = 1 << 20;

  /** What a snapshot file held: the values, and the deadlines of the keys that have one. */
  public record Contents(Map<String, byte[]> entries, Map<String, Long> deadlines, long firstLogGeneration,
      long bytes) {}

  private Snapshot() {}

  /**
   * Writes {@code entries} as the new snapshot: temp file, fsync, rename over the old one, fsync
   * of the directory. Returns the file's size. Stops with {@link CancellationException} (leaving
   * the old snapshot in place) as soon as {@code cancelled} says so.
   */
  public static long write(Path dir, Map<String, byte[]> entries, long firstLogGeneration,
      BooleanSupplier cancelled) throws IOException {
    return write(dir, entries, Map.of(), firstLogGeneration, cancelled);
  }

  /**
   * Writes {@code entries}, each with its deadline in {@code deadlines} if it has one, as the new
   * snapshot, as {@link #write(Path, Map, long, BooleanSupplier)} does.
   */
  public static long write(Path dir, Map<String, byte[]> entries, Map<String, Long> deadlines,
      long firstLogGeneration, BooleanSupplier cancelled) throws IOException {
    Path target = Filenames.snapshot(dir);
    Path temp = Filenames.temp(target);
    RecordCodec codec = new RecordCodec();
    long bytes;
    try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.allocate(WRITE_BUFFER_BYTES);
      buf.put(FileHeader.SNAPSHOT.bytes());
      buf = codec.appendSnapshotHeader(firstLogGeneration, entries.size(), buf);
      long written = 0;
      long half = entries.size() / 2;
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        if (cancelled.getAsBoolean()) {
          throw new CancellationException("snapshot cancelled");
        }
        Long deadline = deadlines.isEmpty() ? null : deadlines.get(e.getKey());
        buf = codec.appendSnapshotEntry(e.getKey(), e.getValue(), deadline == null ? Mutation.NO_DEADLINE : deadline,
            buf);
        if (buf.position() >= WRITE_BUFFER_BYTES || ++written == half) {
          buf = drain(ch, buf);
          if (written == half) {
            CrashPoints.reached(CrashPoints.Point.SNAPSHOT_TEMP_PARTLY_WRITTEN);
          }
        }
      }
      drain(ch, buf);
      ch.force(true);
      bytes = ch.size();
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    if (cancelled.getAsBoolean()) {
      Files.deleteIfExists(temp);
      throw new CancellationException("snapshot cancelled");
    }
    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    CrashPoints.reached(CrashPoints.Point.SNAPSHOT_RENAMED_BEFORE_DIRECTORY_SYNC);
    FileSync.directory(dir);
    return bytes;
  }

  /** Writes {@code buf} out; returns it emptied, or a fresh buffer if a large entry had grown it. */
  private static ByteBuffer drain(FileChannel ch, ByteBuffer buf) throws IOException {
    buf.flip();
    ChannelIo.writeFully(ch, buf);
    if (buf.capacity() > WRITE_BUFFER_BYTES * 4) {
      return ByteBuffer.allocate(WRITE_BUFFER_BYTES);
    }
    return buf.clear();
  }

  /** Reads a snapshot; any damage at all is an error, since snapshots are only ever renamed in whole. */
  public static Contents read(Path file) throws IOException {
    Prefix prefix = readPrefix(file);
    if (prefix.damage().isPresent()) {
      throw prefix.damage().get();
    }
    return prefix.contents();
  }

  /**
   * The entries of a snapshot up to its first damage, and that damage if there is one (for repair).
   * {@code firstLogGeneration} is 0 when even the header frame is unreadable.
   */
  record Prefix(Contents contents, Optional<CorruptDataException> damage) {}

  static Prefix readPrefix(Path file) throws IOException {
    Map<String, byte[]> entries = new HashMap<>();
    Map<String, Long> deadlines = new HashMap<>();
    long[] firstLogGeneration = {0};
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      Optional<CorruptDataException> damage = Optional.empty();
      try {
        readEntries(file, ch, entries, deadlines, firstLogGeneration);
      } catch (CorruptDataException e) {
        damage = Optional.of(e);
      }
      return new Prefix(new Contents(entries, deadlines, firstLogGeneration[0], size), damage);
    }
  }

  private static void readEntries(Path file, FileChannel ch, Map<String, byte[]> entries,
      Map<String, Long> deadlines, long[] firstLogGeneration) throws IOException {
    FileHeader.SNAPSHOT.check(file, ch);
    try (FrameReader reader = new FrameReader(file, ch, FileHeader.BYTES)) {
      FrameReader.Result first = reader.next();
      if (!(first instanceof FrameReader.Frame header)) {
        throw damaged(file, first);
      }
      long[] meta = decode(file, header, () -> RecordCodec.decodeSnapshotHeader(header.payload()));
      long count = meta[1];
      if (meta[0] < 1 || count < 0) {
        throw new CorruptDataException(file, header.offset(), "invalid snapshot header " + meta[0] + "/" + count);
      }
      firstLogGeneration[0] = meta[0];
      for (long i = 0; i < count; i++) {
        FrameReader.Result r = reader.next();
        if (!(r instanceof FrameReader.Frame frame)) {
          throw damaged(file, r);
        }
        Mutation.Put put = decode(file, frame, () -> RecordCodec.decodeSnapshotEntry(frame.payload()));
        put.applyTo(entries, deadlines);
      }
      FrameReader.Result end = reader.next();
      if (!(end instanceof FrameReader.End)) {
        long at = end instanceof FrameReader.Frame f ? f.offset() : ((FrameReader.Damage) end).offset();
        throw new CorruptDataException(file, at, "unexpected data after the last of " + count + " entries");
      }
    }
  }

  private static CorruptDataException damaged(Path file, FrameReader.Result r) {
    if (r instanceof FrameReader.Damage d) {
      return new CorruptDataException(file, d.offset(), d.reason());
    }
    return new CorruptDataException(file, ((FrameReader.End) r).offset(), "snapshot ends before its last entry");
  }

  interface Decoder<T> {
    T decode() throws IOException;
  }

  static <T> T decode(Path file, FrameReader.Frame frame, Decoder<T> decoder) throws CorruptDataException {
    try {
      return decoder.decode();
    } catch (IOException | RuntimeException e) {
      throw new CorruptDataException(file, frame.offset(), "intact frame with an unreadable payload ("
          + e.getMessage() + ")");
    }
  }
}
