package dev.kvactors.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
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
import redis.clients.jedis.args.FlushMode;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisDataException;

/** FLUSHDB and FLUSHALL as Redis 7.0 answers them (replies and error texts checked against redis-server 7.0.15). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FlushCommandsTest {

  @TempDir
  static Path dir;

  private TestServer server;

  @BeforeAll
  void start() throws Exception {
    server = new TestServer(dir, "fsync", "flush-commands-test");
  }

  @AfterAll
  void stop() throws Exception {
    server.close();
  }

  private Jedis jedis() {
    return server.jedis();
  }

  private static ProtocolCommand command(String name) {
    return () -> name.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[][] bytes(String... args) {
    byte[][] out = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      out[i] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    return out;
  }

  private static String reply(Jedis jedis, String name, String... args) {
    return new String((byte[]) jedis.sendCommand(command(name), bytes(args)), StandardCharsets.UTF_8);
  }

  private static String error(Jedis jedis, String name, String... args) {
    return assertThrows(JedisDataException.class, () -> jedis.sendCommand(command(name), bytes(args))).getMessage();
  }

  @Test
  void flushdbAndFlushallEmptyTheStoreWithOrWithoutAMode() {
    try (Jedis jedis = jedis()) {
      for (String[] flush : new String[][] {{"FLUSHDB"}, {"FLUSHDB", "ASYNC"}, {"FLUSHDB", "sync"},
          {"FLUSHALL"}, {"FLUSHALL", "async"}, {"FLUSHALL", "SYNC"}}) {
        jedis.set("a", "1");
        jedis.set("b", "2");
        String[] args = java.util.Arrays.copyOfRange(flush, 1, flush.length);
        assertEquals("OK", reply(jedis, flush[0], args), String.join(" ", flush));
        assertEquals(0, jedis.dbSize(), String.join(" ", flush));
        assertNull(jedis.get("a"));
      }
      assertEquals("OK", jedis.flushDB(FlushMode.ASYNC));
      assertEquals("OK", jedis.flushAll());
    }
  }

  @Test
  void refusesAnUnknownModeOrMoreThanOneArgumentLikeRedis7() {
    try (Jedis jedis = jedis()) {
      jedis.set("kept", "1");
      for (String name : new String[] {"FLUSHDB", "FLUSHALL"}) {
        assertEquals("ERR syntax error", error(jedis, name, "bad"));
        assertEquals("ERR syntax error", error(jedis, name, "ASYNC", "SYNC"));
        assertEquals("ERR syntax error", error(jedis, name, "a", "b", "c"));
      }
      assertEquals("1", jedis.get("kept"));
    }
  }

  @Test
  void commandsPipelinedAfterAFlushSeeOnlyWhatCameAfterIt() {
    try (Jedis jedis = jedis()) {
      for (int i = 0; i < 100; i++) {
        jedis.set("old:" + i, "v");
      }
      Pipeline pipeline = jedis.pipelined();
      pipeline.set("before", "x");
      Response<Object> flushed = pipeline.sendCommand(command("FLUSHDB"), new String[0]);
      Response<String> old = pipeline.get("old:7");
      pipeline.set("after", "y");
      Response<Long> size = pipeline.dbSize();
      pipeline.sync();
      assertEquals("OK", new String((byte[]) flushed.get(), StandardCharsets.UTF_8));
      assertNull(old.get());
      assertEquals(1L, size.get());
      assertEquals("y", jedis.get("after"));
      assertNull(jedis.get("before"));
    }
  }
}
