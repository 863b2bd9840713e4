/**
 * Internal: the data directory's files and their recovery, used by the store's file writer. Not
 * part of the public API; it may change in any release, and the Javadoc of the library leaves it
 * out.
 *
 * <p>A data directory holds a {@code LOCK} file (an OS-level exclusive lock naming its holder's
 * process id, {@link dev.kvactors.internal.storage.DataDirLock}), append-only logs of checksummed records
 * ({@link dev.kvactors.internal.storage.RecordLog}, {@link dev.kvactors.internal.storage.RecordCodec}) and a snapshot
 * of the whole map ({@link dev.kvactors.internal.storage.Snapshot}). {@link dev.kvactors.internal.storage.Recovery}
 * rebuilds the map at start (a torn tail of the newest log is cut; damage anywhere else is a
 * {@link dev.kvactors.internal.storage.CorruptDataException}), {@link dev.kvactors.internal.storage.Compaction} folds
 * old logs into a new snapshot, and {@link dev.kvactors.internal.storage.Repair} salvages a damaged
 * directory. All of it is plain blocking I/O, run on the blocking-I/O dispatcher, never on the
 * default one.
 */
package dev.kvactors.internal.storage;
