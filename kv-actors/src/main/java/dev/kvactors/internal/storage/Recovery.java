package dev.kvactors.internal.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Rebuilds the map from a data directory: the snapshot, then every log from the snapshot's first
 * log generation on, in order. Only the end of the newest log may be torn (a crash in the middle of
 * an append); it is reported and left for the writer to cut. Damage anywhere else, a missing
 * snapshot or a missing log generation is a {@link CorruptDataException}: the store never starts
 * with a partial map.
 */
public final class Recovery {

  /** A torn end of the newest log: {@code bytes} bytes from {@code offset} on are not a record. */
  public record TornTail(Path file, long offset, long bytes, String reason) {}

  /**
   * The recovered map and where the writer continues. {@code manifest} is what the directory's
   * manifest must say once the writer continues (it differs from the file when {@code
   * manifestChanged}); {@code legacyFiles} are files of format version 1 found without a manifest,
   * to be upgraded once the manifest is written; {@code notes} are things recovery did that a user
   * should hear of (WARN); {@code deadlines} are the deadlines of the keys of {@code entries} that
   * have one (epoch millis; a key whose deadline has passed is still there: the store removes it).
   */
  public record State(
      Map<String, byte[]> entries,
      long firstLogGeneration,
      long lastLogGeneration,
      long lastLogValidLength,
      long logBytes,
      long snapshotBytes,
      long recordsReplayed,
      Optional<TornTail> tornTail,
      Manifest manifest,
      boolean manifestChanged,
      List<Path> legacyFiles,
      List<String> notes,
      Map<String, Long> deadlines) {

    /** Whether a log file exists to continue appending to. */
    public boolean hasLog() {
      return lastLogGeneration >= firstLogGeneration;
    }
  }

  private Recovery() {}

  /**
   * Recovers the data directory at start, with the lock held: removes leftovers of an interrupted
   * snapshot, manifest or log creation and logs that a compaction had already folded into the
   * snapshot, then reads everything the manifest names.
   */
  public static State recover(Path dir) throws IOException {
    return recover(dir, true);
  }

  /**
   * Recovers the data directory as {@link #recover(Path)} does; with {@code change} false it only
   * reads (leftovers are skipped, not deleted), for repair's check.
   */
  public static State recover(Path dir, boolean change) throws IOException {
    if (change) {
      for (Path f : Filenames.list(dir)) {
        if (Filenames.isTemp(f)) {
          Files.deleteIfExists(f);
        }
      }
    }
    Optional<Manifest> manifest = Manifest.read(dir);
    State state = manifest.isPresent() ? readNamed(dir, manifest.get(), change) : readWithoutManifest(dir);
    if (change) {
      Filenames.deleteLogsBefore(dir, state.firstLogGeneration());
    }
    return state;
  }

  /** Reads exactly what the manifest names, refusing any file that is missing or not as it was left. */
  private static State readNamed(Path dir, Manifest named, boolean change) throws IOException {
    Path manifestFile = Filenames.manifest(dir);
    Manifest m = named;
    List<String> notes = new ArrayList<>();
    Path snapshotFile = Filenames.snapshot(dir);
    Map<String, byte[]> entries = new HashMap<>();
    Map<String, Long> deadlines = new HashMap<>();
    long snapshotBytes = 0;
    if (Files.exists(snapshotFile)) {
      Snapshot.Contents contents = Snapshot.read(snapshotFile);
      long s = contents.firstLogGeneration();
      if (s < m.firstLogGeneration() || s > m.lastLogGeneration() + 1) {
        throw new CorruptDataException(snapshotFile, "the snapshot continues with log generation " + s + " but "
            + manifestFile.getFileName() + " names log generations " + m.firstLogGeneration() + " to "
            + m.lastLogGeneration());
      }
      if (s != m.firstLogGeneration() || !m.snapshot()) {
        m = m.withSnapshot(s); // a compaction stopped between its snapshot's rename and the manifest's update
      }
      entries = contents.entries();
      deadlines = contents.deadlines();
      snapshotBytes = contents.bytes();
    } else if (m.snapshot()) {
      throw new CorruptDataException(snapshotFile, "the snapshot named by " + manifestFile.getFileName()
          + " is missing");
    }
    for (long g = m.firstLogGeneration(); g <= m.lastLogGeneration(); g++) {
      Path log = Filenames.log(dir, g);
      if (!Files.exists(log)) {
        throw new CorruptDataException(log, (g == m.lastLogGeneration() ? "the newest log generation " : "log generation ")
            + g + " named by " + manifestFile.getFileName() + " is missing");
      }
    }
    for (long g : Filenames.logGenerations(dir)) {
      if (g > m.lastLogGeneration()) {
        Path log = Filenames.log(dir, g);
        if (Files.size(log) > FileHeader.BYTES) {
          throw new CorruptDataException(log, "log generation " + g + " is newer than the newest one "
              + manifestFile.getFileName() + " names (" + m.lastLogGeneration() + ")");
        }
        if (change) { // a new log generation was created, but the manifest not yet updated: it holds nothing
          Files.delete(log);
          notes.add("Removed " + log + ", an empty log of an interrupted start of a new log generation");
        }
      }
    }
    long logBytes = 0;
    long records = 0;
    long lastValidLength = 0;
    Optional<TornTail> torn = Optional.empty();
    for (long g = m.firstLogGeneration(); g <= m.lastLogGeneration(); g++) {
      boolean newest = g == m.lastLogGeneration();
      Path file = Filenames.log(dir, g);
      LogReplay replay;
      try {
        replay = replay(file, entries, deadlines, newest && !m.clean() ? Damage.CUT_TORN_TAIL : Damage.REFUSE);
      } catch (CorruptDataException e) {
        if (newest && m.clean() && e.offset() >= 0) {
          throw new CorruptDataException(file, e.offset(), e.reason() + " (the store was shut down cleanly, so "
              + "this is damage, not a torn write)");
        }
        throw e;
      }
      long expected = newest ? m.newestLogLength() : m.sealedLength(g);
      if (expected >= 0 && replay.validLength() != expected) {
        throw new CorruptDataException(file, replay.validLength(), "the log ends after " + replay.validLength()
            + " bytes but was " + expected + " bytes long when it was "
            + (newest ? "closed at the clean shutdown" : "sealed") + " (" + manifestFile.getFileName() + ")");
      }
      records += replay.records;
      logBytes += replay.validLength;
      lastValidLength = replay.validLength;
      torn = replay.torn;
    }
    return new State(entries, m.firstLogGeneration(), m.lastLogGeneration(), lastValidLength, logBytes,
        snapshotBytes, records, torn, m, !m.equals(named), List.of(), notes, deadlines);
  }

