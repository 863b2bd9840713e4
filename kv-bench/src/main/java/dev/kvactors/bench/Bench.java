package dev.kvactors.bench;

import dev.kvactors.Durability;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code ./kv bench [--quick] [--out FILE] [--only NAME,...]}: runs every scenario, prints a table
 * and the target ratios, and writes the results as a JSON array to FILE (default
 * {@code target/bench/results.json} under the project root, the system property {@code kv.home}).
 * The cluster scenarios journal to PostgreSQL: {@code KV_BENCH_PG_URL} (default
 * {@code jdbc:postgresql://127.0.0.1:5432/kv_bench}, a database of the bench's own: its journal is
 * emptied), {@code KV_PG_USER} and {@code KV_PG_PASSWORD} (default {@code kv}).
 */
public final class Bench {
  /** Every scenario, in the order they run. */
  static final List<String> SCENARIOS = List.of("raw-fsync", "set-fsync-1", "set-fsync-64", "set-flush-64",
      "set-async-64", "get-1", "get-64", "seed-rewrite-10k", "mutex-fsync-64", "rocksdb-sync-64", "rocksdb-nosync-64",
      "recovery-1m", "cli-cold-get", "resp-set-50", "resp-get-50", "redis-always-set-50", "redis-everysec-set-50",
      "redis-get-50", "resp-set-50-p16", "resp-get-50-p16", "redis-always-set-50-p16", "redis-get-50-p16",
      "cluster1-set-50", "cluster1-get-50", "cluster3-set-50", "cluster3-get-50", "cluster1-set-50-p16",
      "cluster1-get-50-p16", "cluster3-set-50-p16", "cluster3-get-50-p16", "codec");

  private Bench() {}

  public static void main(String[] args) throws Exception {
    int code;
    try {
      code = run(args, System.out, System.err);
    } catch (Exception e) {
      e.printStackTrace();
      code = 3;
    }
    System.exit(code);
  }

  static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    Path home = Path.of(System.getProperty("kv.home", ".")).toAbsolutePath().normalize();
    Plan plan = Plan.fullRun();
    Path outFile = home.resolve("target/bench/results.json");
    Set<String> only = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> plan = Plan.quickRun();
        case "--out" -> {
          if (i + 1 == args.length) {
            err.println("bench: --out needs a FILE");
            return 2;
          }
          outFile = Path.of(args[++i]).toAbsolutePath();
        }
        case "--only" -> {
          if (i + 1 == args.length) {
            err.println("bench: --only needs NAME[,NAME...]");
            return 2;
          }
          only = new LinkedHashSet<>(Arrays.asList(args[++i].split(",")));
          if (!SCENARIOS.containsAll(only)) {
            err.println("bench: unknown scenario in --only; known: " + String.join(", ", SCENARIOS));
            return 2;
          }
        }
        case "-h", "--help" -> {
          out.println("Usage: kv bench [--quick] [--out FILE] [--only NAME[,NAME...]]");
          out.println("  --quick   every scenario, shorter and smaller (about 3 minutes)");
          out.println("  --out     JSON results file (default: target/bench/results.json in the project)");
          out.println("  --only    run only these scenarios: " + String.join(", ", SCENARIOS));
          out.println("            (--quick leaves out " + String.join(", ", ClusterScenarios.PIPELINED)
              + " unless named here)");
          return 0;
        }
        default -> {
          err.println("bench: unknown argument " + args[i] + " (try --help)");
          return 2;
        }
      }
    }

    if (only == null) {
      only = new LinkedHashSet<>(SCENARIOS);
      if (plan.quick()) {
        // Not cheap on a loaded 2-core machine: run in --quick only when named in --only.
        only.removeAll(ClusterScenarios.PIPELINED);
      }
    }
    Plan p = plan;
    Instant started = Instant.now();
    out.printf(Locale.ROOT, "kv bench (%s): %d cores, Java %s, %s; temp data under %s%n", plan.quick() ? "quick" : "full",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), System.getProperty("os.name"),
        home.resolve("target/bench"));
    List<ScenarioResult> results = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    try (WorkDir work = new WorkDir(home.resolve("target/bench"))) {
      Scenarios s = new Scenarios(p, work);
      step(only, "raw-fsync", results, err, () -> List.of(s.rawFsync()));
      step(only, "set-fsync-1", results, err, () -> List.of(s.kvSet("set-fsync-1", Durability.FSYNC, 1)));
      step(only, "set-fsync-64", results, err, () -> List.of(s.kvSet("set-fsync-64", Durability.FSYNC, 64)));
      step(only, "set-flush-64", results, err, () -> List.of(s.kvSet("set-flush-64", Durability.FLUSH, 64)));
      if (only.contains("set-async-64") || only.contains("get-1") || only.contains("get-64")) {
        step(Set.of("set-async"), "set-async", results, err, () -> Arrays.asList(s.setAsyncAndGets()));
      }
      step(only, "seed-rewrite-10k", results, err, () -> List.of(s.seedRewrite()));
      step(only, "mutex-fsync-64", results, err, () -> List.of(s.mutexFsync()));
      step(only, "rocksdb-sync-64", results, err, () -> List.of(s.rocksdb(true)));
      step(only, "rocksdb-nosync-64", results, err, () -> List.of(s.rocksdb(false)));
      step(only, "recovery-1m", results, err, () -> new RecoveryScenario(p, work).run());
      step(only, "cli-cold-get", results, err, () -> new CliColdGet(p, work, home).run());
      Set<String> resp = new LinkedHashSet<>(RespComparison.NAMES);
      resp.retainAll(only);
      if (!resp.isEmpty()) {
        step(Set.of("resp-vs-redis"), "resp-vs-redis", results, err,
            () -> new RespComparison(p, work, home, resp, err, skipped::add).run());
      }
      Set<String> cluster = new LinkedHashSet<>(ClusterScenarios.NAMES);
      cluster.retainAll(only);
      if (!cluster.isEmpty()) {
        step(Set.of("cluster"), "cluster", results, err,
            () -> ClusterScenarios.fromEnvironment(p, work, home, cluster, err, skipped::add).run());
      }
      step(only, "codec", results, err, () -> new JmhScenarios(p).run());
    }
    Duration took = Duration.between(started, Instant.now());

    out.println();
    out.print(ResultsFile.table(results));
    for (String line : skipped) {
      out.println("SKIPPED (not a failure): " + line);
    }
    out.println();
    out.println("Targets (ratios from this run; not asserted):");
    for (String line : Targets.check(results)) {
      out.println("  " + line);
    }
    ResultsFile.write(outFile, results);
    out.printf(Locale.ROOT, "%nRun took %d s (%s). Results: %s%n", took.toSeconds(), plan.quick() ? "--quick" : "full",
        outFile);
    boolean failed = results.stream().anyMatch(r -> r.notes().startsWith("FAILED"));
    return failed ? 1 : 0;
  }

  /** The 1-minute load average (Linux), to show how busy the machine was; "?" elsewhere. */
  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }

  @FunctionalInterface
  private interface Step {
    List<ScenarioResult> run() throws Exception;
  }

  /** Runs one scenario if selected; a failure becomes a FAILED line, and the other scenarios still run. */
  private static void step(Set<String> only, String name, List<ScenarioResult> results, PrintStream err, Step step) {
    if (!only.contains(name)) {
      return;
    }
    long start = System.nanoTime();
    err.printf(Locale.ROOT, "bench: %s ...%n", name);
    try {
      String load = loadAverage();
      List<ScenarioResult> r = step.run().stream()
          .map(x -> x.withNotes("1-min load average at start " + load + " (shared machine)")).toList();
      results.addAll(r);
      for (ScenarioResult x : r) {
        err.printf(Locale.ROOT, "bench:   %-18s %13s ops/s  p50 %s us  p99 %s us%n", x.name(),
            ResultsFile.number(x.opsPerS()), ResultsFile.number(x.p50Us()), ResultsFile.number(x.p99Us()));
      }
    } catch (Exception | Error e) {
      err.println("bench: " + name + " failed: " + e);
      e.printStackTrace(err);
      results.add(ScenarioResult.failed(name, null, e.toString()));
    }
    err.printf(Locale.ROOT, "bench:   (%.1f s)%n", (System.nanoTime() - start) / 1e9);
  }

}
