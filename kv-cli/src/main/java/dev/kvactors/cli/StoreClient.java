package dev.kvactors.cli;

import java.util.List;
import java.util.Optional;

/**
 * What the {@code get}, {@code set}, {@code delete}, {@code keys} and {@code flush} commands need of a store:
 * the data directory opened in this process ({@link DirectStoreClient}), or a running
 * {@code kv serve} reached over RESP ({@link RespClient}). Errors are {@code KvException}s with a
 * one-line message.
 */
interface StoreClient extends AutoCloseable {
  Optional<byte[]> get(String key);

  /** Returns once the write is acknowledged under the store's durability mode. */
  void set(String key, byte[] value);

  /** Whether the key existed. */
  boolean delete(String key);

  /**
   * Adds {@code by} to the integer at {@code key} (a missing key counts as 0) and returns the new
   * value; a value that is not an integer, or an overflow, is a {@code KvException} with Redis's text.
   */
  long increment(String key, long by);

  /** Removes every key; returns once the removal is acknowledged under the store's durability mode. */
  void clear();

  /** The keys starting with {@code prefix}, sorted. */
  List<String> keys(String prefix);

  @Override
  void close();
}