  /**
   * A directory without a manifest is either new (no data files), or was written before the
   * manifest existed (every data file of format version 1): it is read as it is and upgraded. If
   * any data file is of this build's format, the manifest was lost: refused.
   */
  private static State readWithoutManifest(Path dir) throws IOException {
    Path manifestFile = Filenames.manifest(dir);
    Path snapshotFile = Filenames.snapshot(dir);
    List<Path> legacy = new ArrayList<>();
    boolean hasData = false;
    if (Files.exists(snapshotFile)) {
      hasData = true;
      if (FileHeader.SNAPSHOT.versionOf(snapshotFile) >= 2) {
        throw lostManifest(manifestFile, snapshotFile);
      }
      legacy.add(snapshotFile);
    }
    for (long g : Filenames.logGenerations(dir)) {
      Path log = Filenames.log(dir, g);
      if (Files.size(log) <= FileHeader.BYTES) {
        continue; // holds no record: says nothing about the format
      }
      hasData = true;
      if (FileHeader.LOG.versionOf(log) >= 2) {
        throw lostManifest(manifestFile, log);
      }
      legacy.add(log);
    }
    State s = read(dir, Long.MAX_VALUE, true);
    List<Long> sealed = new ArrayList<>();
    for (long g = s.firstLogGeneration(); g < s.lastLogGeneration(); g++) {
      sealed.add(Files.size(Filenames.log(dir, g))); // older logs were read whole, with no damage allowed
    }
    Manifest m = new Manifest(Files.exists(snapshotFile), s.firstLogGeneration(), s.lastLogGeneration(), sealed,
        false, -1);
    List<String> notes = hasData
        ? List.of(dir + " has no " + manifestFile.getFileName() + ": data files of format version 1 (written "
            + "before the manifest existed) were read as they are, and the directory is upgraded to version "
            + FileHeader.VERSION)
        : List.of();
    return new State(s.entries(), s.firstLogGeneration(), s.lastLogGeneration(), s.lastLogValidLength(),
        s.logBytes(), s.snapshotBytes(), s.recordsReplayed(), s.tornTail(), m, true, hasData ? legacy : List.of(),
        notes, s.deadlines());
  }

  private static CorruptDataException lostManifest(Path manifestFile, Path dataFile) {
    return new CorruptDataException(manifestFile, "the manifest is missing but " + dataFile.getFileName()
        + " was written by a version that keeps one, so what must exist is unknown");
  }

