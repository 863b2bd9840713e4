package dev.kvactors.bench;

import static java.util.Objects.requireNonNull;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The cluster scenarios: durable SET and GET over RESP against {@code kv serve --cluster} with one
 * node and with three nodes on this machine (separate JVMs of the packaged {@code kv-cli/target/kv.jar},
 * the journal in PostgreSQL), measured with {@code redis-benchmark} as the single-machine RESP
 * scenarios are: {@code cluster1-set-50}, {@code cluster1-get-50}, {@code cluster3-set-50},
 * {@code cluster3-get-50}, and pipelined ({@code -P 16}) the same with {@code -p16}.
 *
 * <p>With three nodes the 50 clients are spread over them (17, 17 and 16 connections, one
 * redis-benchmark per node, all at once); the throughput is the sum of the three, the latencies
 * the highest of the three. Keys are random from a space of {@value #KEY_SPACE} ({@code -r}), so
 * that the load reaches every bucket and every node. Each test (SET, then GET) first runs unmeasured
 * (the warm-up: buckets recovered, shards allocated, the JIT started) and its rate sizes the measured
 * run to last about {@link Plan#clusterMeasure()}. Beside each figure: every node's CPU time per
 * request (from {@code /proc}), the PostgreSQL backends' (when the database is on this machine) and,
 * for SET, the journal's batching: events inserted per transaction.
 *
 * <p>The journal is the bench's own database ({@link BenchDatabase}), emptied before each
 * topology. Without PostgreSQL, redis-benchmark or kv.jar the scenarios are skipped with one line.
 * Every node is stopped (SIGTERM, SIGKILL after a timeout) and its directory removed, also when a
 * step fails.
 */
final class ClusterScenarios {
  static final String ONE_SET = "cluster1-set-50";
  static final String ONE_GET = "cluster1-get-50";
  static final String THREE_SET = "cluster3-set-50";
  static final String THREE_GET = "cluster3-get-50";
  static final String ONE_SET_P16 = "cluster1-set-50-p16";
  static final String ONE_GET_P16 = "cluster1-get-50-p16";
  static final String THREE_SET_P16 = "cluster3-set-50-p16";
  static final String THREE_GET_P16 = "cluster3-get-50-p16";
  static final List<String> NAMES = List.of(ONE_SET, ONE_GET, THREE_SET, THREE_GET, ONE_SET_P16, ONE_GET_P16,
      THREE_SET_P16, THREE_GET_P16);
  /** The pipelined ones, which {@code --quick} runs only when named. */
  static final List<String> PIPELINED = List.of(ONE_SET_P16, ONE_GET_P16, THREE_SET_P16, THREE_GET_P16);
  /** Connections in all, spread over the nodes. */
  static final int CLIENTS = 50;
  static final int PIPELINE = 16;
  /** redis-benchmark's {@code -r}: keys {@code key:000000000000} .. {@code key:000000009999}. */
  static final int KEY_SPACE = 10_000;

  /** As for the single-machine {@code kv serve}, with a bounded heap: three of them share the machine. */
  private static final List<String> NODE_JVM_FLAGS =
      List.of("-XX:-UsePerfData", "-Xshare:auto", "-Xlog:disable", "-Xlog:all=warning:stderr", "-Xmx512m");
  private static final String LOOPBACK = RespCall.LOOPBACK;
  private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  private static final Duration BENCHMARK_TIMEOUT = Duration.ofMinutes(10);
  private static final String ERROR_LINE = "Error from server";

  private final Plan plan;
  private final WorkDir work;
  private final Path home;
  private final Set<String> selected;
  private final String pgUrl;
  private final String pgUser;
  private final String pgPassword;
  private final PrintStream err;
  private final Consumer<String> skipped;

  /**
   * @param selected the scenarios to run (a subset of {@link #NAMES})
   * @param pgUrl the bench's database ({@link BenchDatabase#DEFAULT_URL} unless told otherwise)
   * @param skipped told one line when the scenarios cannot run here, with the reason
   */
  ClusterScenarios(Plan plan, WorkDir work, Path home, Set<String> selected, String pgUrl, String pgUser,
      String pgPassword, PrintStream err, Consumer<String> skipped) {
    this.plan = requireNonNull(plan, "plan is null");
    this.work = requireNonNull(work, "work is null");
    this.home = requireNonNull(home, "home is null");
    this.selected = Set.copyOf(requireNonNull(selected, "selected is null"));
    this.pgUrl = requireNonNull(pgUrl, "pgUrl is null");
    this.pgUser = requireNonNull(pgUser, "pgUser is null");
    this.pgPassword = requireNonNull(pgPassword, "pgPassword is null");
    this.err = requireNonNull(err, "err is null");
    this.skipped = requireNonNull(skipped, "skipped is null");
    if (!NAMES.containsAll(this.selected)) {
      throw new IllegalArgumentException("not a cluster scenario: " + selected);
    }
  }

  /** The bench's database from the environment: {@code KV_BENCH_PG_URL}, {@code KV_PG_USER}, {@code KV_PG_PASSWORD}. */
  static ClusterScenarios fromEnvironment(Plan plan, WorkDir work, Path home, Set<String> selected, PrintStream err,
      Consumer<String> skipped) {
    Map<String, String> env = System.getenv();
    return new ClusterScenarios(plan, work, home, selected, env.getOrDefault("KV_BENCH_PG_URL", BenchDatabase.DEFAULT_URL),
        env.getOrDefault("KV_PG_USER", "kv"), env.getOrDefault("KV_PG_PASSWORD", "kv"), err, skipped);
  }

  List<ScenarioResult> run() throws Exception {
    List<String> chosen = chosen(NAMES.toArray(String[]::new));
    if (chosen.isEmpty()) {
      return List.of();
    }
    BenchDatabase db;
    try {
      db = BenchDatabase.connect(pgUrl, pgUser, pgPassword);
    } catch (BenchDatabase.Unavailable e) {
      skip(chosen, e.getMessage() + "; " + BenchDatabase.HOW_TO_GET_ONE);
      return List.of();
    }
    Optional<Path> benchmark = Programs.onPath("redis-benchmark");
    if (benchmark.isEmpty()) {
      skip(chosen, "redis-benchmark is not on the PATH (apt-get install redis-tools)");
      return List.of();
    }
    Path kvJar = home.resolve("kv-cli/target/kv.jar");
    if (!Files.isRegularFile(kvJar)) {
      skip(chosen, "no " + home.relativize(kvJar) + " (build it: ./mvnw -B -pl kv-cli -am package -DskipTests)");
      return List.of();
    }
    Environment env = new Environment(db, benchmark.get(), Programs.firstLine(benchmark.get(), "--version"),
        db.serverVersion(), Files.getLastModifiedTime(kvJar).toString());
    Path jarDir = work.newDir("cluster-jar");
    try {
      // A copy, so that a rebuild of kv.jar during the run cannot pull classes from under the nodes.
      Path jar = Files.copy(kvJar, jarDir.resolve("kv.jar"), StandardCopyOption.COPY_ATTRIBUTES);
      List<ScenarioResult> results = new ArrayList<>();
      List<String> one = chosen(ONE_SET, ONE_GET, ONE_SET_P16, ONE_GET_P16);
      if (!one.isEmpty()) {
        results.addAll(guarded(one, () -> topology(env, jar, 1, one)));
      }
      List<String> three = chosen(THREE_SET, THREE_GET, THREE_SET_P16, THREE_GET_P16);
      if (!three.isEmpty()) {
        results.addAll(guarded(three, () -> topology(env, jar, 3, three)));
      }
      return results.stream().filter(r -> selected.contains(r.name()))
          .sorted((a, b) -> Integer.compare(NAMES.indexOf(a.name()), NAMES.indexOf(b.name()))).toList();
    } finally {
      WorkDir.delete(jarDir);
    }
  }

  /** What every topology shares: the database, redis-benchmark, and the versions named in the notes. */
  private record Environment(BenchDatabase db, Path benchmark, String benchmarkVersion, String pgVersion,
      String jarTime) {}

  /** The running nodes of one topology: their processes, RESP ports, and the database's sessions for them. */
  private record Nodes(List<ChildProcess> processes, int[] ports, int[] clients, List<Long> pgPids) {
    int count() {
      return ports.length;
    }
  }

  /**
   * One measured test (SET or GET) over all nodes at once.
   *
   * @param perNode each node's redis-benchmark figures
   * @param requests requests sent to each node
   * @param wallSeconds from the start of the first redis-benchmark to the end of the last
   * @param nodeCpuMicros each node's CPU time (user + system) during the test; NaN when unknown
   * @param pgCpuMicros the PostgreSQL sessions' CPU time during the test; NaN when unknown
   * @param batching for SET: the journal's events and their transactions during the test; else null
   */
  record Phase(List<RedisBenchmarkCsv.Row> perNode, int[] requests, double wallSeconds, double[] nodeCpuMicros,
      double pgCpuMicros, BenchDatabase.Batching batching) {
    int totalRequests() {
      return IntStream.of(requests).sum();
    }

    /** The sum of the nodes' requests per second (each node's own count over its own run). */
    double rps() {
      return perNode.stream().mapToDouble(RedisBenchmarkCsv.Row::rps).sum();
    }

    /** All requests over the wall-clock time of the whole test: at most {@link #rps()}. */
    double wallRps() {
      return totalRequests() / wallSeconds;
    }

    Double p50Us() {
      return highest(RedisBenchmarkCsv.Row::p50Ms);
    }

    Double p99Us() {
      return highest(RedisBenchmarkCsv.Row::p99Ms);
    }

    private Double highest(Function<RedisBenchmarkCsv.Row, Double> ms) {
      Double max = null;
      for (RedisBenchmarkCsv.Row r : perNode) {
        Double v = ms.apply(r);
        if (v == null) {
          return null;
        }
        max = max == null ? v : Math.max(max, v);
      }
      return max == null ? null : max * 1000;
    }

    /** A node's CPU per request sent to it (it also serves, for the others, the buckets it holds). */
    double nodeCpuPerRequest(int node) {
      return nodeCpuMicros[node] / requests[node];
    }

    double allNodesCpuPerRequest() {
      return Arrays.stream(nodeCpuMicros).sum() / totalRequests();
    }

    double pgCpuPerRequest() {
      return pgCpuMicros / totalRequests();
    }
  }

  private List<ScenarioResult> topology(Environment env, Path jar, int count, List<String> names) throws Exception {
    Path dir = work.newDir("cluster" + count);
    try {
      env.db().truncate();
      long started = System.nanoTime();
      List<ChildProcess> processes = new ArrayList<>();
      try {
        int[] nodePorts = new int[count];
        for (int i = 0; i < count; i++) {
          nodePorts[i] = RespCall.freePort();
        }
        for (int i = 0; i < count; i++) {
          processes.add(startNode(env, jar, dir, i, nodePorts[i], nodePorts[0]));
        }
        int[] ports = new int[count];
        for (int i = 0; i < count; i++) {
          ports[i] = processes.get(i).awaitLine(LISTENING, START_TIMEOUT);
        }
        for (int i = 0; i < count; i++) {
          RespCall.awaitPong(processes.get(i), ports[i], START_TIMEOUT);
        }
        awaitMembers(processes, ports);
        prime(ports);
        Nodes nodes = new Nodes(processes, ports, spread(CLIENTS, count), env.db().backendPids());
        err.printf(Locale.ROOT, "bench:   %d node(s) up, all members Up, in %.1f s%n", count,
            (System.nanoTime() - started) / 1e9);
        return measureAll(env, nodes, dir, names);
      } finally {
        processes.forEach(ChildProcess::signalStop);
        processes.forEach(ChildProcess::close);
      }
    } finally {
      WorkDir.delete(dir);
    }
  }

  private List<ScenarioResult> measureAll(Environment env, Nodes nodes, Path dir, List<String> names)
      throws Exception {
    int n = nodes.count();
    String set = n == 1 ? ONE_SET : THREE_SET;
    String get = n == 1 ? ONE_GET : THREE_GET;
    String setP = n == 1 ? ONE_SET_P16 : THREE_SET_P16;
    String getP = n == 1 ? ONE_GET_P16 : THREE_GET_P16;
    List<ScenarioResult> rows = new ArrayList<>();
    // The unpipelined tests always run: their warm-up warms the nodes for the pipelined ones too,
    // and their rate sizes the pipelined warm-up.
    Warmed setRun = warmAndMeasure(env, nodes, dir, "set", 1, plan.clusterWarmupRequests());
    Warmed getRun = warmAndMeasure(env, nodes, dir, "get", 1, plan.clusterWarmupRequests());
    if (names.contains(set)) {
      rows.add(row(set, nodes, env, "SET", setRun, 1));
    }
    if (names.contains(get)) {
      rows.add(row(get, nodes, env, "GET", getRun, 1));
    }
    if (names.contains(setP) || names.contains(getP)) {
      Warmed setP16 = warmAndMeasure(env, nodes, dir, "set", PIPELINE, pipelinedWarmup(setRun.measured()));
      Warmed getP16 = warmAndMeasure(env, nodes, dir, "get", PIPELINE, pipelinedWarmup(getRun.measured()));
      if (names.contains(setP)) {
        rows.add(row(setP, nodes, env, "SET", setP16, PIPELINE));
      }
      if (names.contains(getP)) {
        rows.add(row(getP, nodes, env, "GET", getP16, PIPELINE));
      }
    }
    return rows;
  }

  /** The pipelined warm-up: about a second at the unpipelined rate, and at least two requests per slot. */
  private static int pipelinedWarmup(Phase unpipelined) {
    return Math.max(2 * CLIENTS * PIPELINE, (int) Math.round(unpipelined.rps()));
  }

  /**
   * @param warmupRequests the warm-up's size
   * @param failedWarmups warm-ups that met an error (a shard still being allocated, a bucket's first
   *     recovery late on a loaded machine) and were run again
   */
  private record Warmed(int warmupRequests, List<String> failedWarmups, Phase measured) {}

  private static final int WARMUP_ATTEMPTS = 3;

  /** A warm-up run of {@code warmup} requests, then a measured one sized by its rate to last {@link Plan#clusterMeasure()}. */
  private Warmed warmAndMeasure(Environment env, Nodes nodes, Path dir, String test, int pipeline, int warmup)
      throws Exception {
    List<String> failed = new ArrayList<>();
    Phase warm = null;
    while (warm == null) {
      try {
        warm = phase(env, nodes, dir, test, pipeline, warmup, "warmup");
      } catch (IllegalStateException e) {
        failed.add(e.getMessage());
        err.println("bench:   warm-up " + failed.size() + " of " + test + " -P " + pipeline + " met an error: "
            + e.getMessage());
        if (failed.size() == WARMUP_ATTEMPTS) {
          throw e;
        }
      }
    }
    double seconds = plan.clusterMeasure().toMillis() / 1000.0;
    long sized = Math.round(Math.min(warm.rps(), warm.wallRps()) * seconds);
    int requests = (int) Math.min(10_000_000, Math.max(Math.max(500, 2L * CLIENTS * pipeline), sized));
    Phase measured = phase(env, nodes, dir, test, pipeline, requests, "measured");
    err.printf(Locale.ROOT, "bench:   %d node(s) %s -P %d: %,.0f requests/s, warm-up %,.0f/s%n", nodes.count(), test,
        pipeline, measured.rps(), warm.rps());
    return new Warmed(warmup, failed, measured);
  }

  /** One redis-benchmark per node, all at once, {@code total} requests spread over them as the clients are. */
  private Phase phase(Environment env, Nodes nodes, Path dir, String test, int pipeline, int total, String label)
      throws Exception {
    int n = nodes.count();
    int[] requests = spread(total, n);
    boolean set = test.equals("set");
    long orderingBefore = set ? env.db().lastOrdering() : 0;
    Optional<Duration>[] cpuBefore = cpus(nodes);
    Optional<Duration> pgBefore = BenchDatabase.cpu(nodes.pgPids());
    long start = System.nanoTime();
    List<ChildProcess> runs = new ArrayList<>();
    List<Path> outs = new ArrayList<>();
    List<List<String>> commands = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        List<String> command = List.of(env.benchmark().toString(), "-h", LOOPBACK, "-p",
            Integer.toString(nodes.ports()[i]), "-c", Integer.toString(nodes.clients()[i]), "-n",
            Integer.toString(requests[i]), "-P", Integer.toString(pipeline), "-r", Integer.toString(KEY_SPACE), "-t",
            test, "--csv");
        String name = String.format(Locale.ROOT, "benchmark-%s-%s-p%d-node%d", label, test, pipeline, i + 1);
        Path out = dir.resolve(name + ".csv");
        runs.add(ChildProcess.start(new ProcessBuilder(command), out, dir.resolve(name + ".err"), "redis-benchmark",
            err));
        outs.add(out);
        commands.add(command);
      }
      List<RedisBenchmarkCsv.Row> rows = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int code = runs.get(i).awaitExit(BENCHMARK_TIMEOUT);
        String text = Files.readString(outs.get(i), StandardCharsets.UTF_8);
        if (code != 0) {
          throw new IllegalStateException(String.join(" ", commands.get(i)) + " exited " + code + "; "
              + runs.get(i).output());
        }
        if (text.contains(ERROR_LINE)) {
          throw new IllegalStateException("node " + (i + 1) + " answered errors to " + String.join(" ",
              commands.get(i)) + ": " + text.lines().filter(l -> l.contains(ERROR_LINE)).findFirst().orElse(""));
        }
        RedisBenchmarkCsv.Row row = RedisBenchmarkCsv.parse(text).get(test.toUpperCase(Locale.ROOT));
        if (row == null) {
          throw new IllegalStateException("redis-benchmark printed no " + test + " row: <" + text.strip() + ">");
        }
        rows.add(row);
      }
      double wall = (System.nanoTime() - start) / 1e9;
      Optional<Duration>[] cpuAfter = cpus(nodes);
      Optional<Duration> pgAfter = BenchDatabase.cpu(nodes.pgPids());
      double[] nodeCpu = new double[n];
      for (int i = 0; i < n; i++) {
        nodeCpu[i] = micros(cpuBefore[i], cpuAfter[i]);
      }
      BenchDatabase.Batching batching = null;
      if (set) {
        batching = env.db().batchingSince(orderingBefore);
      }
      return new Phase(rows, requests, wall, nodeCpu, nodes.pgPids().isEmpty() ? Double.NaN : micros(pgBefore,
          pgAfter), batching);
    } finally {
      runs.forEach(ChildProcess::close);
    }
  }

  @SuppressWarnings("unchecked")
  private static Optional<Duration>[] cpus(Nodes nodes) {
    return nodes.processes().stream().map(ChildProcess::cpu).toArray(Optional[]::new);
  }

  private static double micros(Optional<Duration> before, Optional<Duration> after) {
    return before.isPresent() && after.isPresent() ? after.get().minus(before.get()).toNanos() / 1000.0 : Double.NaN;
  }

  /** {@code total} split over {@code parts} as evenly as can be, the first parts one larger. */
  static int[] spread(int total, int parts) {
    int[] out = new int[parts];
    for (int i = 0; i < parts; i++) {
      out[i] = total / parts + (i < total % parts ? 1 : 0);
    }
    return out;
  }

  private ChildProcess startNode(Environment env, Path jar, Path dir, int index, int nodePort, int seedPort)
      throws Exception {
    Path nodeDir = Files.createDirectories(dir.resolve("node" + (index + 1)));
    Path dataDir = Files.createDirectories(nodeDir.resolve("data"));
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(NODE_JVM_FLAGS);
    // System properties win over any configuration file: the nodes journal to the bench's database only.
    command.add("-Dkv.cluster.postgres.url=" + env.db().url());
    command.add("-Dkv.cluster.postgres.user=" + env.db().user());
    command.addAll(List.of("-jar", jar.toString(), "--data-dir", dataDir.toString(), "serve", "--cluster", "--bind",
        LOOPBACK, "--port", "0", "--node-port", Integer.toString(nodePort), "--seed", LOOPBACK + ":" + seedPort));
    ProcessBuilder pb = new ProcessBuilder(command).directory(nodeDir.toFile());
    pb.environment().remove("KV_DATA_DIR");
    pb.environment().remove("KV_PG_URL");
    pb.environment().remove("KV_PG_USER");
    pb.environment().put("KV_PG_PASSWORD", env.db().password());
    return ChildProcess.start(pb, nodeDir.resolve("kv.out"), nodeDir.resolve("kv.err"),
        "kv serve --cluster (node " + (index + 1) + ")", err);
  }

  /** kv-cluster's default {@code kv.cluster.buckets}: priming reads one key of each. */
  private static final int BUCKETS = 1024;
  private static final Duration PRIME_TIMEOUT = Duration.ofSeconds(120);

  /**
   * Before the warm-up: through every node, GETs of one benchmark key per bucket (pipelined, errors
   * tolerated), again until a pass answers all of them. This allocates every shard, teaches every
   * node where each shard lives and recovers every bucket from the (empty) journal, so that the
   * warm-up's redis-benchmark, which stops at its first error reply, does not meet a request that
   * waited out its 5 s deadline behind all of that on a loaded machine.
   */
  private void prime(int[] ports) throws Exception {
    List<String[]> gets = new ArrayList<>();
    boolean[] seen = new boolean[BUCKETS];
    for (int i = 0; i < KEY_SPACE; i++) {
      String key = String.format(Locale.ROOT, "key:%012d", i);
      // KeyBucket.entityId: the key's String hash modulo the number of buckets.
      int bucket = Math.floorMod(key.hashCode(), BUCKETS);
      if (!seen[bucket]) {
        seen[bucket] = true;
        gets.add(new String[] {"GET", key});
      }
    }
    long start = System.nanoTime();
    long deadline = start + PRIME_TIMEOUT.toNanos();
    int passes = 0;
    while (true) {
      passes++;
      int errors = 0;
      StringBuilder first = new StringBuilder();
      for (int port : ports) {
        errors += RespCall.pipeline(port, gets, Duration.ofSeconds(60), first);
      }
      if (errors == 0) {
        break;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("after " + PRIME_TIMEOUT.toSeconds() + " s, GETs of " + gets.size()
            + " keys through every node still met " + errors + " errors, the first: " + first);
      }
    }
    err.printf(Locale.ROOT, "bench:   primed %d buckets through %d node(s) in %d pass(es), %.1f s%n", gets.size(),
        ports.length, passes, (System.nanoTime() - start) / 1e9);
  }

  /** Waits until every node's {@code INFO cluster} lists all of them Up and none unreachable. */
  private static void awaitMembers(List<ChildProcess> processes, int[] ports) throws Exception {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    for (int i = 0; i < ports.length; i++) {
      while (true) {
        processes.get(i).requireAlive();
        Map<String, String> info = InfoFields.parse(RespCall.bulk(RespCall.call(ports[i], "INFO", "cluster")));
        if (InfoFields.allUp(info, ports.length)) {
          break;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("node " + (i + 1) + " did not see " + ports.length + " members Up within "
              + START_TIMEOUT.toSeconds() + " s; INFO cluster: " + info);
        }
        Thread.sleep(100);
      }
    }
  }

  private ScenarioResult row(String name, Nodes nodes, Environment env, String test, Warmed run, int pipeline) {
    Phase p = run.measured();
    int n = nodes.count();
    StringBuilder notes = new StringBuilder();
    notes.append(String.format(Locale.ROOT, "kv serve --cluster, %d node%s on this machine (separate JVMs: java %s"
            + " -jar kv.jar of %s --data-dir TMP serve --cluster --bind %s --port 0 --node-port PORT --seed FIRST),"
            + " journal in PostgreSQL %s, database %s (pekko-persistence-jdbc; a SET is answered after its event's"
            + " insert has committed)", n, n == 1 ? "" : "s", String.join(" ", NODE_JVM_FLAGS), env.jarTime(), LOOPBACK,
        env.pgVersion(), BenchDatabase.databaseName(env.db().url())));
    notes.append(String.format(Locale.ROOT, "; %s: %s -h %s -p NODE -c %s -n %s -P %d -r %d -t %s --csv, %s, after"
            + " a warm-up of -n %,d in all (not counted; the measured -n sized by its rate to last about %.1f s)",
        test, env.benchmarkVersion(), LOOPBACK, join(nodes.clients()), join(p.requests()), pipeline, KEY_SPACE,
        test.toLowerCase(Locale.ROOT), n == 1 ? "one redis-benchmark" : "one redis-benchmark per node, all at once",
        run.warmupRequests(), plan.clusterMeasure().toMillis() / 1000.0));
    if (!run.failedWarmups().isEmpty()) {
      notes.append(String.format(Locale.ROOT, "; %d warm-up(s) met an error and ran again (first: %s)",
          run.failedWarmups().size(), run.failedWarmups().get(0)));
    }
    if (n > 1) {
      notes.append(String.format(Locale.ROOT, "; ops_per_s = the sum of the nodes' requests/s (%s), %,.0f over the"
              + " whole test's wall-clock time; p50/p99 = the highest node's (p50 %s, p99 %s ms)",
          p.perNode().stream().map(r -> String.format(Locale.ROOT, "%,.0f", r.rps())).collect(Collectors.joining(" + ")),
          p.wallRps(), p.perNode().stream().map(r -> String.valueOf(r.p50Ms())).collect(Collectors.joining("/")),
          p.perNode().stream().map(r -> String.valueOf(r.p99Ms())).collect(Collectors.joining("/"))));
    } else {
      notes.append("; ops_per_s = its requests/s, p50/p99 from its CSV (ms), no p99.9");
    }
    notes.append("; CPU per request: ");
    if (n > 1) {
      notes.append(IntStream.range(0, n).mapToObj(i -> String.format(Locale.ROOT, "node%d %.0f us", i + 1,
          p.nodeCpuPerRequest(i))).collect(Collectors.joining(", ")));
      notes.append(String.format(Locale.ROOT, " (a node's CPU over the requests sent to it; it also serves the buckets"
          + " it holds for the others), all nodes %.0f us", p.allNodesCpuPerRequest()));
    } else {
      notes.append(String.format(Locale.ROOT, "all nodes %.0f us", p.allNodesCpuPerRequest()));
    }
    if (!Double.isNaN(p.pgCpuPerRequest())) {
      notes.append(String.format(Locale.ROOT, ", PostgreSQL %.0f us (its %d sessions for the nodes)",
          p.pgCpuPerRequest(), nodes.pgPids().size()));
    }
    notes.append(" (user + system, from /proc)");
    if (p.batching() != null) {
      notes.append(String.format(Locale.ROOT, "; journal: %,d events (for %,d SETs asked; with -P redis-benchmark"
          + " sends whole pipelines, a few more) in %,d transactions, %.1f events per commit (event_journal rows of"
          + " the test by inserting transaction, xmin)",
          p.batching().events(), p.totalRequests(), p.batching().transactions(), p.batching().eventsPerCommit()));
    }
    return new ScenarioResult(name, p.rps(), p.p50Us(), p.p99Us(), null, CLIENTS, notes.toString());
  }

  private static String join(int[] values) {
    return IntStream.of(values).mapToObj(Integer::toString).collect(Collectors.joining("/"));
  }

  @FunctionalInterface
  private interface Group {
    List<ScenarioResult> run() throws Exception;
  }

  /** A topology's scenarios; if it fails, each of them is a FAILED line and the other topology still runs. */
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
    String line = String.join(", ", names) + ": " + why;
    err.println("bench: skipping " + line);
    skipped.accept(line);
  }
}
