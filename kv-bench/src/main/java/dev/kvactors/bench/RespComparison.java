package dev.kvactors.bench;

import static java.util.Objects.requireNonNull;

import dev.kvactors.server.Reply;
import dev.kvactors.server.RespReader;
import java.io.BufferedInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code resp-set-50}, {@code resp-get-50}, {@code redis-always-set-50}, {@code redis-everysec-set-50},
 * {@code redis-get-50}: the same {@code redis-benchmark -c 50 -t set,get --csv} load, after a warm-up
 * run that is not counted (the same size in full and quick mode, so the server's JIT is warm), against {@code kv serve} in fsync mode and against {@code redis-server
 * --appendonly yes} with {@code appendfsync always} and then {@code everysec}; one server at a time,
 * each on its own loopback port and temporary directory. ops_per_s is redis-benchmark's requests
 * per second; p50/p99 come from its CSV (redis-benchmark 7; it gives no p99.9). The {@code -p16}
 * scenarios ({@code resp-set-50-p16}, {@code resp-get-50-p16}, {@code redis-always-set-50-p16},
 * {@code redis-get-50-p16}) run the same load pipelined, {@code -P 16}, on the same servers, after
 * their own warm-up.
 *
 * <p>Without redis-benchmark, redis-server or {@code kv-cli/target/kv.jar} the scenarios that need
 * them are skipped (reported, not failed). Every process started here is stopped (SIGTERM, then
 * SIGKILL after a timeout) and every temporary directory removed, also when a step fails.
 */
final class RespComparison {
  static final String RESP_SET = "resp-set-50";
  static final String RESP_GET = "resp-get-50";
  static final String REDIS_ALWAYS_SET = "redis-always-set-50";
  static final String REDIS_EVERYSEC_SET = "redis-everysec-set-50";
  static final String REDIS_GET = "redis-get-50";
  static final String RESP_SET_P16 = "resp-set-50-p16";
  static final String RESP_GET_P16 = "resp-get-50-p16";
  static final String REDIS_ALWAYS_SET_P16 = "redis-always-set-50-p16";
  static final String REDIS_GET_P16 = "redis-get-50-p16";
  static final List<String> NAMES = List.of(RESP_SET, RESP_GET, REDIS_ALWAYS_SET, REDIS_EVERYSEC_SET, REDIS_GET,
      RESP_SET_P16, RESP_GET_P16, REDIS_ALWAYS_SET_P16, REDIS_GET_P16);
  static final int CLIENTS = 50;
  /** redis-benchmark's {@code -P} for the {@code -p16} scenarios: 16 commands in flight per connection. */
  static final int PIPELINE = 16;

  /** The launcher's JVM flags for {@code kv serve}, a long-running process: full JIT, default collector. */
  private static final List<String> SERVER_JVM_FLAGS =
      List.of("-XX:-UsePerfData", "-Xshare:auto", "-Xlog:disable", "-Xlog:all=warning:stderr");
  private static final String LOOPBACK = RespCall.LOOPBACK;
  private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration BENCHMARK_TIMEOUT = Duration.ofMinutes(10);
  /** redis-benchmark's key for -t set,get without -r. */
  private static final String BENCHMARK_KEY = "key:__rand_int__";

  private final Plan plan;
  private final WorkDir work;
  private final Path home;
  private final Set<String> selected;
  private final PrintStream err;
  private final Consumer<String> skipped;

  /**
   * @param selected the scenarios to run (a subset of {@link #NAMES})
   * @param skipped told one line per group of scenarios that cannot run here, with the reason
   */
  RespComparison(Plan plan, WorkDir work, Path home, Set<String> selected, PrintStream err, Consumer<String> skipped) {
    this.plan = requireNonNull(plan, "plan is null");
    this.work = requireNonNull(work, "work is null");
    this.home = requireNonNull(home, "home is null");
    this.selected = Set.copyOf(requireNonNull(selected, "selected is null"));
    this.err = requireNonNull(err, "err is null");
    this.skipped = requireNonNull(skipped, "skipped is null");
    if (!NAMES.containsAll(this.selected)) {
      throw new IllegalArgumentException("not a RESP scenario: " + selected);
    }
  }

