package dev.kvactors.cli;

import static java.util.Objects.requireNonNull;

import dev.kvactors.KvException;
import dev.kvactors.internal.storage.Recovery;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * A data directory this process may not write, read for {@code get} and {@code keys}: its
 * snapshot and logs replayed as recovery does, without taking the lock (which needs write access)
 * and without changing anything (a torn tail is skipped, not cut). No actor system is started.
 */
final class ReadOnlyStore implements StoreClient {
  private final Path dir;
  private final Map<String, byte[]> entries;
  private final Map<String, Long> deadlines;

  private ReadOnlyStore(Path dir, Map<String, byte[]> entries, Map<String, Long> deadlines) {
    this.dir = dir;
    this.entries = entries;
    this.deadlines = deadlines;
  }

  /** Reads {@code dir}; a damaged or unreadable directory is a {@link KvException} naming the file. */
  static ReadOnlyStore open(Path dir) {
    requireNonNull(dir, "dir is null");
    Recovery.State state;
    try {
      state = Recovery.recover(dir, false);
    } catch (IOException e) {
      throw new KvException("cannot read data directory " + dir + ": " + DataDir.describe(e), false, e);
    }
    state.tornTail().ifPresent(t -> LoggerFactory.getLogger(ReadOnlyStore.class).warn(
        "Skipped a torn record at the end of {}: offset {}, {} bytes ({}); the directory is read-only, so it stays",
        t.file(), t.offset(), t.bytes(), t.reason()));
    return new ReadOnlyStore(dir, state.entries(), state.deadlines());
  }

  /** Whether {@code key}'s deadline has passed by the wall clock (the directory may hold expired keys). */
  private boolean expired(String key) {
    Long deadline = deadlines.get(key);
    return deadline != null && deadline <= System.currentTimeMillis();
  }

  @Override
  public Optional<byte[]> get(String key) {
    return expired(key) ? Optional.empty() : Optional.ofNullable(entries.get(key)).map(byte[]::clone);
  }

  @Override
  public void set(String key, byte[] value, Duration ttl) {
    throw readOnly();
  }

  @Override
  public long pttl(String key) {
    if (!entries.containsKey(key) || expired(key)) {
      return -2;
    }
    Long deadline = deadlines.get(key);
    return deadline == null ? -1 : Math.max(1, deadline - System.currentTimeMillis());
  }

  @Override
  public boolean expire(String key, Duration ttl) {
    throw readOnly();
  }

  @Override
  public boolean persist(String key) {
    throw readOnly();
  }

  @Override
  public void set(String key, byte[] value) {
    throw readOnly();
  }

  @Override
  public boolean delete(String key) {
    throw readOnly();
  }

  @Override
  public long increment(String key, long by) {
    throw readOnly();
  }

  @Override
  public void clear() {
    throw readOnly();
  }

  @Override
  public List<String> keys(String prefix) {
    return entries.keySet().stream().filter(k -> k.startsWith(prefix) && !expired(k)).sorted().toList();
  }

  @Override
  public void close() {
    // nothing held
  }

  private KvException readOnly() {
    return new KvException("data directory " + dir + " is read-only", false);
  }
}
