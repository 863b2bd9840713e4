package dev.kvactors.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterScenariosTest {
  @TempDir
  Path temp;

  @Test
  void withoutPostgresTheScenariosAreSkippedWithOneLineSayingHowToGetIt() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      closed = s.getLocalPort();
    }
    List<String> skipped = new ArrayList<>();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try (WorkDir work = new WorkDir(temp.resolve("bench"))) {
      ClusterScenarios scenarios = new ClusterScenarios(Plan.quickRun(), work, temp, Set.copyOf(ClusterScenarios.NAMES),
          "jdbc:postgresql://127.0.0.1:" + closed + "/kv_bench", "kv", "kv",
          new PrintStream(err, true, StandardCharsets.UTF_8), skipped::add);

      List<ScenarioResult> results = scenarios.run();

      assertTrue(results.isEmpty(), results.toString());
    }
    assertEquals(1, skipped.size(), skipped.toString());
    String line = skipped.get(0);
    assertTrue(line.startsWith(String.join(", ", ClusterScenarios.NAMES) + ": PostgreSQL is not reachable at"), line);
    assertTrue(line.contains("kv-cluster/postgres-setup.sh"), line);
    assertFalse(line.contains("\n"), line);
    assertFalse(err.toString(StandardCharsets.UTF_8).contains("Exception"), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void refusesADatabaseWhoseTablesItMustNotEmpty() {
    BenchDatabase.Unavailable e = org.junit.jupiter.api.Assertions.assertThrows(BenchDatabase.Unavailable.class,
        () -> BenchDatabase.connect("jdbc:postgresql://127.0.0.1:5432/kv", "kv", "kv"));

    assertTrue(e.getMessage().contains("must contain 'bench'"), e.getMessage());
  }

  @Test
  void readsTheDatabaseNameAndHostOfAUrl() {
    assertEquals("kv_bench", BenchDatabase.databaseName("jdbc:postgresql://127.0.0.1:5432/kv_bench"));
    assertEquals("kv_bench", BenchDatabase.databaseName("jdbc:postgresql://db.example:5433/kv_bench?ssl=true"));
    assertEquals("127.0.0.1", BenchDatabase.host("jdbc:postgresql://127.0.0.1:5432/kv_bench"));
    assertEquals("localhost", BenchDatabase.host("jdbc:postgresql://localhost/kv_bench"));
  }

  @Test
  void spreadsClientsAndRequestsOverTheNodesAsEvenlyAsCanBe() {
    assertArrayEquals(new int[] {17, 17, 16}, ClusterScenarios.spread(50, 3));
    assertArrayEquals(new int[] {50}, ClusterScenarios.spread(50, 1));
    assertArrayEquals(new int[] {334, 333, 333}, ClusterScenarios.spread(1000, 3));
  }

  /**
   * One real, short run of {@code cluster1-set-50} and {@code cluster1-get-50}: a node of the
   * packaged kv program on the bench's database (created when missing), so kv-cli must be packaged
   * first (it is, in the reactor's order).
   */
  @Test
  @Tag("postgres")
  void aOneNodeClusterIsMeasuredWithCpuPerRequestAndJournalBatching() throws Exception {
    Path home = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
    Path kvJar = home.resolve("kv-cli/target/kv.jar");
    assertTrue(Files.isRegularFile(kvJar), "no " + kvJar + ": package kv-cli first (./mvnw -pl kv-cli -am package)");
    List<String> skipped = new ArrayList<>();
    Plan plan = Plan.quickRun();
    Plan small = new Plan(true, plan.warmup(), plan.measure(), plan.keySpace(), plan.recoveryKeys(),
        plan.recoveryRuns(), plan.cliRuns(), plan.jmhWarmupIterations(), plan.jmhIterations(),
        plan.jmhIterationTime(), plan.respRequests(), plan.respPipelinedRequests(), plan.respWarmupRequests(), 300,
        java.time.Duration.ofMillis(500));
    List<ScenarioResult> results;
    try (WorkDir work = new WorkDir(temp.resolve("bench"))) {
      results = new ClusterScenarios(small, work, home, Set.of(ClusterScenarios.ONE_SET, ClusterScenarios.ONE_GET),
          BenchDatabase.DEFAULT_URL, "kv", "kv", System.err, skipped::add).run();
    }

    assertEquals(List.of(), skipped);
    assertEquals(List.of(ClusterScenarios.ONE_SET, ClusterScenarios.ONE_GET),
        results.stream().map(ScenarioResult::name).toList());
    for (ScenarioResult r : results) {
      assertFalse(r.notes().startsWith("FAILED"), r.notes());
      assertNotNull(r.opsPerS(), r.toString());
      assertTrue(r.opsPerS() > 0, r.toString());
      assertNotNull(r.p99Us(), r.toString());
      assertTrue(r.notes().contains("CPU per request: all nodes"), r.notes());
    }
    assertTrue(results.get(0).notes().matches(".*journal: [0-9,]+ events \\(for [0-9,]+ SETs asked.*\\) in [0-9,]+"
        + " transactions.*"), results.get(0).notes());
  }
}
