package dev.kvactors.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import redis.clients.jedis.resps.ScanResult;

/** KEYS, SCAN and DBSIZE as Redis answers them, each test on keys of its own prefix. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ListingCommandsTest {

  @TempDir
  static Path dir;

  private TestServer server;

  @BeforeAll
  void start() throws Exception {
    server = new TestServer(dir, "fsync", "listing-commands-test");
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

  private static String error(Jedis jedis, String... args) {
    byte[][] bytes = new byte[args.length - 1][];
    for (int i = 1; i < args.length; i++) {
      bytes[i - 1] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    return assertThrows(JedisDataException.class, () -> jedis.sendCommand(command(args[0]), bytes)).getMessage();
  }

  @Test
  void readsCursorsAsRedis7DoesWithStrtoul() {
    try (Jedis jedis = jedis()) {
      ScanResult<String> minusOne = jedis.scan("-1"); // strtoul: 2^64-1, as redis-server 7.0 (IntrospectionSideBySideTest)
      assertEquals("0", minusOne.getCursor());
      assertEquals(List.of(), minusOne.getResult());
      assertEquals("ERR invalid cursor", error(jedis, "SCAN", "abc"));
      assertEquals("ERR invalid cursor", error(jedis, "SCAN", " 1"));
      assertEquals("ERR syntax error", error(jedis, "SCAN", "0", "COUNT", "0"));
      ScanResult<String> beyond = jedis.scan("18446744073709551615");
      assertEquals("0", beyond.getCursor());
      assertEquals(List.of(), beyond.getResult());
    }
  }

  @Test
  void pipelinedListingsSeeTheConnectionsOwnEarlierWrites() {
    try (Jedis jedis = jedis()) {
      long before = jedis.dbSize();
      Pipeline pipeline = jedis.pipelined();
      for (int i = 0; i < 300; i++) {
        pipeline.set("own:" + i, "v");
      }
      Response<Long> size = pipeline.dbSize();
      Response<Set<String>> keys = pipeline.keys("own:*");
      List<Response<ScanResult<String>>> pages = new ArrayList<>();
      pages.add(pipeline.scan("0", new ScanParams().match("own:*").count(100_000)));
      pipeline.sync();
      assertEquals(before + 300, size.get());
      assertEquals(300, keys.get().size());
      assertEquals(300, pages.get(0).get().getResult().size());
      assertEquals("0", pages.get(0).get().getCursor());
    }
  }

  @Test
  void aScanStepLooksAtAboutCountKeysAndMayMatchNone() {
    try (Jedis jedis = jedis()) {
      for (int i = 0; i < 200; i++) {
        jedis.set("step:" + i, "v");
      }
      Set<String> seen = new HashSet<>();
      String cursor = "0";
      int steps = 0;
      int empty = 0;
      do {
        ScanResult<String> page = jedis.scan(cursor, new ScanParams().match("step:1?").count(5));
        assertTrue(page.getResult().size() <= 10, page.getResult().toString());
        empty += page.getResult().isEmpty() ? 1 : 0;
        seen.addAll(page.getResult());
        cursor = page.getCursor();
        steps++;
      } while (!cursor.equals("0"));
      assertEquals(10, seen.size());
      assertTrue(steps >= 200 / 5, "steps " + steps);
      assertTrue(empty > 0);
    }
  }

  @Test
  void keysMatchesRedisGlobsIncludingSetsAndEscapes() {
    try (Jedis jedis = jedis()) {
      jedis.mset("glob:a*", "1", "glob:ab", "2", "glob:b", "3", "glob:[x]", "4");
      assertEquals(Set.of("glob:a*"), jedis.keys("glob:a\\*"));
      assertEquals(Set.of("glob:a*", "glob:ab"), jedis.keys("glob:a?"));
      assertEquals(Set.of("glob:b"), jedis.keys("glob:[^a[]*"));
      assertEquals(Set.of("glob:[x]"), jedis.keys("glob:\\[*"));
      assertEquals(Set.of(), jedis.keys("glob:*" + "a".repeat(1500) + "b"));
    }
  }
}
