package dev.kvactors.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code kv} command line against a {@code kv serve --cluster} node ({@code kv --server
 * HOST:PORT ...}): what a user of the single-machine program types works unchanged against a
 * cluster: set, get, delete, incr/decr, set --ttl, ttl and persist. One node (a cluster of one,
 * seeding itself) on the tests' PostgreSQL database.
 */
@Tag("postgres")
class ClusterCliSystemTest {
  private static final String PG_URL = System.getProperty("kv.test.pg.url",
      "jdbc:postgresql://127.0.0.1:5432/kv_test");

  @TempDir
  Path dir;

  @Test
  void theCommandLineSetsReadsAndDeletesThroughAClusterNode() throws Exception {
    int nodePort = freePort();
    Path stderr = dir.resolve("node.err");
    Process process = ClusterNodeProcess.launch(Files.createDirectories(dir.resolve("node")), stderr, nodePort,
        List.of("127.0.0.1:" + nodePort), PG_URL);
    try (ClusterNodeProcess node = ClusterNodeProcess.awaitListening(process, nodePort, stderr)) {
      String server = "127.0.0.1:" + node.port();
      Path elsewhere = dir.resolve("client");
      String key = "cli:" + System.nanoTime();

      KvProgram.Result set = KvProgram.run(elsewhere, "--server", server, "set", key, "through the cluster");
      assertEquals(0, set.exitCode(), set.describe());
      KvProgram.Result get = KvProgram.run(elsewhere, "--server", server, "get", key);
      assertEquals(0, get.exitCode(), get.describe());
      assertEquals("through the cluster", get.out());

      KvProgram.Result delete = KvProgram.run(elsewhere, "--server", server, "delete", key);
      assertEquals(0, delete.exitCode(), delete.describe());
      KvProgram.Result gone = KvProgram.run(elsewhere, "--server", server, "get", key);
      assertEquals(1, gone.exitCode(), gone.describe());
      assertTrue(gone.out().isEmpty(), gone.describe());

      String counter = "cli:n:" + System.nanoTime();
      assertEquals("1", run(elsewhere, "--server", server, "incr", counter));
      assertEquals("11", run(elsewhere, "--server", server, "incr", counter, "10"));
      assertEquals("6", run(elsewhere, "--server", server, "decr", counter, "5"));
      String session = "cli:s:" + System.nanoTime();
      run(elsewhere, "--server", server, "set", "--ttl", "10m", session, "abc");
      String left = run(elsewhere, "--server", server, "ttl", session);
      assertTrue(left.matches("9m[0-9]+s|10m0s"), "time left of a 10m expiry: " + left);
      run(elsewhere, "--server", server, "persist", session);
      assertEquals("none", run(elsewhere, "--server", server, "ttl", session));

      assertEquals(0, node.stop(), node.stderr());
    }
  }

  /** Runs {@code kv args} and returns the line it printed; it must exit 0. */
  private static String run(Path dir, String... args) throws Exception {
    KvProgram.Result result = KvProgram.run(dir, args);
    assertEquals(0, result.exitCode(), result.describe());
    return result.out().strip();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