  List<ScenarioResult> run() throws Exception {
    List<String> kvNames = chosen(RESP_SET, RESP_GET, RESP_SET_P16, RESP_GET_P16);
    List<String> alwaysNames = chosen(REDIS_ALWAYS_SET, REDIS_GET, REDIS_ALWAYS_SET_P16, REDIS_GET_P16);
    List<String> everysecNames = chosen(REDIS_EVERYSEC_SET);
    Optional<Path> benchmark = Programs.onPath("redis-benchmark");
    if (benchmark.isEmpty()) {
      skip(chosen(NAMES.toArray(String[]::new)), "redis-benchmark is not on the PATH (apt-get install redis-tools)");
      return List.of();
    }
    String benchmarkVersion = Programs.firstLine(benchmark.get(), "--version");
    List<ScenarioResult> results = new ArrayList<>();

    Path kvJar = home.resolve("kv-cli/target/kv.jar");
    if (!kvNames.isEmpty() && !Files.isRegularFile(kvJar)) {
      skip(kvNames, "no " + home.relativize(kvJar) + " (build it: mvn -B -pl kv-cli -am package)");
    } else if (!kvNames.isEmpty()) {
      results.addAll(guarded(kvNames, () -> kvServe(benchmark.get(), benchmarkVersion, kvJar, kvNames)));
    }

    Optional<Path> server = Programs.onPath("redis-server");
    if (server.isEmpty()) {
      List<String> redisNames = new ArrayList<>(alwaysNames);
      redisNames.addAll(everysecNames);
      skip(redisNames, "redis-server is not on the PATH (apt-get install redis-server)");
    } else {
      String serverVersion = RedisBenchmarkCsv.serverVersion(Programs.firstLine(server.get(), "--version"));
      if (!alwaysNames.isEmpty()) {
        results.addAll(guarded(alwaysNames,
            () -> redisServer(server.get(), serverVersion, "always", benchmark.get(), benchmarkVersion, alwaysNames)));
      }
      if (!everysecNames.isEmpty()) {
        results.addAll(guarded(everysecNames,
            () -> redisServer(server.get(), serverVersion, "everysec", benchmark.get(), benchmarkVersion,
                everysecNames)));
      }
    }
    // In the order of NAMES, only those asked for.
    return results.stream().filter(r -> selected.contains(r.name()))
        .sorted((a, b) -> Integer.compare(NAMES.indexOf(a.name()), NAMES.indexOf(b.name()))).toList();
  }

