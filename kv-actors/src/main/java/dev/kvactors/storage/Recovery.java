package dev.kvactors.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

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

  /** The recovered map and where the writer continues. */
  public record State(
      Map<String, byte[]> entries,
      long firstLogGeneration,
      long lastLogGeneration,
      long lastLogValidLength,
      long logBytes,
      long snapshotBytes,
      long recordsReplayed,
      Optional<TornTail> tornTail) {

    /** Whether a log file exists to continue appending to. */
    public boolean hasLog() {
      return lastLogGeneration >= firstLogGeneration;
    }
  }

  private Recovery() {}

  /**
   * Recovers the data directory at start, with the lock held: removes leftovers of an interrupted
   * snapshot or log creation and logs that an earlier compaction had already folded into the
   * snapshot, then reads everything else.
   */
  public static State recover(Path dir) throws IOException {
    List<Path> files = list(dir);
    for (Path f : files) {
      if (Filenames.isTemp(f)) {
        Files.deleteIfExists(f);
      }
    }
    State state = read(dir, Long.MAX_VALUE, true);
    for (Path f : files) {
      OptionalLong gen = Filenames.logGeneration(f);
      if (gen.isPresent() && gen.getAsLong() < state.firstLogGeneration()) {
        Files.deleteIfExists(f);
      }
    }
    return state;
  }

  /**
   * Reads the snapshot and the logs before generation {@code endGeneration} (exclusive), changing
   * nothing. With {@code allowTornTail} false, any damage is an error (used by compaction, whose
   * input logs are complete).
   */
  public static State read(Path dir, long endGeneration, boolean allowTornTail) throws IOException {
    Path snapshotFile = Filenames.snapshot(dir);
    Map<String, byte[]> entries;
    long firstLogGeneration;
    long snapshotBytes;
    boolean hasSnapshot = Files.exists(snapshotFile);
    if (hasSnapshot) {
      Snapshot.Contents contents = Snapshot.read(snapshotFile);
      entries = contents.entries();
      firstLogGeneration = contents.firstLogGeneration();
      snapshotBytes = contents.bytes();
    } else {
      entries = new HashMap<>();
      firstLogGeneration = 1;
      snapshotBytes = 0;
    }

    List<Long> generations = new ArrayList<>();
    for (Path f : list(dir)) {
      OptionalLong gen = Filenames.logGeneration(f);
      if (gen.isPresent() && gen.getAsLong() >= firstLogGeneration && gen.getAsLong() < endGeneration) {
        generations.add(gen.getAsLong());
      }
    }
    generations.sort(null);
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
      LogReplay replay = replay(file, entries, allowTornTail && newest ? Damage.CUT_TORN_TAIL : Damage.REFUSE);
      records += replay.records;
      logBytes += replay.validLength;
      lastValidLength = replay.validLength;
      torn = replay.torn;
    }
    long lastGeneration = generations.isEmpty() ? firstLogGeneration - 1 : generations.get(generations.size() - 1);
    return new State(entries, firstLogGeneration, lastGeneration, lastValidLength, logBytes, snapshotBytes,
        records, torn);
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

  static LogReplay replay(Path file, Map<String, byte[]> entries, Damage policy) throws IOException {
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
            m.applyTo(entries);
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

  /** The generations of the log files in {@code dir}, ascending. */
  static List<Long> logGenerations(Path dir) throws IOException {
    List<Long> generations = new ArrayList<>();
    for (Path f : list(dir)) {
      Filenames.logGeneration(f).ifPresent(generations::add);
    }
    generations.sort(null);
    return generations;
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    } catch (NoSuchFileException e) {
      return List.of();
    }
  }
}
