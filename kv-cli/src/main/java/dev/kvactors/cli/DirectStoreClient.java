package dev.kvactors.cli;

import static java.util.Objects.requireNonNull;

import dev.kvactors.KvStore;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The data directory opened in this process (it takes the directory's lock). */
final class DirectStoreClient implements StoreClient {
  private final KvStore store;
  private final Duration timeout;

  DirectStoreClient(KvStore store) {
    this.store = requireNonNull(store, "store is null");
    this.timeout = store.settings().requestTimeout();
  }

  @Override
  public Optional<byte[]> get(String key) {
    return KvStore.await(store.get(key), timeout);
  }

  @Override
  public void set(String key, byte[] value) {
    KvStore.await(store.set(key, value), timeout);
  }

  @Override
  public boolean delete(String key) {
    return KvStore.await(store.delete(key), timeout);
  }

  @Override
  public List<String> keys(String prefix) {
    return KvStore.await(store.keys(prefix), timeout);
  }

  @Override
  public void close() {
    store.close();
  }
}
