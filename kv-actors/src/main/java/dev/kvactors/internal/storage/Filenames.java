package dev.kvactors.internal.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Names of the files in a data directory, and the one listing of its log generations. */
public final class Filenames {
  public static final String LOCK = "LOCK";
  public static final String SNAPSHOT = "snapshot.kvs";
  public static final String MANIFEST = "MANIFEST";
  public static final String TEMP_SUFFIX = ".tmp";

  private static final Pattern LOG = Pattern.compile("log-(\\d{10})\\.kvl");

  private Filenames() {}

  public static Path lock(Path dir) {
    return dir.resolve(LOCK);
  }

  public static Path snapshot(Path dir) {
    return dir.resolve(SNAPSHOT);
  }

  public static Path manifest(Path dir) {
    return dir.resolve(MANIFEST);
  }

  public static Path log(Path dir, long generation) {
    return dir.resolve(String.format(Locale.ROOT, "log-%010d.kvl", generation));
  }

  public static Path temp(Path file) {
    return file.resolveSibling(file.getFileName() + TEMP_SUFFIX);
  }

  /** The generation of a log file name, or empty if the name is not a log's. */
  public static OptionalLong logGeneration(Path file) {
    Matcher m = LOG.matcher(file.getFileName().toString());
    return m.matches() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
  }

  public static boolean isTemp(Path file) {
    return file.getFileName().toString().endsWith(TEMP_SUFFIX);
  }

  /** The generations of the logs in {@code dir}, ascending; none if {@code dir} does not exist. */
  public static List<Long> logGenerations(Path dir) throws IOException {
    List<Long> generations = new ArrayList<>();
    for (Path f : list(dir)) {
      logGeneration(f).ifPresent(generations::add);
    }
    generations.sort(null);
    return generations;
  }

  /** Deletes the logs in {@code dir} older than {@code generation} (the caller syncs the directory). */
  public static void deleteLogsBefore(Path dir, long generation) throws IOException {
    for (long g : logGenerations(dir)) {
      if (g < generation) {
        Files.deleteIfExists(log(dir, g));
      }
    }
  }

  /** The files in {@code dir}; none if it does not exist. */
  static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    } catch (NoSuchFileException e) {
      return List.of();
    }
  }
}