  private List<ScenarioResult> kvServe(Path benchmark, String benchmarkVersion, Path kvJar, List<String> names)
      throws Exception {
    Path dir = work.newDir("resp-kv");
    try {
      warnIfStale(kvJar);
      // A copy, so that a rebuild of kv.jar during the run cannot pull classes from under the server.
      Path jar = Files.copy(kvJar, dir.resolve("kv.jar"), StandardCopyOption.COPY_ATTRIBUTES);
      Path dataDir = Files.createDirectories(dir.resolve("data"));
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(SERVER_JVM_FLAGS);
      command.addAll(List.of("-Dkv.durability=fsync", "-jar", jar.toString(), "--data-dir", dataDir.toString(),
          "serve", "--bind", LOOPBACK, "--port", "0"));
      ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
      pb.environment().remove("KV_DATA_DIR");
      Measured m;
      Measured p;
      try (ChildProcess kv = ChildProcess.start(pb, dir.resolve("kv.out"), dir.resolve("kv.err"), "kv serve", err)) {
        int port = kv.awaitLine(LISTENING, START_TIMEOUT);
        RespCall.awaitPong(kv, port, START_TIMEOUT);
        m = anyOf(names, RESP_SET, RESP_GET) ? measure(benchmark, port, dir, 1, kv) : null;
        p = anyOf(names, RESP_SET_P16, RESP_GET_P16) ? measure(benchmark, port, dir, PIPELINE, kv) : null;
        String persistence = RespCall.bulk(RespCall.call(port, "INFO", "persistence"));
        if (!persistence.contains("kv_durability:fsync")) {
          throw new IllegalStateException("kv serve is not in fsync mode; INFO persistence: " + persistence.strip());
        }
        requireBenchmarkKey(port, "kv serve");
      }
      String what = String.format(Locale.ROOT,
          "kv serve, durability fsync (INFO: kv_durability:fsync; every SET fsynced before the reply), kv.jar of %s"
              + " copied to a temp dir, java %s %s -Dkv.durability=fsync -jar kv.jar --data-dir TMP serve --bind %s"
              + " --port 0", Files.getLastModifiedTime(kvJar), System.getProperty("java.version"),
          String.join(" ", SERVER_JVM_FLAGS), LOOPBACK);
      List<ScenarioResult> rows = new ArrayList<>();
      if (m != null) {
        rows.add(row(RESP_SET, m.set(), what + "; SET: " + load(benchmarkVersion, 1) + m.cpu()));
        rows.add(row(RESP_GET, m.get(), what + "; GET (after the SETs of the same run): " + load(benchmarkVersion, 1)
            + m.cpu()));
      }
      if (p != null) {
        rows.add(row(RESP_SET_P16, p.set(), what + "; SET: " + load(benchmarkVersion, PIPELINE) + p.cpu()));
        rows.add(row(RESP_GET_P16, p.get(), what + "; GET (after the SETs of the same run): "
            + load(benchmarkVersion, PIPELINE) + p.cpu()));
      }
      return rows;
    } finally {
      WorkDir.delete(dir);
    }
  }

  private List<ScenarioResult> redisServer(Path server, String serverVersion, String fsync, Path benchmark,
      String benchmarkVersion, List<String> names) throws Exception {
    Path dir = work.newDir("redis-" + fsync);
    try {
      Path data = Files.createDirectories(dir.resolve("data"));
      int port = RespCall.freePort();
      List<String> flags = List.of("--bind", LOOPBACK, "--port", Integer.toString(port), "--appendonly", "yes",
          "--appendfsync", fsync, "--save", "", "--daemonize", "no");
      List<String> command = new ArrayList<>();
      command.add(server.toString());
      command.addAll(flags);
      command.addAll(List.of("--dir", data.toString(), "--logfile", dir.resolve("redis.log").toString()));
      Measured m;
      Measured p;
      try (ChildProcess redis = ChildProcess.start(new ProcessBuilder(command).directory(dir.toFile()), dir.resolve("redis.out"),
          dir.resolve("redis.err"), "redis-server", err)) {
        RespCall.awaitPong(redis, port, START_TIMEOUT);
        List<String> policy = RespCall.list(RespCall.call(port, "CONFIG", "GET", "appendfsync"));
        if (!policy.equals(List.of("appendfsync", fsync))) {
          throw new IllegalStateException("redis-server reports appendfsync " + policy + ", not " + fsync);
        }
        m = anyOf(names, REDIS_ALWAYS_SET, REDIS_GET, REDIS_EVERYSEC_SET) ? measure(benchmark, port, dir, 1, redis) : null;
        p = anyOf(names, REDIS_ALWAYS_SET_P16, REDIS_GET_P16) ? measure(benchmark, port, dir, PIPELINE, redis) : null;
        requireBenchmarkKey(port, "redis-server");
      }
      String durability = fsync.equals("always") ? "every write fsynced to the AOF before the reply"
          : "AOF fsynced once a second: up to about 1 s of acknowledged writes can be lost";
      String shown = String.join(" ", flags.stream().map(f -> f.isEmpty() ? "''" : f).toList())
          .replace("--port " + port, "--port PORT");
      String what = String.format(Locale.ROOT, "redis-server %s %s --dir TMP (%s)", serverVersion, shown, durability);
      if (fsync.equals("always")) {
        List<ScenarioResult> rows = new ArrayList<>();
        if (m != null) {
          rows.add(row(REDIS_ALWAYS_SET, m.set(), what + "; SET: " + load(benchmarkVersion, 1) + m.cpu()));
          rows.add(row(REDIS_GET, m.get(), what + "; GET (after the SETs of the same run): "
              + load(benchmarkVersion, 1) + m.cpu()));
        }
        if (p != null) {
          rows.add(row(REDIS_ALWAYS_SET_P16, p.set(), what + "; SET: " + load(benchmarkVersion, PIPELINE) + p.cpu()));
          rows.add(row(REDIS_GET_P16, p.get(), what + "; GET (after the SETs of the same run): "
              + load(benchmarkVersion, PIPELINE) + p.cpu()));
        }
        return rows;
      }
      return List.of(row(REDIS_EVERYSEC_SET, m.set(), what + "; SET: " + load(benchmarkVersion, 1) + String.format(
          Locale.ROOT, "; GET in the same run: %,.0f requests/s", m.get().rps())));
    } finally {
      WorkDir.delete(dir);
    }
  }

