package dev.kvactors.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.kvactors.KvSettings;
import dev.kvactors.server.RespServer;
import dev.kvactors.server.ServerSettings;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * kv-server's RESP server in front of a cluster node's router, in one JVM, spoken to as a Redis
 * client does: the expiry, read-modify-write and transaction commands answer as on one machine,
 * and a command whose keys are in different buckets gets Redis Cluster's {@code -CROSSSLOT}.
 */
@Tag(TestDatabase.TAG)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RespOnAClusterNodeTest {
  private static final String CROSSSLOT = "-CROSSSLOT Keys in request don't hash to the same slot";
  private TestNode node;
  private RespServer server;
  private Client client;

  @BeforeAll
  void start(@TempDir Path dataDir) throws Exception {
    TestDatabase.requireEmpty(ConfigFactory.load());
    node = TestNode.start(ThreeNodesInOneJvmTest.freePorts(1)[0], null, new TestNode.Clock(),
        "kv.data-dir = \"" + dataDir + "\"");
    TestNode.awaitUp(List.of(node));
    server = RespServer.start(node.system, ServerSettings.create(node.system.settings().config())
            .withAddress("127.0.0.1", 0), node.router, KvSettings.create(node.system.settings().config()), List.of())
        .toCompletableFuture().get(60, TimeUnit.SECONDS);
    client = new Client(server.address().getPort());
    assertNotEquals(node.bucketOf("a"), node.bucketOf("b"));
  }

  @AfterAll
  void stop() throws Exception {
    client.close();
    server.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    node.close();
  }

  @Test
  void setWithAnExpiryKeepsItsDeadline() throws Exception {
    assertEquals("+OK", client.call("SET", "k", "v", "EX", "100"));
    String ttl = client.call("TTL", "k");
    assertTrue(ttl.equals(":100") || ttl.equals(":99"), ttl);
    assertEquals(":1", client.call("EXPIRE", "k", "50"));
    assertTrue(List.of(":50", ":49").contains(client.call("TTL", "k")));
    assertEquals(":1", client.call("PERSIST", "k"));
    assertEquals(":-1", client.call("TTL", "k"));
    assertEquals("$v", client.call("GETEX", "k", "EX", "30"));
    assertTrue(List.of(":30", ":29").contains(client.call("TTL", "k")));
    assertEquals("+OK", client.call("SET", "k", "v2", "KEEPTTL"));
    assertTrue(List.of(":30", ":29").contains(client.call("TTL", "k")));
    assertEquals("+OK", client.call("SETEX", "k2", "10", "v"));
    assertTrue(List.of(":10", ":9").contains(client.call("TTL", "k2")));
    assertEquals("+OK", client.call("SET", "gone", "v", "PXAT", "1000"));
    assertEquals("$nil", client.call("GET", "gone"));
    assertEquals(":-2", client.call("TTL", "gone"));
  }

  @Test
  void readModifyWriteCommandsAnswerAsOnOneMachine() throws Exception {
    assertEquals(":1", client.call("INCR", "counter"));
    assertEquals(":2", client.call("INCR", "counter"));
    assertEquals(":12", client.call("INCRBY", "counter", "10"));
    assertEquals(":11", client.call("DECR", "counter"));
    assertEquals("$11.5", client.call("INCRBYFLOAT", "counter", "0.5"));
    assertEquals("+OK", client.call("SET", "text", "abc"));
    assertEquals("-ERR value is not an integer or out of range", client.call("INCR", "text"));
    assertEquals(":5", client.call("APPEND", "text", "de"));
    assertEquals("$abcde", client.call("GETSET", "text", "x"));
    assertEquals("$x", client.call("GETDEL", "text"));
    assertEquals(":1", client.call("SETNX", "text", "y"));
    assertEquals(":0", client.call("SETNX", "text", "z"));
    assertEquals(":2", client.call("EXISTS", "text", "counter"), "per-key reads, as MGET");
    assertEquals(":1", client.call("DEL", "text"));
    assertEquals(":0", client.call("EXISTS", "text"));
    assertEquals("+OK", client.call("SET", "{r}a", "1"));
    assertEquals("+OK", client.call("RENAME", "{r}a", "{r}b"));
    assertEquals(":1", client.call("COPY", "{r}b", "{r}c"));
    assertEquals("*[$nil, $1, $1]", client.call("MGET", "{r}a", "{r}b", "{r}c"));
  }

  @Test
  void aTransactionInOneHashTagRunsAndOneAcrossBucketsIsRefused() throws Exception {
    assertEquals("+OK", client.call("MULTI"));
    assertEquals("+QUEUED", client.call("SET", "{t}a", "1"));
    assertEquals("+QUEUED", client.call("SET", "{t}b", "2"));
    assertEquals("+QUEUED", client.call("INCR", "{t}a"));
    assertEquals("*[+OK, +OK, :2]", client.call("EXEC"));

    assertEquals("+OK", client.call("MULTI"));
    assertEquals("+QUEUED", client.call("SET", "a", "1"));
    assertEquals("+QUEUED", client.call("SET", "b", "2"));
    assertEquals(CROSSSLOT, client.call("EXEC"));
    assertEquals("$nil", client.call("GET", "a"));
    assertEquals("-ERR EXEC without MULTI", client.call("EXEC"));
  }

  @Test
  void multiKeyCommandsAcrossBucketsGetCrossSlot() throws Exception {
    assertEquals(CROSSSLOT, client.call("MSET", "a", "1", "b", "2"));
    assertEquals(CROSSSLOT, client.call("MSETNX", "a", "1", "b", "2"));
    assertEquals(CROSSSLOT, client.call("DEL", "a", "b"));
    assertEquals(CROSSSLOT, client.call("RENAME", "a", "b"));
    assertEquals("$nil", client.call("GET", "a"));
    assertEquals("+OK", client.call("MSET", "{t}x", "1", "{t}y", "2"));
    assertEquals("*[$1, $2]", client.call("MGET", "{t}x", "{t}y"));
    assertEquals(":2", client.call("DEL", "{t}x", "{t}y"));
  }

  @Test
  void watchWorksWithinABucketAndIsRefusedAcrossBuckets() throws Exception {
    assertEquals(CROSSSLOT, client.call("WATCH", "a", "b"));
    assertEquals("+OK", client.call("UNWATCH"));
    assertEquals("+OK", client.call("SET", "{w}n", "1"));
    assertEquals("+OK", client.call("WATCH", "{w}n"));
    try (Client other = new Client(server.address().getPort())) {
      assertEquals("+OK", other.call("SET", "{w}n", "5"));
    }
    assertEquals("+OK", client.call("MULTI"));
    assertEquals("+QUEUED", client.call("INCR", "{w}n"));
    assertEquals("*nil", client.call("EXEC"));
    assertEquals("+OK", client.call("WATCH", "{w}n"));
    assertEquals("+OK", client.call("MULTI"));
    assertEquals("+QUEUED", client.call("INCR", "{w}n"));
    assertEquals("*[:6]", client.call("EXEC"));
  }

  @Test
  void listingAndClearingEveryKeyAreRefusedWithOneErrorLine() throws Exception {
    assertTrue(client.call("KEYS", "*").startsWith("-ERR listing every key (KEYS, SCAN, RANDOMKEY, DBSIZE) is not "
        + "supported in cluster mode"));
    assertTrue(client.call("DBSIZE").startsWith("-ERR listing every key"));
    assertTrue(client.call("SCAN", "0").startsWith("-ERR listing every key"));
    assertTrue(client.call("FLUSHDB").startsWith("-ERR clearing every key (FLUSHDB, FLUSHALL) is not supported"));
    assertEquals("+PONG", client.call("PING"), "the connection goes on");
  }

  /** A RESP2 client: replies as text, {@code $value}, {@code $nil}, {@code *[...]}, {@code *nil}. */
  private static final class Client implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    Client(int port) throws IOException {
      socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(60_000);
      out = socket.getOutputStream();
      in = new BufferedInputStream(socket.getInputStream());
    }

    String call(String... args) throws IOException {
      ByteArrayOutputStream request = new ByteArrayOutputStream();
      request.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.UTF_8));
      for (String arg : args) {
        byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
        request.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.UTF_8));
        request.writeBytes(bytes);
        request.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
      }
      out.write(request.toByteArray());
      out.flush();
      return reply();
    }

    private String reply() throws IOException {
      String line = line();
      switch (line.charAt(0)) {
        case '$' -> {
          int length = Integer.parseInt(line.substring(1));
          if (length < 0) {
            return "$nil";
          }
          byte[] value = in.readNBytes(length + 2);
          return "$" + new String(value, 0, length, StandardCharsets.UTF_8);
        }
        case '*' -> {
          int count = Integer.parseInt(line.substring(1));
          if (count < 0) {
            return "*nil";
          }
          List<String> elements = new ArrayList<>();
          for (int i = 0; i < count; i++) {
            elements.add(reply());
          }
          return "*" + elements;
        }
        default -> {
          return line;
        }
      }
    }

    private String line() throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) != '\n') {
        if (b < 0) {
          throw new IOException("the server closed the connection");
        }
        line.write(b);
      }
      String text = line.toString(StandardCharsets.UTF_8);
      return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
