package dev.kvactors.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The targets as ratios of figures from one run (reported, never asserted). */
final class Targets {
  private Targets() {}

  static List<String> check(List<ScenarioResult> results) {
    Map<String, ScenarioResult> first = results.stream()
        .collect(Collectors.toMap(ScenarioResult::name, Function.identity(), (a, b) -> a));
    Map<String, ScenarioResult> byNotes = results.stream()
        .collect(Collectors.toMap(r -> r.name() + "|" + r.notes().split("[:;]")[0], Function.identity(), (a, b) -> a));
    List<String> lines = new ArrayList<>();
    ratio(lines, first, "set-fsync-64", "raw-fsync", 20, true, "group commit works");
    latency(lines, first.get("set-fsync-1"), first.get("raw-fsync"), 1.5);
    // Issue 9's table: the request path.
    absolute(lines, first.get("get-64"), 1_000_000);
    absolute(lines, first.get("set-async-64"), 400_000);
    ratio(lines, first, "set-fsync-64", "rocksdb-sync-64", 1.5, true, "vs RocksDB sync");
    ratio(lines, first, "resp-set-50", "redis-always-set-50", 1.0, true, "kv serve fsync vs redis appendfsync always");
    p99(lines, first, "resp-set-50", "redis-always-set-50", 1.5);
    ratio(lines, first, "resp-get-50", "redis-get-50", 0.8, true, "kv serve vs redis GET; aim 1.0");
    ratio(lines, first, "resp-set-50-p16", "redis-always-set-50-p16", 1.0, true,
        "pipelined -P 16: a batch is one group commit");
    ratio(lines, first, "resp-get-50-p16", "redis-get-50-p16", 0.5, true, "pipelined -P 16");
    // Cluster mode (issue 12): informative, no targets.
    info(lines, first, "cluster1-set-50", "resp-set-50", "1 cluster node, PostgreSQL journal vs the file log");
    info(lines, first, "cluster1-get-50", "resp-get-50", "1 cluster node vs single machine");
    info(lines, first, "cluster3-set-50", "cluster1-set-50", "3 nodes vs 1, on this machine's cores");
    info(lines, first, "cluster3-get-50", "cluster1-get-50", "3 nodes vs 1, on this machine's cores");
    info(lines, first, "cluster1-set-50-p16", "resp-set-50-p16", "pipelined");
    info(lines, first, "cluster3-set-50-p16", "cluster1-set-50-p16", "pipelined");
    for (ScenarioResult r : results) {
      if (r.name().startsWith("cluster")) {
        clusterCosts(lines, r);
      }
    }
    // Earlier targets.
    ratio(lines, first, "set-fsync-64", "seed-rewrite-10k", 100, true, "vs the original writer");
    ratio(lines, first, "set-fsync-64", "mutex-fsync-64", 1.0, true, "actors vs mutexes");
    ScenarioResult snap = byNotes.get("recovery-1m|from snapshot");
    if (snap != null && snap.opsPerS() != null) {
      double seconds = 1_000_000 / snap.opsPerS();
      lines.add(line("recovery-1m from snapshot: %.2f s for 1M keys (at the measured rate)", seconds, seconds < 2.0,
          "< 2 s"));
    }
    for (ScenarioResult r : results) {
      if (r.name().equals("cli-cold-get") && r.notes().startsWith("with AppCDS") && r.p50Us() != null) {
        double s = r.p50Us() / 1e6;
        lines.add(line("cli-cold-get with AppCDS: median %.3f s", s, s <= 0.5, "<= 0.5 s"));
      }
    }
    ScenarioResult log = byNotes.get("recovery-1m|from log");
    if (log != null) {
      Matcher m = Pattern.compile("heap: ([0-9.]+) bytes/key after GC \\(([0-9.]+) x")
          .matcher(log.notes());
      if (m.find()) {
        double ratio = Double.parseDouble(m.group(2));
        lines.add(line("memory: " + m.group(1) + " heap bytes/key = %.2f x raw key+value bytes", ratio, ratio < 2.5,
            "< 2.5 x"));
      }
    }
    return lines;
  }

