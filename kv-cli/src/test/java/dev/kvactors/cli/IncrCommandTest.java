package dev.kvactors.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kv incr} and {@code kv decr}, on a data directory and through a server speaking RESP. */
class IncrCommandTest {
  @TempDir
  Path dir;

  private KvTest.Run kv(String... args) {
    return KvTest.run(dir, args);
  }

  @Test
  void incrPrintsTheNewValueFromZero() {
    KvTest.Run first = kv("incr", "hits");
    assertEquals(0, first.exitCode(), first.err());
    assertEquals("1\n", first.out());
    assertEquals("11\n", kv("incr", "hits", "10").out());
    assertEquals("6\n", kv("decr", "hits", "5").out());
    assertEquals("5\n", kv("decr", "hits").out());
    assertEquals("2\n", kv("incr", "hits", "--", "-3").out());
    assertEquals("2", new String(kv("get", "hits").rawOut(), java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void incrOfAValueThatIsNotAnIntegerIsOneLineAndExitCode3() {
    kv("set", "name", "alice");
    KvTest.Run run = kv("incr", "name");
    assertEquals(3, run.exitCode());
    assertEquals("", run.out());
    assertEquals("kv: value is not an integer or out of range\n", run.err());
    assertEquals("alice", new String(kv("get", "name").rawOut(), java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void anOverflowIsOneLineAndExitCode3() {
    kv("set", "n", Long.toString(Long.MAX_VALUE));
    KvTest.Run run = kv("incr", "n");
    assertEquals(3, run.exitCode());
    assertEquals("kv: increment or decrement would overflow\n", run.err());
    KvTest.Run decr = kv("decr", "n", Long.toString(Long.MIN_VALUE));
    assertEquals(2, decr.exitCode(), "a decrement whose negation does not fit is a usage error: " + decr.err());
  }

  @Test
  void anIncrementThatIsNotAnIntegerIsAUsageError() {
    KvTest.Run run = kv("incr", "n", "1.5");
    assertEquals(2, run.exitCode());
    assertTrue(run.err().contains("BY"), run.err());
  }

  @Test
  void incrGoesThroughAServerAsINCRBYAndPrintsItsErrorsAsOneLine() throws Exception {
    try (RedisServer redis = RedisServer.start(dir.resolve("redis"))) {
      Assumptions.assumeTrue(redis != null, "redis-server is not installed");
      String address = "127.0.0.1:" + redis.port;
      assertEquals("5\n", kv("incr", "--server", address, "n", "5").out());
      assertEquals("3\n", kv("decr", "--server", address, "n", "2").out());
      kv("set", "--server", address, "s", "abc");
      KvTest.Run refused = kv("incr", "--server", address, "s");
      assertEquals(3, refused.exitCode());
      assertEquals("kv: value is not an integer or out of range (from the kv server at " + address + ")\n",
          refused.err());
    }
  }

  /** A real redis-server on a free loopback port, stopped on close; null if the program is missing. */
  private static final class RedisServer implements AutoCloseable {
    final Process process;
    final int port;

    private RedisServer(Process process, int port) {
      this.process = process;
      this.port = port;
    }

    static RedisServer start(Path workDir) throws IOException, InterruptedException {
      java.nio.file.Files.createDirectories(workDir);
      int port;
      try (ServerSocket free = new ServerSocket(0)) {
        port = free.getLocalPort();
      }
      Process process;
      try {
        process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", workDir.toString())
            .redirectErrorStream(true).redirectOutput(workDir.resolve("redis.log").toFile()).start();
      } catch (IOException e) {
        return null;
      }
      for (int attempt = 0; attempt < 200; attempt++) { // up to 10 s for it to listen
        try (Socket s = new Socket("127.0.0.1", port)) {
          return new RedisServer(process, port);
        } catch (IOException notYet) {
          if (!process.isAlive()) {
            throw new IOException("redis-server exited with " + process.exitValue() + "; see " + workDir);
          }
          process.waitFor(50, TimeUnit.MILLISECONDS);
        }
      }
      process.destroyForcibly();
      throw new IOException("redis-server did not listen on port " + port + " within 10 s");
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void concurrentIncrsOfOneDirectoryLoseNothing() {
    List<CompletableFuture<KvTest.Run>> runs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      runs.add(CompletableFuture.supplyAsync(() -> kv("--lock-wait", "30s", "incr", "shared")));
    }
    runs.forEach(r -> assertEquals(0, r.join().exitCode(), r.join().err()));
    assertEquals("4", new String(kv("get", "shared").rawOut(), java.nio.charset.StandardCharsets.UTF_8));
  }
}
