/**
 * Internal: the data directory's files and their recovery, used by the store's file writer. Not
 * part of the public API; it may change in any release, and the Javadoc of the library leaves it
 * out.
 *
 * <p>A data directory holds a {@code LOCK} file (an OS-level exclusive lock naming its holder's
 * process id, {@link dev.kvactors.storage.DataDirLock}), append-only logs of checksummed records
 * ({@link dev.kvactors.storage.RecordLog}, {@link dev.kvactors.storage.RecordCodec}) and a snapshot
 * of the whole map ({@link dev.kvactors.storage.Snapshot}). {@link dev.kvactors.storage.Recovery}
 * rebuilds the map at start (a torn tail of the newest log is cut; damage anywhere else is a
 * {@link dev.kvactors.storage.CorruptDataException}), {@link dev.kvactors.storage.Compaction} folds
 * old logs into a new snapshot, and {@link dev.kvactors.storage.Repair} salvages a damaged
 * directory. All of it is plain blocking I/O, run on the blocking-I/O dispatcher, never on the
 * default one.
 */
package dev.kvactors.storage;