  private static void ratio(List<String> lines, Map<String, ScenarioResult> r, String a, String b,
      double target, boolean atLeast, String why) {
    ScenarioResult x = r.get(a);
    ScenarioResult y = r.get(b);
    if (x == null || y == null || x.opsPerS() == null || y.opsPerS() == null || y.opsPerS() == 0) {
      return;
    }
    double q = x.opsPerS() / y.opsPerS();
    lines.add(line(a + " / " + b + " throughput = %.2f x (" + why + ")", q, atLeast ? q >= target : q <= target,
        (atLeast ? ">= " : "<= ") + fmt(target) + " x"));
  }

  /** A ratio of throughputs printed for information: no target. */
  private static void info(List<String> lines, Map<String, ScenarioResult> r, String a, String b, String why) {
    ScenarioResult x = r.get(a);
    ScenarioResult y = r.get(b);
    if (x == null || y == null || x.opsPerS() == null || y.opsPerS() == null || y.opsPerS() == 0) {
      return;
    }
    lines.add(String.format(Locale.ROOT, "%s / %s throughput = %.2f x (%s; informative, no target)", a, b,
        x.opsPerS() / y.opsPerS(), why));
  }

  private static final Pattern CPU = Pattern.compile("all nodes ([0-9.]+) us(, PostgreSQL ([0-9.]+) us)?");
  private static final Pattern BATCHING = Pattern.compile("([0-9.]+) events per commit");

  /** A cluster row's CPU per request (all nodes, PostgreSQL) and journal batching, from its notes. */
  private static void clusterCosts(List<String> lines, ScenarioResult r) {
    Matcher cpu = CPU.matcher(r.notes());
    if (!cpu.find()) {
      return;
    }
    StringBuilder line = new StringBuilder(r.name() + ": CPU per request " + cpu.group(1) + " us in the nodes");
    if (cpu.group(3) != null) {
      line.append(" + ").append(cpu.group(3)).append(" us in PostgreSQL");
    }
    Matcher batching = BATCHING.matcher(r.notes());
    if (batching.find()) {
      line.append("; ").append(batching.group(1)).append(" journal events per commit");
    }
    lines.add(line.append(" (informative)").toString());
  }

  private static void p99(List<String> lines, Map<String, ScenarioResult> r, String a, String b, double target) {
    ScenarioResult x = r.get(a);
    ScenarioResult y = r.get(b);
    if (x == null || y == null || x.p99Us() == null || y.p99Us() == null || y.p99Us() == 0) {
      return;
    }
    double q = x.p99Us() / y.p99Us();
    lines.add(line(a + " p99 / " + b + " p99 = %.2f x", q, q <= target, "<= " + fmt(target) + " x"));
  }

  private static void latency(List<String> lines, ScenarioResult one, ScenarioResult raw, double target) {
    if (one == null || raw == null || one.p50Us() == null || raw.p50Us() == null) {
      return;
    }
    double q = one.p50Us() / raw.p50Us();
    lines.add(line("set-fsync-1 p50 / raw-fsync p50 = %.2f x", q, q <= target, "<= " + fmt(target) + " x"));
  }

  private static void absolute(List<String> lines, ScenarioResult r, double target) {
    if (r == null || r.opsPerS() == null) {
      return;
    }
    lines.add(line(r.name() + " = %,.0f ops/s", r.opsPerS(), r.opsPerS() >= target, ">= " + fmt(target) + " ops/s"));
  }

  private static String line(String format, double value, boolean met, String target) {
    return String.format(Locale.ROOT, format, value) + "  [target " + target + ": " + (met ? "met" : "MISSED") + "]";
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? String.format(Locale.ROOT, "%,.0f", d) : String.format(Locale.ROOT, "%.1f", d);
  }
}