  /**
   * One measured run; {@code cpuMicrosPerRequest}: the server's CPU time (user + system, all its
   * threads) during the run over its SET and GET requests, NaN where the OS does not tell. On a
   * loaded machine this is the fairer comparison: throughput falls with the CPU a server is given,
   * its CPU time per request much less.
   */
  private record Measured(RedisBenchmarkCsv.Row set, RedisBenchmarkCsv.Row get, double cpuMicrosPerRequest) {
    String cpu() {
      return Double.isNaN(cpuMicrosPerRequest) ? ""
          : String.format(Locale.ROOT, "; server CPU %.1f us per request (user + system, SET and GET runs together)",
              cpuMicrosPerRequest);
    }
  }

  /** A warm-up run (not counted), then the measured one; both {@code -t set,get}, {@code -P pipeline}. */
  private Measured measure(Path benchmark, int port, Path dir, int pipeline, ChildProcess server) throws Exception {
    benchmark(benchmark, port, plan.respWarmupRequests(), pipeline, dir, "warmup-p" + pipeline);
    Optional<Duration> cpuBefore = server.cpu();
    String csv = benchmark(benchmark, port, requests(pipeline), pipeline, dir, "measured-p" + pipeline);
    Optional<Duration> cpuAfter = server.cpu();
    Map<String, RedisBenchmarkCsv.Row> rows = RedisBenchmarkCsv.parse(csv);
    RedisBenchmarkCsv.Row set = rows.get("SET");
    RedisBenchmarkCsv.Row get = rows.get("GET");
    if (set == null || get == null) {
      throw new IllegalStateException("redis-benchmark printed no SET or no GET row: <" + csv.strip() + ">");
    }
    double cpu = cpuBefore.isPresent() && cpuAfter.isPresent()
        ? cpuAfter.get().minus(cpuBefore.get()).toNanos() / 1000.0 / (2.0 * requests(pipeline)) : Double.NaN;
    return new Measured(set, get, cpu);
  }

  private int requests(int pipeline) {
    return pipeline == 1 ? plan.respRequests() : plan.respPipelinedRequests();
  }

