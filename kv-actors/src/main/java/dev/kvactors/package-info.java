/**
 * kv-actors: a key-value store (string keys, byte-array values) kept in memory and made durable in
 * a data directory (an exclusive lock, a checksummed append-only log and a snapshot).
 *
 * <p>Two ways in. From code that is not an actor, {@link dev.kvactors.KvStore} opens a data
 * directory (in an actor system of its own, or in the application's through {@link
 * dev.kvactors.KvStore#attach}) and answers every operation with a {@code CompletionStage} that
 * completes with the answer or fails with a {@link dev.kvactors.KvException}. From an actor,
 * {@link dev.kvactors.KvExtension} gives the store's router in the application's own {@code
 * ActorSystem}, to which requests are sent as messages with a reply-to reference.
 *
 * <p>The store is configured by the {@code kv} section of the Typesafe configuration, read into
 * {@link dev.kvactors.KvSettings}; every default lives in the library's {@code reference.conf}.
 * {@link dev.kvactors.Durability} says when a change is acknowledged: after an fsync, after a
 * write to the operating system, or at once.
 *
 * <p>This package is the whole API: the facade ({@link dev.kvactors.KvStore}), the settings, the
 * extension, {@link dev.kvactors.KvException} and the request/reply protocol of {@link
 * dev.kvactors.KeyValueStore} and {@link dev.kvactors.Router}. The packages under {@code
 * dev.kvactors.internal} (the file writer, the heartbeat supervision, the on-disk format and its
 * recovery) are not API: they may change in any release.
 */
package dev.kvactors;