  /**
   * Reads the snapshot and the logs before generation {@code endGeneration} (exclusive) that are
   * in the directory, changing nothing and without the manifest: the format before the manifest,
   * and compaction's input. With {@code allowTornTail} false, any damage is an error (used by
   * compaction, whose input logs are complete).
   */
  public static State read(Path dir, long endGeneration, boolean allowTornTail) throws IOException {
    Path snapshotFile = Filenames.snapshot(dir);
    Map<String, byte[]> entries;
    Map<String, Long> deadlines;
    long firstLogGeneration;
    long snapshotBytes;
    boolean hasSnapshot = Files.exists(snapshotFile);
    if (hasSnapshot) {
      Snapshot.Contents contents = Snapshot.read(snapshotFile);
      entries = contents.entries();
      deadlines = contents.deadlines();
      firstLogGeneration = contents.firstLogGeneration();
      snapshotBytes = contents.bytes();
    } else {
      entries = new HashMap<>();
      deadlines = new HashMap<>();
      firstLogGeneration = 1;
      snapshotBytes = 0;
    }

    List<Long> generations = new ArrayList<>();
    for (long g : Filenames.logGenerations(dir)) {
      if (g >= firstLogGeneration && g < endGeneration) {
        generations.add(g);
      }
    }
    if (!generations.isEmpty() && generations.get(0) != firstLogGeneration) {
      Path first = Filenames.log(dir, generations.get(0));
      throw new CorruptDataException(hasSnapshot ? Filenames.log(dir, firstLogGeneration) : snapshotFile,
          (hasSnapshot ? "log generation " + firstLogGeneration + " named by the snapshot is missing"
              : "the snapshot is missing") + " but " + first.getFileName() + " exists");
    }
    for (int i = 1; i < generations.size(); i++) {
      if (generations.get(i) != generations.get(i - 1) + 1) {
        throw new CorruptDataException(Filenames.log(dir, generations.get(i - 1) + 1),
            "log generation " + (generations.get(i - 1) + 1) + " is missing between "
                + generations.get(i - 1) + " and " + generations.get(i));
      }
    }

    long logBytes = 0;
    long records = 0;
    long lastValidLength = 0;
    Optional<TornTail> torn = Optional.empty();
    for (int i = 0; i < generations.size(); i++) {
      boolean newest = i == generations.size() - 1;
      Path file = Filenames.log(dir, generations.get(i));
      LogReplay replay = replay(file, entries, deadlines,
          allowTornTail && newest ? Damage.CUT_TORN_TAIL : Damage.REFUSE);
      records += replay.records;
      logBytes += replay.validLength;
      lastValidLength = replay.validLength;
      torn = replay.torn;
    }
    long lastGeneration = generations.isEmpty() ? firstLogGeneration - 1 : generations.get(generations.size() - 1);
    return new State(entries, firstLogGeneration, lastGeneration, lastValidLength, logBytes, snapshotBytes,
        records, torn, new Manifest(hasSnapshot, firstLogGeneration, Math.max(lastGeneration, firstLogGeneration - 1),
            java.util.Collections.nCopies((int) Math.max(0, lastGeneration - firstLogGeneration), -1L), false, -1),
        true, List.of(), List.of(), deadlines);
  }

  /** How much of a log was replayed; {@code torn} is where the replay stopped early, if it did. */
  record LogReplay(long records, long validLength, Optional<TornTail> torn) {}

  /** How damage in a log is treated. */
  enum Damage {
    /** Always an error. */
    REFUSE,
    /** A torn tail (nothing intact after it) is cut; other damage is an error. */
    CUT_TORN_TAIL,
    /** Replay stops at the first damage of any kind (repair). */
    STOP
  }

  static LogReplay replay(Path file, Map<String, byte[]> entries, Map<String, Long> deadlines, Damage policy)
      throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      try {
        FileHeader.LOG.check(file, ch);
      } catch (CorruptDataException e) {
        if (policy == Damage.STOP) {
          return new LogReplay(0, 0, Optional.of(new TornTail(file, 0, ch.size(), "bad file header")));
        }
        throw e;
      }
      try (FrameReader reader = new FrameReader(file, ch, FileHeader.BYTES)) {
        long records = 0;
        while (true) {
          FrameReader.Result r = reader.next();
          if (r instanceof FrameReader.Frame frame) {
            Mutation m;
            try {
              m = Snapshot.decode(file, frame, () -> RecordCodec.decodeRecord(frame.payload()));
            } catch (CorruptDataException e) {
              if (policy == Damage.STOP) {
                return stopped(file, reader, records, frame.offset(), "unreadable record");
              }
              throw e;
            }
            m.applyTo(entries, deadlines);
            records++;
          } else if (r instanceof FrameReader.End end) {
            return new LogReplay(records, end.offset(), Optional.empty());
          } else {
            FrameReader.Damage d = (FrameReader.Damage) r;
            if (policy == Damage.STOP
                || (policy == Damage.CUT_TORN_TAIL && !reader.hasValidFrameAfter(d.offset()))) {
              return stopped(file, reader, records, d.offset(), d.reason());
            }
            throw new CorruptDataException(file, d.offset(), d.reason());
          }
        }
      }
    }
  }

  private static LogReplay stopped(Path file, FrameReader reader, long records, long offset, String reason) {
    return new LogReplay(records, offset, Optional.of(new TornTail(file, offset, reader.size() - offset, reason)));
  }
}
