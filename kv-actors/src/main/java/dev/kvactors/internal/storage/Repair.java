package dev.kvactors.internal.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Salvages a damaged data directory: the longest valid prefix of its history (the readable part of
 * the snapshot, then the logs in order up to the first damage) becomes a new snapshot; everything
 * after the first damage is dropped. The damaged files are copied to a backup directory first.
 * Runs with the directory's lock held, so never beside a running store.
 */
public final class Repair {

  /** What a repair keeps and drops; {@code needed} is false when the directory recovers as it is. */
  public record Report(boolean needed, int keys, List<String> kept, List<String> dropped, Optional<Path> backup) {}

  private Repair() {}

  /** Looks at {@code dir} and, with {@code apply}, repairs it. Without {@code apply} nothing changes. */
  public static Report run(Path dir, boolean apply) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException("data directory " + dir + " does not exist");
    }
    try (DataDirLock lock = DataDirLock.acquire(dir)) {
      try {
        Recovery.State state = Recovery.recover(dir, false);
        List<String> kept = new ArrayList<>(List.of(state.entries().size() + " keys: the directory recovers as it is"));
        state.tornTail().ifPresent(t -> kept.add("(a torn record of " + t.bytes() + " bytes at the end of "
            + t.file().getFileName() + " is cut off at the next start)"));
        return new Report(false, state.entries().size(), kept, List.of(), Optional.empty());
      } catch (CorruptDataException damaged) {
        return salvage(dir, apply);
      }
    }
  }

  private static Report salvage(Path dir, boolean apply) throws IOException {
    List<String> kept = new ArrayList<>();
    List<String> dropped = new ArrayList<>();
    Map<String, byte[]> entries = new HashMap<>();
    Map<String, Long> deadlines = new HashMap<>();
    List<Long> generations = Filenames.logGenerations(dir);
    long firstGeneration = generations.isEmpty() ? 1 : generations.get(0);

    Path snapshot = Filenames.snapshot(dir);
    if (Files.exists(snapshot)) {
      Snapshot.Prefix prefix = Snapshot.readPrefix(snapshot);
      entries.putAll(prefix.contents().entries());
      deadlines.putAll(prefix.contents().deadlines());
      if (prefix.contents().firstLogGeneration() > 0) {
        firstGeneration = prefix.contents().firstLogGeneration();
      }
      kept.add(snapshot.getFileName() + ": " + entries.size() + " entries");
      prefix.damage().ifPresent(d -> dropped.add(snapshot.getFileName() + ": everything from offset " + d.offset()
          + " on (" + d.getMessage() + ")"));
    }

    boolean stopped = false;
    long expected = firstGeneration;
    for (long generation : generations) {
      Path log = Filenames.log(dir, generation);
      if (generation < firstGeneration) {
        continue; // already folded into the snapshot
      }
      if (stopped || generation != expected) {
        dropped.add(log.getFileName() + ": all of it (" + (stopped ? "after the first damage"
            : "log generation " + expected + " is missing before it") + ")");
        stopped = true;
        continue;
      }
      Recovery.LogReplay replay = Recovery.replay(log, entries, deadlines, Recovery.Damage.STOP);
      kept.add(log.getFileName() + ": " + replay.records() + " records (bytes 0 to " + replay.validLength() + ")");
      if (replay.torn().isPresent()) {
        Recovery.TornTail t = replay.torn().get();
        dropped.add(log.getFileName() + ": " + t.bytes() + " bytes from offset " + t.offset() + " on (" + t.reason()
            + ")");
        stopped = true;
      }
      expected++;
    }

    Optional<Path> backup = Optional.empty();
    if (apply) {
      backup = Optional.of(backUp(dir, snapshot, generations));
      long nextGeneration = generations.isEmpty() ? firstGeneration : generations.get(generations.size() - 1) + 1;
      // From here on the new snapshot covers every log before nextGeneration: recovery ignores and
      // removes them, so a crash at any point after the rename leaves the repaired state.
      long snapshotGeneration = Math.max(nextGeneration, firstGeneration);
      Snapshot.write(dir, entries, deadlines, snapshotGeneration, () -> false);
      new Manifest(true, snapshotGeneration, snapshotGeneration - 1, List.of(), false, -1).write(dir);
      for (long generation : generations) {
        Files.deleteIfExists(Filenames.log(dir, generation));
      }
      FileSync.directory(dir);
    }
    return new Report(true, entries.size(), kept, dropped, backup);
  }

  private static Path backUp(Path dir, Path snapshot, List<Long> generations) throws IOException {
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT));
    Path backup = dir.resolve("backup-" + stamp);
    for (int n = 2; Files.exists(backup); n++) {
      backup = dir.resolve("backup-" + stamp + "-" + n);
    }
    Files.createDirectory(backup);
    List<Path> files = new ArrayList<>();
    if (Files.exists(snapshot)) {
      files.add(snapshot);
    }
    if (Files.exists(Filenames.manifest(dir))) {
      files.add(Filenames.manifest(dir));
    }
    for (long generation : generations) {
      files.add(Filenames.log(dir, generation));
    }
    for (Path f : files) {
      Path copy = backup.resolve(f.getFileName());
      Files.copy(f, copy, StandardCopyOption.COPY_ATTRIBUTES);
      try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
    }
    FileSync.directory(backup);
    FileSync.directory(dir);
    return backup;
  }
}
