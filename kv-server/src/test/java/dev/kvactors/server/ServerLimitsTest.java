package dev.kvactors.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The server's limits on memory, reply size and AUTH failures, on a store in the test's own directory. */
class ServerLimitsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  private final List<ActorSystem<Void>> systems = new ArrayList<>();
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Logger serverLog = (Logger) LoggerFactory.getLogger(RespServer.class);
  private final Logger authLog = (Logger) LoggerFactory.getLogger(AuthFailureLog.class);

  @AfterEach
  void stop() throws Exception {
    serverLog.detachAppender(appender);
    authLog.detachAppender(appender);
    for (ActorSystem<Void> system : systems) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private ActorSystem<Void> system(Path dataDir) {
    Config config = ConfigFactory.parseMap(Map.of("kv.data-dir", dataDir.toString(), "kv.durability", "flush",
        // large values on a busy machine: this test is about the server, not about heartbeats
        "kv.heartbeat.stale-after", "10s"))
        .withFallback(ConfigFactory.load());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "server-limits-test", config);
    systems.add(system);
    // Recovered before any server starts, as kv serve does: recovery removes leftover temp files and
    // would race a server writing its advertisement (kv.server.tmp) otherwise.
    dev.kvactors.KvStore.attach(system);
    return system;
  }

  private static ServerSettings defaults(ActorSystem<Void> system) {
    return ServerSettings.create(system.settings().config()).withAddress("127.0.0.1", 0);
  }

  /** Recovers the store first, as kv serve does: recovery removes leftover temp files, the server's advertisement's among them. */
  private static RespServer start(ActorSystem<Void> system, ServerSettings settings) throws Exception {
    dev.kvactors.KvStore.attach(system);
    return RespServer.start(system, settings).toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void captureLogs() {
    appender.start();
    serverLog.addAppender(appender);
    authLog.addAppender(appender);
  }

  private List<String> warnings() {
    return appender.list.stream().filter(e -> e.getLevel().toString().equals("WARN"))
        .map(ILoggingEvent::getFormattedMessage).toList();
  }

  private static Socket connect(RespServer server) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", server.address().getPort()), (int) TIMEOUT.toMillis());
    socket.setSoTimeout((int) TIMEOUT.toMillis());
    return socket;
  }

  private static byte[] set(String key, byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(("*3\r\n$3\r\nSET\r\n$" + key.length() + "\r\n" + key + "\r\n$" + value.length + "\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(value);
    out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        fail("connection closed after <" + line + ">");
      }
      line.append((char) b);
    }
    return line.toString().strip();
  }

  /** Writes on another thread, so that a server applying back-pressure cannot block the test's reads. */
  private static CompletableFuture<Void> writeAsync(Socket socket, List<byte[]> requests) {
    return CompletableFuture.runAsync(() -> {
      try {
        OutputStream out = socket.getOutputStream();
        for (byte[] request : requests) {
          out.write(request);
        }
        out.flush();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  @Test
  void pipelinedRequestsFarBeyondTheMemoryLimitAreAllAnsweredAndTheMemoryComesBack() throws Exception {
    ActorSystem<Void> system = system(dir);
    RespServer server = start(system, defaults(system).withMemory(4 << 20, 2 << 20, 64 << 20));
    byte[] value = new byte[1 << 20];
    Arrays.fill(value, (byte) 'v');
    List<Socket> sockets = new ArrayList<>();
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    try {
      for (int c = 0; c < 3; c++) {
        Socket socket = connect(server);
        sockets.add(socket);
        List<byte[]> requests = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          requests.add(set("big" + c, value));
        }
        requests.add("PING\r\n".getBytes(StandardCharsets.US_ASCII));
        writes.add(writeAsync(socket, requests));
      }
      for (Socket socket : sockets) {
        InputStream in = socket.getInputStream();
        for (int i = 0; i < 20; i++) {
          assertEquals("+OK", line(in));
        }
        assertEquals("+PONG", line(in));
      }
      for (CompletableFuture<Void> write : writes) {
        write.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } finally {
      for (Socket socket : sockets) {
        socket.close();
      }
    }
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (server.clientMemoryBytes() != 0 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertEquals(0, server.clientMemoryBytes(), "bytes still counted after every connection closed");
  }

  @Test
  void aRequestLargerThanAConnectionMayHoldIsAProtocolErrorNotABuffer() throws Exception {
    ActorSystem<Void> system = system(dir);
    RespServer server = start(system, defaults(system).withMemory(2 << 20, 1 << 20, 64 << 20));
    try (Socket socket = connect(server)) {
      CompletableFuture<Void> write = writeAsync(socket, List.of(set("big", new byte[1 << 20])));
      assertEquals("-ERR Protocol error: request larger than the 1048576 bytes a connection may hold "
          + "(kv.server.max-client-memory)", line(socket.getInputStream()));
      assertEquals(-1, socket.getInputStream().read(), "the connection is closed after a protocol error");
      try {
        write.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        // the server closed the connection before it had read everything
      }
    }
    try (Socket socket = connect(server)) {
      socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      assertEquals("+PONG", line(socket.getInputStream()));
    }
  }

  @Test
  void aReplyAboveTheLimitIsAnErrorAndAWarningAndTheConnectionGoesOn() throws Exception {
    captureLogs();
    ActorSystem<Void> system = system(dir);
    RespServer server = start(system, defaults(system).withMemory(64 << 20, 32 << 20, 1 << 20));
    try (Socket socket = connect(server)) {
      InputStream in = socket.getInputStream();
      socket.getOutputStream().write(set("quarter", new byte[300 * 1024]));
      assertEquals("+OK", line(in));
      socket.getOutputStream().write("MGET quarter quarter quarter quarter\r\nMGET quarter nothing\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      assertEquals("-ERR reply too large: more than 1048576 bytes (kv.server.max-reply-bytes); ask for fewer or "
          + "smaller values", line(in));
      assertEquals("*2", line(in));
      assertEquals("$" + 300 * 1024, line(in));
      assertEquals(300 * 1024 + 2, in.readNBytes(300 * 1024 + 2).length);
      assertEquals("$-1", line(in));
    }
    assertTrue(warnings().stream().anyMatch(w -> w.startsWith("Refused a reply of more than 1048576 bytes")
        && w.contains("MGET with 4 arguments")), warnings().toString());
  }

  @Test
  void aFailedAuthIsLoggedWithTheClientAndItsReplyHeldBackWhileTheNextAuthWaits() throws Exception {
    captureLogs();
    ActorSystem<Void> system = system(dir);
    Duration delay = Duration.ofMillis(300);
    RespServer server = start(system, defaults(system).withAuth(Optional.of("s3cret"), delay));
    try (Socket socket = connect(server)) {
      InputStream in = socket.getInputStream();
      long started = System.nanoTime();
      socket.getOutputStream().write("AUTH wrong1\r\nAUTH wrong2\r\nAUTH s3cret\r\nGET k\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      assertEquals("-WRONGPASS invalid username-password pair or user is disabled.", line(in));
      assertEquals("-WRONGPASS invalid username-password pair or user is disabled.", line(in));
      assertEquals("+OK", line(in));
      assertEquals("$-1", line(in));
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      // A lower bound only: each failure holds the connection's next AUTH back by the delay.
      assertTrue(took.compareTo(delay.multipliedBy(2)) >= 0, "two failed AUTHs answered within " + took);
    }
    assertTrue(warnings().stream().anyMatch(w -> w.startsWith("Failed AUTH from /127.0.0.1:")), warnings().toString());
  }

  @Test
  void aServerThatCannotAdvertiseItselfSaysWhy() throws Exception {
    Path data = dir.resolve("data");
    // kv.server cannot be replaced: a directory that is not empty is in its way
    Files.createDirectories(data.resolve(ServerAdvertisement.FILE_NAME).resolve("in-the-way"));
    ActorSystem<Void> system = system(data);
    ExecutionException failed = assertThrows(ExecutionException.class,
        () -> RespServer.start(system, defaults(system)).toCompletableFuture().get(30, TimeUnit.SECONDS));
    String message = failed.getCause().getMessage();
    assertTrue(message.startsWith("cannot write " + data.resolve(ServerAdvertisement.FILE_NAME) + ": "), message);
    assertTrue(message.endsWith("Is a directory"), message);
  }
}
