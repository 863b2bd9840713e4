package dev.kvactors.system;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * {@code kv serve} as a real process, with the real {@code redis-cli} and {@code redis-benchmark}
 * (package redis-tools, which .ci/run installs), Jedis, and the {@code kv} commands in client mode.
 */
class KvServeTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @TempDir
  Path tmp;

  @BeforeAll
  static void redisToolsAreInstalled() {
    for (String tool : List.of("redis-cli", "redis-benchmark")) {
      KvProgram.Result which = KvProgram.run(List.of("sh", "-c", "command -v " + tool), null, new byte[0], TIMEOUT);
      if (which.exitCode() != 0) {
        fail(tool + " is missing: install the package redis-tools (apt-get install redis-tools), as .ci/run does");
      }
    }
  }

  private static KvProgram.Result redisCli(KvServer server, byte[] stdin, String... args) {
    List<String> command = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(server.port())));
    command.addAll(List.of(args));
    return KvProgram.run(command, null, stdin, TIMEOUT);
  }

  private static String redisCli(KvServer server, String... args) {
    return redisCli(server, new byte[0], args).out();
  }

  @Test
  void servesRedisCliAndRedisBenchmark() throws IOException {
    Path dir = tmp.resolve("data");
    try (KvServer server = KvServer.start(dir, tmp)) {
      assertEquals("PONG\n", redisCli(server, "ping"));
      assertEquals("OK\n", redisCli(server, "set", "greeting", "hello world"));
      assertEquals("hello world\n", redisCli(server, "get", "greeting"));
      assertEquals("1\n", redisCli(server, "del", "greeting", "absent"));
      assertEquals("\n", redisCli(server, "get", "greeting"));

      byte[] binary = {0, 1, (byte) 0xFF, '\r', '\n', 'x', 0, (byte) 0x80};
      assertEquals("OK\n", redisCli(server, binary, "-x", "set", "bin").out());
      byte[] expected = new byte[binary.length + 1];
      System.arraycopy(binary, 0, expected, 0, binary.length);
      expected[binary.length] = '\n';
      assertArrayEquals(expected, redisCli(server, new byte[0], "get", "bin").stdout());

      ByteArrayOutputStream pipe = new ByteArrayOutputStream();
      for (int i = 0; i < 1000; i++) {
        String key = "pipe:" + i;
        String value = "value-" + i;
        pipe.writeBytes(("*3\r\n$3\r\nSET\r\n$" + key.length() + "\r\n" + key + "\r\n$" + value.length() + "\r\n" + value
            + "\r\n").getBytes(StandardCharsets.US_ASCII));
      }
      KvProgram.Result piped = redisCli(server, pipe.toByteArray(), "--pipe");
      assertTrue(piped.out().contains("errors: 0, replies: 1000"), piped.describe());
      assertEquals("value-999\n", redisCli(server, "get", "pipe:999"));
      assertEquals("1001\n", redisCli(server, "dbsize"));

      String unknown = redisCli(server, "frobnicate", "a");
      assertTrue(unknown.startsWith("ERR unknown command 'frobnicate'"), unknown);

      try (Socket socket = socket(server)) {
        socket.getOutputStream().write("*1\r\n$4\r\nPING\r\n*1\r\n+not-a-bulk\r\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals("+PONG\r\n-ERR Protocol error: expected '$', got '+'\r\n",
            new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
      }
      assertEquals("PONG\n", redisCli(server, "ping"));

      KvProgram.Result benchmark = KvProgram.run(List.of("redis-benchmark", "-h", "127.0.0.1", "-p",
          Integer.toString(server.port()), "-t", "set,get", "-n", "10000", "-q"), null, new byte[0], Duration.ofSeconds(120));
      assertEquals(0, benchmark.exitCode(), benchmark.describe());
      String report = benchmark.out().replace('\r', '\n');
      assertTrue(report.contains("SET: ") && report.contains("GET: ") && report.contains("requests per second"),
          benchmark.describe());
      assertEquals("PONG\n", redisCli(server, "ping"));
    }
  }

  @Test
  void runsMultiExecAndIncrFromRedisCliAsRedis() {
    Path dir = tmp.resolve("data");
    try (KvServer server = KvServer.start(dir, tmp)) {
      // One redis-cli connection reading commands from stdin; the expected output is redis-server 7.0's.
      byte[] script = ("MULTI\nINCR c\nINCRBY c 10\nSET c2 x\nINCR c2\nEXEC\nGET c\nINCR c\nDECR c\nINCRBY c x\n")
          .getBytes(StandardCharsets.US_ASCII);
      assertEquals("OK\nQUEUED\nQUEUED\nQUEUED\nQUEUED\n1\n11\nOK\nERR value is not an integer or out of range\n\n"
          + "11\n12\n11\nERR value is not an integer or out of range\n\n", redisCli(server, script).out());
      byte[] aborted = "MULTI\nSET a 1\nNOSUCH\nEXEC\nEXISTS a\n".getBytes(StandardCharsets.US_ASCII);
      assertEquals("OK\nQUEUED\nERR unknown command 'NOSUCH', with args beginning with: \n\n"
          + "EXECABORT Transaction discarded because of previous errors.\n\n0\n", redisCli(server, aborted).out());
      assertEquals("5\n", redisCli(server, "incrby", "n", "5"));
      assertEquals("OK\n", redisCli(server, "set", "t", "v", "EX", "100"));
      assertEquals("100\n", redisCli(server, "ttl", "t"));
    }
  }

  @Test
  void everyAcknowledgedSetSurvivesAKillNineOfTheServer() throws Exception {
    Path dir = tmp.resolve("data");
    List<Integer> acknowledged = Collections.synchronizedList(new ArrayList<>());
    try (KvServer server = KvServer.start(dir, tmp)) {
      Thread writer = new Thread(() -> {
        try (Jedis jedis = new Jedis("127.0.0.1", server.port(), 10_000)) {
          for (int i = 0; i < 1_000_000; i++) {
            jedis.set("crash:" + i, "value-" + i);
            acknowledged.add(i);
          }
        } catch (JedisException e) {
          // the server was killed under us: what was acknowledged before is what counts
        }
      }, "jedis-writer");
      writer.start();
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (acknowledged.size() < 300 && System.nanoTime() < deadline && writer.isAlive()) {
        Thread.sleep(20);
      }
      assertTrue(acknowledged.size() >= 300, "only " + acknowledged.size() + " sets acknowledged: " + server.stderr());
      server.kill();
      writer.join(TimeUnit.SECONDS.toMillis(30));
      assertFalse(writer.isAlive(), "the writer did not notice the kill");
    }
    int last = acknowledged.get(acknowledged.size() - 1);
    assertTrue(Files.exists(dir.resolve("kv.server")), "a killed server leaves kv.server behind");

    // The file is stale: kv falls back to opening the (now unlocked) directory.
    KvProgram.Result direct = KvProgram.run(dir, "get", "crash:" + last);
    assertEquals(0, direct.exitCode(), direct.describe());
    assertEquals("value-" + last, direct.out());

    try (KvServer restarted = KvServer.start(dir, tmp);
         Jedis jedis = new Jedis("127.0.0.1", restarted.port(), 10_000)) {
      List<Integer> missing = new ArrayList<>();
      synchronized (acknowledged) {
        for (int i : acknowledged) {
          if (!("value-" + i).equals(jedis.get("crash:" + i))) {
            missing.add(i);
          }
        }
      }
      assertEquals(List.of(), missing, acknowledged.size() + " acknowledged");
      assertEquals(0, restarted.stop(), restarted.stderr());
    }
  }

  @Test
  void kvCommandsGoThroughARunningServerAndOpenTheDirectoryAgainAfterItStops() {
    Path dir = tmp.resolve("data");
    try (KvServer server = KvServer.start(dir, tmp)) {
      Path advertisement = dir.resolve("kv.server");
      assertTrue(Files.exists(advertisement));

      // The server holds the lock: these can only work through it.
      assertEquals(0, KvProgram.run(dir, "set", "via", "the server").exitCode());
      KvProgram.Result get = KvProgram.run(dir, "get", "via");
      assertEquals(0, get.exitCode(), get.describe());
      assertEquals("the server", get.out());
      assertEquals("the server\n", redisCli(server, "get", "via"));
      assertEquals(0, KvProgram.run(dir, "set", "user:*", "glob").exitCode());
      assertEquals(List.of("user:*"), KvProgram.run(dir, "keys", "user:*").outLines());
      assertEquals(0, KvProgram.run(dir, "delete", "via").exitCode());
      assertEquals(1, KvProgram.run(dir, "get", "via").exitCode());
      KvProgram.Result explicit = KvProgram.run(tmp.resolve("elsewhere"), "--server", "127.0.0.1:" + server.port(),
          "get", "user:*");
      assertEquals("glob", explicit.out(), explicit.describe());

      assertEquals(0, server.stop(), server.stderr());
      assertFalse(Files.exists(advertisement), "kv.server is removed at shutdown");
    }
    KvProgram.Result direct = KvProgram.run(dir, "get", "user:*");
    assertEquals(0, direct.exitCode(), direct.describe());
    assertEquals("glob", direct.out());

    try (KvServer restarted = KvServer.start(dir, tmp)) {
      assertEquals("glob\n", redisCli(restarted, "get", "user:*"));
      assertEquals(0, restarted.stop(), restarted.stderr());
    }
  }

  private static Socket socket(KvServer server) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", server.port()), (int) TIMEOUT.toMillis());
    socket.setSoTimeout((int) TIMEOUT.toMillis());
    return socket;
  }
}
