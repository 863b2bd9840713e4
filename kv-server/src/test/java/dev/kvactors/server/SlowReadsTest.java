package dev.kvactors.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.kvactors.KvExtension;
import dev.kvactors.KvStore;
import dev.kvactors.Router;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Reads a hostile or careless client may send (a pathological KEYS pattern over long keys; DBSIZE,
 * INFO, KEYS * and SCAN over a million keys) while another connection writes: the store is never
 * reset and every write is answered. The reset count is the router's own counter, not a timing.
 */
class SlowReadsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @TempDir Path dir;

  /**
   * No compaction while the test runs: writing a snapshot of a million keys is the writer's own
   * (separate) cost; this test is about reads.
   */
  private static ActorSystem<Void> system(Path dir, String durability) {
    Config config = ConfigFactory.parseMap(Map.of("kv.data-dir", dir.toString(), "kv.durability", durability,
            "kv.compaction-min-log-bytes", "4 GiB"))
        .withFallback(ConfigFactory.load());
    return ActorSystem.create(Behaviors.empty(), "slow-reads-test", config);
  }

  private static RespServer start(ActorSystem<Void> system) throws Exception {
    dev.kvactors.KvStore.attach(system); // recovered first, as kv serve does: recovery removes leftover temp files
    ServerSettings settings = ServerSettings.create(system.settings().config()).withAddress("127.0.0.1", 0);
    return RespServer.start(system, settings).toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static Jedis jedis(RespServer server) {
    return new Jedis("127.0.0.1", server.address().getPort(), (int) TIMEOUT.toMillis());
  }

  private static long resets(ActorSystem<Void> system) throws Exception {
    return AskPattern.<Router.Command, Router.Stats>ask(KvExtension.get(system).router(), Router.GetStats::new,
        TIMEOUT, system.scheduler()).toCompletableFuture().get().resets();
  }

  private static void terminate(ActorSystem<Void> system) throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** Writes on its own connection until stopped; every SET must be answered OK within the timeout. */
  private static final class Writer {
    final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicInteger written = new AtomicInteger();
    final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    final CompletableFuture<Void> done;

    Writer(RespServer server) {
      done = CompletableFuture.runAsync(() -> {
        try (Jedis jedis = jedis(server)) {
          while (running.get()) {
            int n = written.get();
            String reply = jedis.set("writer:" + n, "value-" + n);
            if (!"OK".equals(reply)) {
              failures.add("SET writer:" + n + " -> " + reply);
            }
            written.incrementAndGet();
          }
        } catch (RuntimeException e) {
          failures.add("SET writer:" + written.get() + " failed: " + e);
        }
      });
    }

    /** Stops writing and waits for the last write's answer; idempotent. */
    void stop() throws Exception {
      running.set(false);
      done.get(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void aPathologicalKeysPatternOverLongKeysNeitherResetsTheStoreNorFailsAWrite() throws Exception {
    ActorSystem<Void> system = system(dir, "flush");
    try {
      RespServer server = start(system);
      String tail = "a".repeat(3990);
      try (Jedis jedis = jedis(server)) {
        Pipeline pipeline = jedis.pipelined();
        for (int i = 0; i < 400; i++) {
          pipeline.set(String.format("%05d", i) + tail, "v");
        }
        pipeline.sync();
      }
      String pattern = "*" + "a".repeat(1500) + "b";
      Writer writer = new Writer(server);
      try (Jedis reader = jedis(server)) {
        for (int call = 0; call < 3; call++) {
          assertEquals(Set.of(), reader.keys(pattern));
          assertEquals(400, reader.keys("*" + "a".repeat(1500)).size());
        }
        writer.stop();
        assertEquals(List.of(), new ArrayList<>(writer.failures));
        assertTrue(writer.written.get() > 0);
      } finally {
        writer.stop();
      }
      assertEquals(0, resets(system), "heartbeat resets while KEYS ran");
    } finally {
      terminate(system);
    }
  }

  @Test
  void dbsizeInfoKeysAndScanOverAMillionKeysNeitherResetTheStoreNorFailAWrite() throws Exception {
    int total = 1_000_000;
    ActorSystem<Void> system = system(dir, "async");
    try {
      RespServer server = start(system);
      KvStore store = KvStore.attach(system);
      List<CompletableFuture<Void>> window = new ArrayList<>();
      for (int i = 0; i < total; i++) {
        window.add(store.set("key:" + i, "v").toCompletableFuture());
        if (window.size() == 5_000) {
          CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
          window.clear();
        }
      }
      CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      assertEquals(0, resets(system), "heartbeat resets while the keys were written");

      Writer writer = new Writer(server);
      try (Jedis reader = jedis(server)) {
        for (int round = 0; round < 3; round++) {
          assertTrue(reader.dbSize() >= total);
          assertTrue(reader.info().contains("db0:keys="));
          assertTrue(reader.keys("*").size() >= total);
          ScanResult<String> first = reader.scan(ScanParams.SCAN_POINTER_START);
          assertTrue(!first.getResult().isEmpty());
          assertTrue(KvStore.await(store.keys("key:"), TIMEOUT).size() == total);
        }
        writer.stop();
        assertEquals(List.of(), new ArrayList<>(writer.failures));
        assertTrue(writer.written.get() > 0);
        assertEquals(total + writer.written.get(), reader.dbSize());
      } finally {
        writer.stop();
      }
      assertEquals(0, resets(system), "heartbeat resets while DBSIZE, INFO, KEYS and SCAN ran");

      // One whole SCAN in steps of 1,000: every key present for the whole scan comes back.
      try (Jedis reader = jedis(server)) {
        Set<String> seen = new HashSet<>();
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
          ScanResult<String> page = reader.scan(cursor, new ScanParams().match("key:*").count(1000));
          seen.addAll(page.getResult());
          cursor = page.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        assertEquals(total, seen.size());
      }
    } finally {
      terminate(system);
    }
  }
}
