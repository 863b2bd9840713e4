package dev.kvactors.bench;

import static java.util.Objects.requireNonNull;

import dev.kvactors.internal.storage.Mutation;
import dev.kvactors.internal.storage.RecordCodec;
import dev.kvactors.internal.storage.RecordLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The "mutexes" side of "actors vs mutexes": a {@link HashMap} behind one lock and the same log
 * format as kv-actors ({@link RecordCodec} frames in a {@link RecordLog}). A {@code set} encodes,
 * writes and fsyncs its record and updates the map in the caller's thread, holding the lock, so
 * concurrent callers queue on the lock and each pays for its own fsync.
 */
public final class MutexStore implements AutoCloseable {
  private final Map<String, byte[]> map = new HashMap<>();
  private final RecordLog log;
  private final RecordCodec codec = new RecordCodec();
  private ByteBuffer buffer = ByteBuffer.allocate(4096);

  private MutexStore(RecordLog log) {
    this.log = requireNonNull(log, "log is null");
  }

  /** Starts an empty store with a new log in {@code dir}. */
  public static MutexStore create(Path dir) throws IOException {
    return new MutexStore(RecordLog.create(dir, 1));
  }

  public synchronized void set(String key, byte[] value) throws IOException {
    Mutation.Put put = new Mutation.Put(key, value.clone());
    buffer.clear();
    buffer = codec.appendRecord(put, buffer);
    buffer.flip();
    log.write(buffer);
    log.sync();
    put.applyTo(map);
  }

  public synchronized byte[] get(String key) {
    return map.get(key);
  }

  public synchronized int size() {
    return map.size();
  }

  @Override
  public synchronized void close() throws IOException {
    log.close();
  }
}
