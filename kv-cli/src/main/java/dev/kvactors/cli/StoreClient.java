package dev.kvactors.cli;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What the {@code get}, {@code set}, {@code delete}, {@code keys}, {@code flush}, {@code ttl},
 * {@code expire} and {@code persist} commands need of a store:
 * the data directory opened in this process ({@link DirectStoreClient}), or a running
 * {@code kv serve} reached over RESP ({@link RespClient}). Errors are {@code KvException}s with a
 * one-line message.
 */
interface StoreClient extends AutoCloseable {
  Optional<byte[]> get(String key);

  /** Returns once the write is acknowledged under the store's durability mode. */
  void set(String key, byte[] value);

  /** Sets with a positive time to live; returns once the write is acknowledged. */
  void set(String key, byte[] value, Duration ttl);

  /** Whether the key existed. */
  boolean delete(String key);

  /**
   * Adds {@code by} to the integer at {@code key} (a missing key counts as 0) and returns the new
   * value; a value that is not an integer, or an overflow, is a {@code KvException} with Redis's text.
   */
  long increment(String key, long by);

  /** Redis's {@code PTTL}: -2 if the key has no value, -1 if it has no deadline, else the milliseconds left. */
  long pttl(String key);

  /** Gives the key a time to live (zero deletes it); whether it had a value. */
  boolean expire(String key, Duration ttl);

  /** Removes the key's deadline; whether it had a value and a deadline. */
  boolean persist(String key);

  /** Removes every key; returns once the removal is acknowledged under the store's durability mode. */
  void clear();

  /** The keys starting with {@code prefix}, sorted. */
  List<String> keys(String prefix);

  @Override
  void close();
}