  private String benchmark(Path benchmark, int port, int requests, int pipeline, Path dir, String label)
      throws Exception {
    List<String> command = List.of(benchmark.toString(), "-h", LOOPBACK, "-p", Integer.toString(port), "-c",
        Integer.toString(CLIENTS), "-n", Integer.toString(requests), "-P", Integer.toString(pipeline), "-t", "set,get",
        "--csv");
    Path out = dir.resolve("benchmark-" + label + ".csv");
    Path errFile = dir.resolve("benchmark-" + label + ".err");
    try (ChildProcess b = ChildProcess.start(new ProcessBuilder(command), out, errFile, "redis-benchmark", err)) {
      int code = b.awaitExit(BENCHMARK_TIMEOUT);
      String text = Files.readString(out, StandardCharsets.UTF_8);
      if (code != 0) {
        throw new IllegalStateException(String.join(" ", command) + " exited " + code + ": <" + text.strip() + "> <"
            + Files.readString(errFile, StandardCharsets.UTF_8).strip() + ">");
      }
      return text;
    }
  }

  private String load(String benchmarkVersion, int pipeline) {
    return String.format(Locale.ROOT,
        "%s -h %s -c %d -n %d -P %d -t set,get --csv after a warm-up run of -n %d -P %d (not counted); 3-byte"
            + " values (-d default), one key %s (no -r); ops_per_s = its requests/s, p50/p99 from its CSV (ms),"
            + " no p99.9",
        benchmarkVersion, LOOPBACK, CLIENTS, requests(pipeline), pipeline, plan.respWarmupRequests(), pipeline,
        BENCHMARK_KEY);
  }

  private static boolean anyOf(List<String> names, String... wanted) {
    return Stream.of(wanted).anyMatch(names::contains);
  }

  private static ScenarioResult row(String name, RedisBenchmarkCsv.Row r, String notes) {
    return new ScenarioResult(name, r.rps(), r.p50Ms() == null ? null : r.p50Ms() * 1000,
        r.p99Ms() == null ? null : r.p99Ms() * 1000, null, CLIENTS, notes);
  }

  @FunctionalInterface
  private interface Group {
    List<ScenarioResult> run() throws Exception;
  }

  /** A server's scenarios; if it fails, each of them is a FAILED line and the other servers still run. */
  private List<ScenarioResult> guarded(List<String> names, Group group) {
    try {
      return group.run();
    } catch (Exception e) {
      err.println("bench: " + String.join(", ", names) + " failed: " + e);
      e.printStackTrace(err);
      return names.stream().map(n -> ScenarioResult.failed(n, CLIENTS, e.toString())).toList();
    }
  }

  private List<String> chosen(String... names) {
    return Stream.of(names).filter(selected::contains).toList();
  }

  private void skip(List<String> names, String why) {
    if (!names.isEmpty()) {
      String line = String.join(", ", names) + ": " + why;
      err.println("bench: skipping " + line);
      skipped.accept(line);
    }
  }

  /** Warns when a source of the kv program is newer than kv.jar: the server measured is not the code in the tree. */
  private void warnIfStale(Path kvJar) throws IOException {
    FileTime built = Files.getLastModifiedTime(kvJar);
    for (String module : List.of("kv-actors", "kv-server", "kv-cli")) {
      Path sources = home.resolve(module).resolve("src/main");
      if (!Files.isDirectory(sources)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(sources)) {
        Optional<Path> newer = files.filter(Files::isRegularFile).filter(f -> {
          try {
            return Files.getLastModifiedTime(f).compareTo(built) > 0;
          } catch (IOException e) {
            return false;
          }
        }).findFirst();
        if (newer.isPresent()) {
          err.println("bench: WARNING: " + home.relativize(newer.get()) + " is newer than " + home.relativize(kvJar)
              + "; the RESP scenarios measure the jar (rebuild: mvn -B -pl kv-cli -am package)");
          return;
        }
      }
    }
  }

  /** redis-benchmark's SETs reached the store: its key holds a 3-byte value. */
  private static void requireBenchmarkKey(int port, String server) throws IOException {
    Object value = RespCall.call(port, "GET", BENCHMARK_KEY);
    if (!(value instanceof byte[] b) || b.length != 3) {
      throw new IllegalStateException(server + ": GET " + BENCHMARK_KEY + " after the benchmark gave " + value);
    }
  }
}
