package dev.kvactors.cli;

import static java.util.Objects.requireNonNull;

import dev.kvactors.KvStore;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The data directory opened in this process (it takes the directory's lock). */
final class DirectStoreClient implements StoreClient {
  private final KvStore store;
  private final KvStore.Blocking blocking;

  DirectStoreClient(KvStore store) {
    this.store = requireNonNull(store, "store is null");
    this.blocking = store.blocking();
  }

  @Override
  public Optional<byte[]> get(String key) {
    return blocking.get(key);
  }

  @Override
  public void set(String key, byte[] value) {
    blocking.set(key, value);
  }

  @Override
  public void set(String key, byte[] value, Duration ttl) {
    blocking.set(key, value, ttl);
  }

  @Override
  public boolean delete(String key) {
    return blocking.delete(key);
  }

  @Override
  public long increment(String key, long by) {
    return blocking.increment(key, by);
  }

  @Override
  public long pttl(String key) {
    return blocking.ttl(key).pttl();
  }

  @Override
  public boolean expire(String key, Duration ttl) {
    return blocking.expire(key, ttl);
  }

  @Override
  public boolean persist(String key) {
    return blocking.persist(key);
  }

  @Override
  public void clear() {
    blocking.clear();
  }

  @Override
  public List<String> keys(String prefix) {
    return blocking.keys(prefix);
  }

  @Override
  public void close() {
    store.close();
  }
}
