package dev.kvactors.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * With a password set, a client that has not authenticated, against a real Redis 7.0 with the same
 * requirepass: NOAUTH where Redis says it, and Redis's limits (10 arguments, 16 KiB bulk strings),
 * whose breach is answered at the header and closes the connection at once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UnauthenticatedSideBySideTest {
  private static final String PASSWORD = "s3cret";

  private RedisProcess redis;
  private TestServer kv;
  private RespServer secured;
  private SideBySide both;

  @BeforeAll
  void startBoth(@TempDir Path dir) throws Exception {
    redis = new RedisProcess(Files.createDirectories(dir.resolve("redis")), "--requirepass", PASSWORD);
    kv = new TestServer(Files.createDirectories(dir.resolve("kv")), "flush", "unauthenticated-side-by-side");
    secured = RespServer.start(kv.system, new ServerSettings("127.0.0.1", 0, Optional.of(PASSWORD), 10,
        Duration.ZERO, 32 << 20, 1 << 20, 128 << 20, 64 << 10, 16, 64 << 20, 32 << 20, 1 << 20, Duration.ZERO,
        Duration.ofSeconds(10))).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @BeforeEach
  void connect() throws IOException {
    both = new SideBySide(redis.port, secured.address().getPort());
  }

  @AfterEach
  void disconnect() throws IOException {
    both.close();
  }

  @AfterAll
  void stopBoth() throws Exception {
    try {
      redis.close();
    } finally {
      kv.close();
    }
  }

  @Test
  void refusesCommandsBeforeAuthAsRedis() throws Exception {
    both.same("PING");
    both.same("GET", "k");
    both.same("GET");
    both.same("NOSUCH", "x");
    both.same("CONFIG", "NOSUCH");
    both.same("AUTH", "wrong");
    both.same("AUTH", "default", "wrong");
    both.same("AUTH", "someone", PASSWORD);
    both.same("AUTH", "a", "b", "c");
    both.same("HELLO", "2", "AUTH", "default", "wrong");
    both.same("AUTH", PASSWORD);
    both.same("PING");
    both.same("GET", "k");
  }

  @Test
  void closesAtOnceOnTooManyArgumentsBeforeAuth() throws Exception {
    assertEquals("-ERR Protocol error: unauthenticated multibulk length\r\n", closedAfter(redis.port, "*100\r\n"));
    assertEquals("-ERR Protocol error: unauthenticated multibulk length\r\n", closedAfter(port(), "*100\r\n"));
    assertEquals(closedAfter(redis.port, "*11\r\n"), closedAfter(port(), "*11\r\n"));
  }

  @Test
  void closesAtOnceOnABigBulkStringBeforeAuth() throws Exception {
    String header = "*2\r\n$3\r\nSET\r\n$20000000\r\n";
    assertEquals("-ERR Protocol error: unauthenticated bulk length\r\n", closedAfter(redis.port, header));
    assertEquals("-ERR Protocol error: unauthenticated bulk length\r\n", closedAfter(port(), header));
    assertEquals(closedAfter(redis.port, "*1\r\n$16385\r\n"), closedAfter(port(), "*1\r\n$16385\r\n"));
  }

  @Test
  void takesTenArgumentsAndSixteenKibBeforeAuthAsRedis() throws Exception {
    both.same("MGET", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    both.same("ECHO", "x".repeat(16 * 1024));
  }

  @Test
  void liftsTheLimitsOnceAuthenticated() throws Exception {
    both.same("AUTH", PASSWORD);
    String[] many = new String[20];
    many[0] = "MGET";
    for (int i = 1; i < many.length; i++) {
      many[i] = "k" + i;
    }
    both.same(many);
    both.same("ECHO", "x".repeat(100_000));
  }

  private int port() {
    return secured.address().getPort();
  }

  /** Sends {@code request} and reads until the server closes: the test fails on the read timeout if it does not. */
  private static String closedAfter(int port, String request) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
  }
}
