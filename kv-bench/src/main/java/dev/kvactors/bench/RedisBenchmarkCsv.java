package dev.kvactors.bench;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The output of {@code redis-benchmark --csv}: one row per test. redis-benchmark 7 prints a header
 * ({@code "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms",
 * "p99_latency_ms","max_latency_ms"}) and quoted values; older versions print {@code "SET","12345.67"}
 * with no header and no latencies. Progress lines (separated by carriage returns), blank lines and
 * anything else that is not a row are ignored.
 */
final class RedisBenchmarkCsv {
  private static final Pattern SERVER_VERSION = Pattern.compile("\\bv=(\\S+)");

  /** One test's figures; a latency the output does not give is null. */
  record Row(String test, double rps, Double p50Ms, Double p99Ms) {
    Row {
      requireNonNull(test, "test is null");
    }
  }

  private RedisBenchmarkCsv() {}

  /**
   * The rows by test name in upper case ({@code SET}, {@code GET}), in output order.
   *
   * @throws IllegalArgumentException if the output holds no row with a requests-per-second figure
   */
  static Map<String, Row> parse(String output) {
    requireNonNull(output, "output is null");
    Map<String, Row> rows = new LinkedHashMap<>();
    int rpsColumn = 1;
    int p50Column = -1;
    int p99Column = -1;
    for (String line : output.split("\r\n|\r|\n")) {
      List<String> cells = cells(line);
      if (cells.size() < 2) {
        continue;
      }
      if (cells.get(0).equalsIgnoreCase("test")) {
        rpsColumn = cells.indexOf("rps");
        p50Column = cells.indexOf("p50_latency_ms");
        p99Column = cells.indexOf("p99_latency_ms");
        continue;
      }
      Double rps = number(cells, rpsColumn);
      if (rps == null || cells.get(0).isEmpty()) {
        continue;
      }
      String test = cells.get(0).toUpperCase(Locale.ROOT);
      rows.put(test, new Row(test, rps, number(cells, p50Column), number(cells, p99Column)));
    }
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("no rows in the redis-benchmark --csv output: <" + output.strip() + ">");
    }
    return rows;
  }

  /** {@code 7.0.15} from {@code redis-server --version} ("Redis server v=7.0.15 sha=..."); else the line itself. */
  static String serverVersion(String versionOutput) {
    Matcher m = SERVER_VERSION.matcher(versionOutput);
    return m.find() ? m.group(1) : versionOutput.strip();
  }

  /** The comma-separated cells of one line, each trimmed and without its surrounding quotes. */
  private static List<String> cells(String line) {
    List<String> cells = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '"') {
        if (quoted && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cell.append('"');
          i++;
        } else {
          quoted = !quoted;
        }
      } else if (c == ',' && !quoted) {
        cells.add(cell.toString().trim());
        cell.setLength(0);
      } else {
        cell.append(c);
      }
    }
    cells.add(cell.toString().trim());
    return cells;
  }

  private static Double number(List<String> cells, int column) {
    if (column < 0 || column >= cells.size()) {
      return null;
    }
    try {
      double d = Double.parseDouble(cells.get(column));
      return Double.isFinite(d) ? d : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
