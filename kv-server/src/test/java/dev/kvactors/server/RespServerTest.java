package dev.kvactors.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.ScanResult;

/** The server in this JVM, on a store in a temporary directory, through Jedis and raw sockets. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RespServerTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @TempDir
  static Path dir;

  private ActorSystem<Void> system;
  private RespServer server;
  private ServerSettings settings;

  @BeforeAll
  void start() throws Exception {
    Config config = ConfigFactory.parseMap(Map.of("kv.data-dir", dir.toString(), "kv.durability", "flush"))
        .withFallback(ConfigFactory.load());
    system = ActorSystem.create(Behaviors.empty(), "resp-server-test", config);
    // Recovered before the server starts, as kv serve does: recovery removes leftover temp files,
    // and would race the server writing its advertisement (kv.server.tmp) otherwise.
    dev.kvactors.KvStore.attach(system);
    settings = ServerSettings.create(config).withAddress("127.0.0.1", 0);
    server = startServer(settings);
  }

  @AfterAll
  void stop() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private RespServer startServer(ServerSettings s) throws Exception {
    return RespServer.start(system, s).toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private Jedis jedis() {
    return jedis(server);
  }

  private static Jedis jedis(RespServer s) {
    Jedis jedis = new Jedis("127.0.0.1", s.address().getPort(), (int) TIMEOUT.toMillis());
    return jedis;
  }

  private static ProtocolCommand command(String name) {
    return () -> name.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void setsGetsAndDeletesKeys() {
    try (Jedis jedis = jedis()) {
      assertEquals("PONG", jedis.ping());
      assertEquals("OK", jedis.set("greeting", "hello"));
      assertEquals("hello", jedis.get("greeting"));
      assertEquals(2, jedis.exists("greeting", "greeting", "other"));
      assertEquals(1, jedis.del("greeting", "never-there"));
      assertNull(jedis.get("greeting"));
      assertFalse(jedis.exists("greeting"));
    }
  }

  @Test
  void honoursNxXxAndGetOptionsOfSet() {
    try (Jedis jedis = jedis()) {
      assertNull(jedis.set("cond", "1", SetParams.setParams().xx()));
      assertEquals("OK", jedis.set("cond", "1", SetParams.setParams().nx()));
      assertNull(jedis.set("cond", "2", SetParams.setParams().nx()));
      assertEquals("1", jedis.setGet("cond", "3"));
      assertEquals("3", jedis.setGet("cond", "4", SetParams.setParams().xx()));
      assertEquals("4", jedis.get("cond"));
      assertEquals("OK", jedis.set("cond", "5", SetParams.setParams().ex(10)));
      assertEquals(10, jedis.ttl("cond"));
    }
  }

  @Test
  void keepsBinaryValuesByteForByte() {
    byte[] value = new byte[70_000];
    for (int i = 0; i < value.length; i++) {
      value[i] = (byte) (i * 31);
    }
    try (Jedis jedis = jedis()) {
      jedis.set("bin".getBytes(StandardCharsets.UTF_8), value);
      assertArrayEquals(value, jedis.get("bin".getBytes(StandardCharsets.UTF_8)));
    }
  }

  @Test
  void refusesKeysThatAreNotUtf8() {
    try (Jedis jedis = jedis()) {
      JedisDataException e = assertThrows(JedisDataException.class,
          () -> jedis.set(new byte[] {'k', (byte) 0xFF}, new byte[] {1}));
      assertEquals("ERR invalid key: keys must be valid UTF-8", e.getMessage());
      assertEquals("PONG", jedis.ping());
    }
  }

  @Test
  void answersMgetMsetKeysScanAndDbsize() {
    try (Jedis jedis = jedis()) {
      assertEquals("OK", jedis.mset("list:a", "1", "list:b", "2", "list:c", "3"));
      assertEquals(java.util.Arrays.asList("1", null, "3"), jedis.mget("list:a", "list:x", "list:c"));
      assertEquals(Set.of("list:a", "list:b", "list:c"), jedis.keys("list:*"));
      assertEquals(Set.of("list:a", "list:c"), jedis.keys("list:[ac]"));
      for (int i = 0; i < 50; i++) {
        jedis.set("scan:" + i, "v");
      }
      Set<String> seen = new HashSet<>();
      String cursor = ScanParams.SCAN_POINTER_START;
      int calls = 0;
      do {
        ScanResult<String> page = jedis.scan(cursor, new ScanParams().match("scan:*").count(7));
        seen.addAll(page.getResult());
        cursor = page.getCursor();
        calls++;
      } while (!cursor.equals(ScanParams.SCAN_POINTER_START) && calls < 100_000);
      assertEquals(50, seen.size());
      assertTrue(calls >= 7, "calls " + calls);
      assertTrue(jedis.dbSize() >= 53);
    }
  }

  @Test
  void reportsTheStoreInInfo() {
    try (Jedis jedis = jedis()) {
      String info = jedis.info();
      assertTrue(info.contains("kv_durability:flush"), info);
      assertTrue(info.contains("kv_heartbeat_resets:0"), info);
      assertTrue(info.contains("run_id:" + server.runId()), info);
      assertTrue(jedis.info("persistence").startsWith("# Persistence"));
    }
  }

  @Test
  void answersAnUnknownCommandWithAnErrorAndKeepsTheConnection() {
    try (Jedis jedis = jedis()) {
      JedisDataException e = assertThrows(JedisDataException.class,
          () -> jedis.sendCommand(command("NOSUCH"), "a".getBytes(StandardCharsets.UTF_8)));
      assertTrue(e.getMessage().startsWith("ERR unknown command 'NOSUCH'"), e.getMessage());
      assertEquals("PONG", jedis.ping());
    }
  }

  @Test
  void answersPipelinedCommandsInOrderAndReadsItsOwnWrites() {
    try (Jedis jedis = jedis()) {
      Pipeline pipeline = jedis.pipelined();
      List<Response<String>> gets = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        pipeline.set("pipe:" + i, "v" + i);
        gets.add(pipeline.get("pipe:" + i));
      }
      Response<Long> size = pipeline.dbSize();
      pipeline.sync();
      for (int i = 0; i < 2000; i++) {
        assertEquals("v" + i, gets.get(i).get());
      }
      assertTrue(size.get() >= 2000);
    }
  }

  @Test
  void servesSixteenConnectionsAtOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int c = 0; c < 16; c++) {
        int client = c;
        results.add(pool.submit(() -> {
          try (Jedis jedis = jedis()) {
            for (int i = 0; i < 100; i++) {
              jedis.set("conn:" + client + ":" + i, Integer.toString(i));
            }
            int found = 0;
            for (int i = 0; i < 100; i++) {
              found += Integer.toString(i).equals(jedis.get("conn:" + client + ":" + i)) ? 1 : 0;
            }
            return found;
          }
        }));
      }
      for (Future<Integer> result : results) {
        assertEquals(100, result.get(60, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void answersAMalformedRequestWithAProtocolErrorAndClosesOnlyThatConnection() throws IOException {
    try (Socket socket = rawSocket(server)) {
      socket.getOutputStream().write("*1\r\n:oops\r\n".getBytes(StandardCharsets.US_ASCII));
      assertEquals("-ERR Protocol error: expected '$', got ':'\r\n", readToEnd(socket.getInputStream()));
    }
    try (Socket socket = rawSocket(server)) {
      socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      assertEquals("+PONG\r\n", new String(socket.getInputStream().readNBytes(7), StandardCharsets.US_ASCII));
    }
  }

  @Test
  void answersEverythingSentBeforeTheClientHalfCloses() throws IOException {
    try (Socket socket = rawSocket(server)) {
      socket.getOutputStream().write("PING\r\nECHO hi\r\nQUIT\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
      socket.shutdownOutput();
      assertEquals("+PONG\r\n$2\r\nhi\r\n+OK\r\n", readToEnd(socket.getInputStream()));
    }
  }

  @Test
  void requiresAuthWhenAPasswordIsSet() throws Exception {
    RespServer secured = startServer(new ServerSettings("127.0.0.1", 0, Optional.of("s3cret"), 10, Duration.ZERO,
        1 << 20, 100, 1 << 21, 1024, 16, 64 << 20, 32 << 20, 1 << 20, Duration.ZERO, Duration.ofSeconds(10)));
    try (Jedis jedis = jedis(secured)) {
      assertEquals("NOAUTH Authentication required.", // as Redis: PING has no no_auth flag
          assertThrows(JedisDataException.class, jedis::ping).getMessage());
      JedisDataException refused = assertThrows(JedisDataException.class, () -> jedis.get("k"));
      assertEquals("NOAUTH Authentication required.", refused.getMessage());
      assertThrows(JedisDataException.class, () -> jedis.auth("wrong"));
      assertEquals("OK", jedis.auth("s3cret"));
      assertNull(jedis.get("never-set"));
    } finally {
      secured.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void refusesConnectionsBeyondTheLimit() throws Exception {
    RespServer small = startServer(new ServerSettings("127.0.0.1", 0, Optional.empty(), 1, Duration.ZERO,
        1 << 20, 100, 1 << 21, 1024, 16, 64 << 20, 32 << 20, 1 << 20, Duration.ZERO, Duration.ofSeconds(10)));
    try (Socket first = rawSocket(small)) {
      first.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      assertEquals("+PONG\r\n", new String(first.getInputStream().readNBytes(7), StandardCharsets.US_ASCII));
      try (Socket second = rawSocket(small)) {
        assertEquals("-ERR max number of clients reached\r\n", readToEnd(second.getInputStream()));
      }
    } finally {
      small.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void stopAnswersWhatWasSentThenClosesAndRemovesTheAdvertisement() throws Exception {
    RespServer stopping = startServer(settings);
    assertEquals(Optional.of(stopping.runId()), ServerAdvertisement.read(dir).map(ServerAdvertisement::runId));
    try (Socket socket = rawSocket(stopping)) {
      socket.getOutputStream().write("SET stop:k v\r\nGET stop:k\r\n".getBytes(StandardCharsets.US_ASCII));
      CompletableFuture<String> replies = CompletableFuture.supplyAsync(() -> {
        try {
          return readToEnd(socket.getInputStream());
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      // Stop once the server has read both commands (they are in progress or answered), not after a guess of time.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (stopping.stats().commandsProcessed() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(5); // polling the condition above
      }
      assertEquals(2, stopping.stats().commandsProcessed(), "commands the server had read before stop()");
      stopping.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertEquals("+OK\r\n$1\r\nv\r\n", replies.get(10, TimeUnit.SECONDS));
    }
    assertFalse(Files.exists(ServerAdvertisement.file(dir)) && ServerAdvertisement.read(dir)
        .map(ServerAdvertisement::runId).equals(Optional.of(stopping.runId())));
  }

  private static Socket rawSocket(RespServer s) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", s.address().getPort()), (int) TIMEOUT.toMillis());
    socket.setSoTimeout((int) TIMEOUT.toMillis());
    return socket;
  }

  private static String readToEnd(InputStream in) throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }
}
