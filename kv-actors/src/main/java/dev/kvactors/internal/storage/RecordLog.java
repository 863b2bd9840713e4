package dev.kvactors.internal.storage;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** One append-only log file: a header, then frames written by {@link RecordCodec}. */
public final class RecordLog implements AutoCloseable {
  private final Path file;
  private final long generation;
  private final FileChannel channel;
  private long size;

  private RecordLog(Path file, long generation, FileChannel channel, long size) {
    this.file = requireNonNull(file, "file is null");
    this.generation = generation;
    this.channel = requireNonNull(channel, "channel is null");
    this.size = size;
  }

  /**
   * Creates log {@code generation} in {@code dir}: header written to a temp file, synced, renamed
   * into place, directory synced; so a log file is never seen without its header.
   */
  public static RecordLog create(Path dir, long generation) throws IOException {
    Path file = Filenames.log(dir, generation);
    Path temp = Filenames.temp(file);
    try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE)) {
      ChannelIo.writeFully(ch, FileHeader.LOG.bytes());
      ch.force(true);
    }
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    FileSync.directory(dir);
    FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE);
    ch.position(FileHeader.BYTES);
    return new RecordLog(file, generation, ch, FileHeader.BYTES);
  }

  /**
   * Opens an existing log to append after its last intact record at {@code validLength}; a torn
   * tail beyond it is cut off and the cut synced before anything new is written.
   */
  public static RecordLog openForAppend(Path file, long generation, long validLength) throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE);
    try {
      if (ch.size() > validLength) {
        ch.truncate(validLength);
        ch.force(true);
      }
      ch.position(validLength);
    } catch (IOException e) {
      ch.close();
      throw e;
    }
    return new RecordLog(file, generation, ch, validLength);
  }

  /** Writes every remaining byte of {@code frames} (the OS may still cache them). */
  public void write(ByteBuffer frames) throws IOException {
    size += ChannelIo.writeFully(channel, frames);
    CrashPoints.reached(CrashPoints.Point.LOG_WRITTEN_BEFORE_SYNC);
  }

  /** Forces what was written to the device. */
  public void sync() throws IOException {
    channel.force(false);
    CrashPoints.reached(CrashPoints.Point.LOG_SYNCED_BEFORE_ACK);
  }

  public long size() {
    return size;
  }

  public long generation() {
    return generation;
  }

  public Path file() {
    return file;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
