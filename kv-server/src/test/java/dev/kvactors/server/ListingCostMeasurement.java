package dev.kvactors.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.kvactors.KvStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Not a test: prints what listings cost over 1,000,000 keys (the README's table). Runs only with
 * {@code -Dkv.measure.listings=true}; see the README, "Server".
 */
@EnabledIfSystemProperty(named = "kv.measure.listings", matches = "true")
class ListingCostMeasurement {
  @TempDir Path dir;

  static long heap() {
    for (int i = 0; i < 3; i++) System.gc();
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }

  static void time(String what, int n, Supplier<Object> op) {
    long[] t = new long[n];
    for (int i = 0; i < n; i++) {
      long s = System.nanoTime();
      op.get();
      t[i] = (System.nanoTime() - s) / 1_000;
    }
    java.util.Arrays.sort(t);
    System.out.printf("MEASURE %-40s min %8.1f ms  median %8.1f ms  max %8.1f ms%n", what, t[0] / 1000.0, t[n / 2] / 1000.0, t[n - 1] / 1000.0);
  }

  @Test
  void printsWhatListingsCostOverAMillionKeys() throws Exception {
    Config config = ConfigFactory.parseMap(Map.of("kv.data-dir", dir.toString(), "kv.durability", "async",
        "kv.compaction-min-log-bytes", "4 GiB")).withFallback(ConfigFactory.load());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "m", config);
    RespServer server = RespServer.start(system, ServerSettings.create(config).withAddress("127.0.0.1", 0))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    KvStore store = KvStore.attach(system);
    String tail = "a".repeat(3990);
    try (Jedis j = new Jedis("127.0.0.1", server.address().getPort(), 60_000)) {
      for (int i = 0; i < 400; i++) j.set(String.format("%05d", i) + tail, "v");
      String pattern = "*" + "a".repeat(1500) + "b";
      time("KEYS *a{1500}b over 400 keys of 4000 B", 5, () -> j.keys(pattern));
      for (int i = 0; i < 400; i++) j.del(String.format("%05d", i) + tail);
    }
    long h0 = heap();
    List<CompletableFuture<Void>> w = new ArrayList<>();
    for (int i = 0; i < 1_000_000; i++) {
      w.add(store.set("key:" + i, "v").toCompletableFuture());
      if (w.size() == 5000) { CompletableFuture.allOf(w.toArray(CompletableFuture[]::new)).get(); w.clear(); }
    }
    CompletableFuture.allOf(w.toArray(CompletableFuture[]::new)).get();
    long h1 = heap();
    System.out.printf("MEASURE heap for 1M keys (map + key set + log buffers): %d MB%n", (h1 - h0) >> 20);
    try (Jedis j = new Jedis("127.0.0.1", server.address().getPort(), 60_000)) {
      time("DBSIZE (1M keys)", 20, j::dbSize);
      time("INFO (1M keys)", 20, j::info);
      time("SCAN 0 (1M keys)", 20, () -> j.scan("0"));
      time("SCAN 0 COUNT 1000 (1M keys)", 20, () -> j.scan("0", new ScanParams().count(1000)));
      time("KEYS * (1M keys)", 5, () -> j.keys("*"));
      time("KEYS key:99999* (1M keys)", 5, () -> j.keys("key:99999*"));
      time("KvStore.keys(\"key:\") (1M, sorted)", 5, () -> KvStore.await(store.keys("key:"), java.time.Duration.ofSeconds(30)));
      time("GET (1M keys)", 200, () -> j.get("key:5"));
      long s = System.nanoTime();
      String c = "0"; int steps = 0;
      do { ScanResult<String> p = j.scan(c, new ScanParams().count(1000)); c = p.getCursor(); steps++; } while (!c.equals("0"));
      System.out.printf("MEASURE full SCAN COUNT 1000 over 1M keys: %d steps, %d ms%n", steps, (System.nanoTime() - s) / 1_000_000);
    }
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
