package dev.kvactors.internal.storage;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a data directory must hold: whether there is a snapshot, the first and the newest log
 * generation, the length of every log before the newest, and whether the store was shut down
 * cleanly (then also the newest log's exact length). Stored in the file {@code MANIFEST}: the
 * 8-byte header, then one frame {@code [length][crc32c][payload]}; replaced as a whole with temp
 * file, fsync, rename, directory fsync. Recovery refuses a directory that lacks a file the manifest
 * names, and after a clean shutdown any log that is not exactly as it was.
 *
 * @param snapshot whether {@code snapshot.kvs} exists
 * @param firstLogGeneration the first log replayed over the snapshot
 * @param lastLogGeneration the newest log; {@code firstLogGeneration - 1} when there is no log yet
 * @param sealedLogLengths the lengths of logs {@code firstLogGeneration .. lastLogGeneration - 1},
 *     which are never appended to again
 * @param clean whether the store was shut down cleanly, with the newest log synced and closed
 * @param newestLogLength the newest log's length at the clean shutdown; -1 when not {@code clean}
 */
public record Manifest(boolean snapshot, long firstLogGeneration, long lastLogGeneration,
    List<Long> sealedLogLengths, boolean clean, long newestLogLength) {

  public Manifest {
    sealedLogLengths = List.copyOf(requireNonNull(sealedLogLengths, "sealedLogLengths is null"));
    if (firstLogGeneration < 1 || lastLogGeneration < firstLogGeneration - 1) {
      throw new IllegalArgumentException("invalid log generations " + firstLogGeneration + ".." + lastLogGeneration);
    }
    if (sealedLogLengths.size() != Math.max(0, lastLogGeneration - firstLogGeneration)) {
      throw new IllegalArgumentException(sealedLogLengths.size() + " sealed log lengths for generations "
          + firstLogGeneration + ".." + lastLogGeneration);
    }
    if (clean != (newestLogLength >= 0)) {
      throw new IllegalArgumentException("a newest log length is known exactly when the shutdown was clean");
    }
  }

  /** Test and diagnostics access: the manifest's file in {@code dir}. */
  public static Path file(Path dir) {
    return Filenames.manifest(dir);
  }

  /** Whether {@code generation} is a log this manifest names. */
  public boolean names(long generation) {
    return generation >= firstLogGeneration && generation <= lastLogGeneration;
  }

  /** The expected length of sealed log {@code generation}. */
  public long sealedLength(long generation) {
    return sealedLogLengths.get((int) (generation - firstLogGeneration));
  }

  /** This manifest with the store running again: no longer a clean shutdown. */
  public Manifest opened() {
    return new Manifest(snapshot, firstLogGeneration, lastLogGeneration, sealedLogLengths, false, -1);
  }

  /** This manifest after a clean shutdown with the newest log {@code length} bytes long. */
  public Manifest closed(long length) {
    return new Manifest(snapshot, firstLogGeneration, lastLogGeneration, sealedLogLengths, true, length);
  }

  /** This manifest after log {@code lastLogGeneration} was sealed at {@code length} and a new log started. */
  public Manifest withNewLog(long length) {
    List<Long> sealed = new ArrayList<>(sealedLogLengths);
    if (lastLogGeneration >= firstLogGeneration) {
      sealed.add(length);
    }
    return new Manifest(snapshot, firstLogGeneration, lastLogGeneration + 1, sealed, false, -1);
  }

  /** This manifest after a snapshot that covers every log before {@code generation} was put in place. */
  public Manifest withSnapshot(long generation) {
    if (generation < firstLogGeneration || generation > lastLogGeneration + 1) {
      throw new IllegalArgumentException("a snapshot up to generation " + generation + " does not fit logs "
          + firstLogGeneration + ".." + lastLogGeneration);
    }
    List<Long> sealed = sealedLogLengths.subList((int) Math.min(sealedLogLengths.size(), generation
        - firstLogGeneration), sealedLogLengths.size());
    return new Manifest(true, generation, lastLogGeneration, sealed, clean, newestLogLength);
  }

  /** Reads the manifest of {@code dir}, or empty if there is none; any damage is an error. */
  public static Optional<Manifest> read(Path dir) throws IOException {
    Path file = Filenames.manifest(dir);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      FileHeader.MANIFEST.check(file, ch);
      try (FrameReader reader = new FrameReader(file, ch, FileHeader.BYTES)) {
        FrameReader.Result r = reader.next();
        if (r instanceof FrameReader.Damage d) {
          throw new CorruptDataException(file, d.offset(), d.reason());
        }
        if (!(r instanceof FrameReader.Frame frame)) {
          throw new CorruptDataException(file, FileHeader.BYTES, "the manifest is empty");
        }
        Manifest m = Snapshot.decode(file, frame, () -> decode(frame.payload()));
        if (!(reader.next() instanceof FrameReader.End)) {
          throw new CorruptDataException(file, FileHeader.BYTES + RecordCodec.FRAME_HEADER_BYTES
              + frame.payload().length, "unexpected data after the manifest");
        }
        return Optional.of(m);
      }
    }
  }

  /** Replaces the manifest of {@code dir}: temp file, fsync, rename, directory fsync. */
  public void write(Path dir) throws IOException {
    write(dir, true);
  }

  /**
   * Replaces the manifest of {@code dir}; without {@code syncDirectory} the rename may be lost in
   * a power cut, leaving the previous manifest. Only for the clean-shutdown mark, whose loss makes
   * the next start treat the shutdown as a crash: the safe side.
   */
  void write(Path dir, boolean syncDirectory) throws IOException {
    Path target = Filenames.manifest(dir);
    Path temp = Filenames.temp(target);
    byte[] payload = encode();
    ByteBuffer buf = ByteBuffer.allocate(FileHeader.BYTES + RecordCodec.FRAME_HEADER_BYTES + payload.length);
    buf.put(FileHeader.MANIFEST.bytes());
    buf.putInt(payload.length).putInt(RecordCodec.checksum(payload, 0, payload.length)).put(payload).flip();
    try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE)) {
      ChannelIo.writeFully(ch, buf);
      ch.force(true);
    }
    CrashPoints.reached(CrashPoints.Point.MANIFEST_TEMP_WRITTEN);
    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    CrashPoints.reached(CrashPoints.Point.MANIFEST_RENAMED_BEFORE_DIRECTORY_SYNC);
    if (syncDirectory) {
      FileSync.directory(dir);
    }
  }

  private byte[] encode() {
    ByteBuffer b = ByteBuffer.allocate(1 + 8 + 8 + 1 + 8 + 4 + 8 * sealedLogLengths.size());
    b.put((byte) (snapshot ? 1 : 0)).putLong(firstLogGeneration).putLong(lastLogGeneration)
        .put((byte) (clean ? 1 : 0)).putLong(newestLogLength).putInt(sealedLogLengths.size());
    sealedLogLengths.forEach(b::putLong);
    return b.array();
  }

  private static Manifest decode(byte[] payload) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(payload);
    try {
      boolean snapshot = flag(b.get());
      long first = b.getLong();
      long last = b.getLong();
      boolean clean = flag(b.get());
      long newest = b.getLong();
      int count = b.getInt();
      if (count < 0 || count > b.remaining() / 8) {
        throw new IOException("invalid count of sealed logs " + count);
      }
      List<Long> sealed = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        sealed.add(b.getLong());
      }
      if (b.hasRemaining()) {
        throw new IOException(b.remaining() + " bytes after the last field");
      }
      return new Manifest(snapshot, first, last, sealed, clean, newest);
    } catch (java.nio.BufferUnderflowException e) {
      throw new IOException("payload too short", e);
    }
  }

  private static boolean flag(byte b) throws IOException {
    if (b != 0 && b != 1) {
      throw new IOException("invalid flag " + b);
    }
    return b == 1;
  }
}
