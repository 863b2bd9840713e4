package dev.kvactors.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The results as a JSON array (one object per scenario) and as a table for people. */
public final class ResultsFile {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ResultsFile() {}

  public static void write(Path file, List<ScenarioResult> results) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    JSON.writeValue(file.toFile(), results);
  }

  public static List<ScenarioResult> read(Path file) throws IOException {
    return JSON.readValue(file.toFile(), new TypeReference<List<ScenarioResult>>() {});
  }

  /** A fixed-width table: name, ops/s, p50/p99/p99.9 in microseconds, clients, notes. */
  public static String table(List<ScenarioResult> results) {
    StringBuilder sb = new StringBuilder();
    String header = String.format(Locale.ROOT, "%-18s %13s %11s %11s %11s %7s  %s%n", "scenario", "ops/s",
        "p50 us", "p99 us", "p99.9 us", "clients", "notes");
    sb.append(header);
    sb.append("-".repeat(header.length() + 20)).append('\n');
    for (ScenarioResult r : results) {
      sb.append(String.format(Locale.ROOT, "%-18s %13s %11s %11s %11s %7s  %s%n", r.name(), number(r.opsPerS()),
          number(r.p50Us()), number(r.p99Us()), number(r.p999Us()), r.clients() == null ? "-" : r.clients(),
          r.notes()));
    }
    return sb.toString();
  }

  static String number(Double d) {
    if (d == null) {
      return "-";
    }
    if (d >= 100) {
      return String.format(Locale.ROOT, "%,.0f", d);
    }
    return String.format(Locale.ROOT, "%.1f", d);
  }
}
