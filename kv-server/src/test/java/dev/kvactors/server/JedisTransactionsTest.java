package dev.kvactors.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.params.GetExParams;
import redis.clients.jedis.params.SetParams;

/** A client library's transactions, counters and expiry through Jedis. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JedisTransactionsTest {
  private TestServer kv;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    kv = new TestServer(dir, "flush", "jedis-transactions-test");
  }

  @AfterAll
  void stop() throws Exception {
    kv.close();
  }

  @Test
  void runsJedisMultiAsOneTransaction() {
    try (Jedis jedis = kv.jedis()) {
      Transaction tx = jedis.multi();
      List<Response<String>> sets = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        sets.add(tx.set("tx:" + i, Integer.toString(i)));
      }
      Response<Long> incr = tx.incr("tx:counter");
      Response<String> get = tx.get("tx:999");
      List<Object> results = tx.exec();
      assertEquals(1002, results.size());
      assertEquals("OK", sets.get(0).get());
      assertEquals(1L, incr.get());
      assertEquals("999", get.get());
      assertEquals(1001, jedis.keys("tx:*").size());
    }
  }

  @Test
  void appliesNothingOfAJedisTransactionThatIsDiscarded() {
    try (Jedis jedis = kv.jedis()) {
      Transaction tx = jedis.multi();
      tx.set("discarded", "1");
      assertEquals("OK", tx.discard());
      assertNull(jedis.get("discarded"));
    }
  }

  @Test
  void abortsAWatchedJedisTransactionWhenAnotherClientChangedTheKey() {
    try (Jedis jedis = kv.jedis(); Jedis other = kv.jedis()) {
      jedis.set("balance", "100");
      jedis.watch("balance");
      other.incrBy("balance", 5);
      Transaction tx = jedis.multi();
      tx.decrBy("balance", 30);
      assertNull(tx.exec());
      assertEquals("105", jedis.get("balance"));
    }
  }

  @Test
  void losesNoIncrementFromSixteenConnections() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < 16; c++) {
        done.add(pool.submit(() -> {
          try (Jedis jedis = kv.jedis()) {
            for (int i = 0; i < 200; i++) {
              jedis.incr("shared-counter");
            }
          }
        }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
      try (Jedis jedis = kv.jedis()) {
        assertEquals("3200", jedis.get("shared-counter"));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void answersTheStringAndExpiryCommandsThroughJedis() {
    try (Jedis jedis = kv.jedis()) {
      assertEquals("OK", jedis.set("j:k", "v", SetParams.setParams().px(100_000)));
      assertTrue(jedis.pttl("j:k") > 90_000);
      assertEquals(1, jedis.persist("j:k"));
      assertEquals(-1, jedis.ttl("j:k"));
      assertEquals("OK", jedis.setex("j:k", 50, "w"));
      assertEquals("w", jedis.getEx("j:k", GetExParams.getExParams().persist()));
      assertEquals(-1, jedis.ttl("j:k"));
      assertEquals(1, jedis.expire("j:k", 100));
      assertEquals(100, jedis.ttl("j:k"));
      assertEquals(6, jedis.append("j:k", "xxxxx"));
      assertEquals(6, jedis.strlen("j:k"));
      assertEquals("wx", jedis.getrange("j:k", 0, 1));
      assertEquals("string", jedis.type("j:k"));
      assertEquals(12.5, jedis.incrByFloat("j:f", 12.5));
      assertEquals(-3, jedis.decrBy("j:n", 3));
      assertEquals("OK", jedis.rename("j:n", "j:m"));
      assertTrue(jedis.copy("j:m", "j:c", false));
      assertEquals("-3", jedis.getDel("j:c"));
      assertEquals(1, jedis.setnx("j:c", "1"));
      assertEquals(1, jedis.msetnx("j:x", "1", "j:y", "2"));
      assertEquals(2, jedis.unlink("j:x", "j:y"));
      assertEquals(1, jedis.touch("j:c"));
    }
  }
}
