package dev.kvactors.bench;

import static java.util.Objects.requireNonNull;

import dev.kvactors.KvSettings;
import dev.kvactors.KvStore;
import dev.kvactors.internal.storage.Mutation;
import dev.kvactors.internal.storage.RecordCodec;
import dev.kvactors.internal.storage.Manifest;
import dev.kvactors.internal.storage.RecordLog;
import dev.kvactors.internal.storage.Snapshot;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code recovery-1m}: how long {@code KvStore.open} (which returns once the store answered its
 * first {@code AwaitReady}, i.e. recovered) takes on a data directory of N keys with 100-byte values,
 * once from a log alone and once from a snapshot (after compaction). The directories are written
 * directly with {@link RecordCodec}/{@link RecordLog} and {@link Snapshot#write}. Also measures
 * the heap the recovered store holds per key.
 */
final class RecoveryScenario {
  private static final int FLUSH_BYTES = 1 << 20;

  private final Plan plan;
  private final WorkDir work;

  RecoveryScenario(Plan plan, WorkDir work) {
    this.plan = requireNonNull(plan, "plan is null");
    this.work = requireNonNull(work, "work is null");
  }

  static String key(int i) {
    return String.format(Locale.ROOT, "key-%07d", i);
  }

  List<ScenarioResult> run() throws Exception {
    int n = plan.recoveryKeys();
    Path logDir = work.newDir("recovery-log");
    Path snapDir = work.newDir("recovery-snapshot");
    long[] sizes = writeFiles(n, logDir, snapDir); // the map it builds is garbage once it returns
    long rawBytes = sizes[0];
    long logFileBytes = sizes[1];
    long snapshotFileBytes = sizes[2];
    double rawPerKey = (double) rawBytes / n;

    // An empty store's open: the actor system's start, included in every figure below.
    double emptyMs = 0;
    for (int i = 0; i < 2; i++) { // the second open, with the classes already loaded as in the runs below
      Path emptyDir = work.newDir("recovery-empty-" + i);
      long emptyStart = System.nanoTime();
      try (KvStore empty = KvStore.open(KvSettings.defaults(emptyDir))) {
        empty.get("x").toCompletableFuture().join();
      }
      emptyMs = (System.nanoTime() - emptyStart) / 1e6;
    }

    List<ScenarioResult> results = new ArrayList<>();
    results.add(measure(logDir, n, rawPerKey, emptyMs, String.format(Locale.ROOT,
        "from log: one log of %,d records (%,d bytes), no snapshot", n, logFileBytes)));
    results.add(measure(snapDir, n, rawPerKey, emptyMs, String.format(Locale.ROOT,
        "from snapshot: snapshot of %,d entries (%,d bytes) + empty log (after compaction)", n, snapshotFileBytes)));
    WorkDir.delete(logDir);
    WorkDir.delete(snapDir);
    return results;
  }

  /** Writes a log of n puts to logDir and a snapshot of the same n entries to snapDir; returns raw, log, snapshot bytes. */
  private static long[] writeFiles(int n, Path logDir, Path snapDir) throws IOException {
    long rawBytes = 0;
    long logFileBytes;
    Map<String, byte[]> map = new HashMap<>(n * 4 / 3 + 16);
    RecordCodec codec = new RecordCodec();
    ByteBuffer buf = ByteBuffer.allocate(FLUSH_BYTES + 4096);
    try (RecordLog log = RecordLog.create(logDir, 1)) {
      for (int i = 0; i < n; i++) {
        String k = key(i);
        byte[] v = Scenarios.value(i);
        rawBytes += k.length() + v.length;
        map.put(k, v);
        buf = codec.appendRecord(new Mutation.Put(k, v), buf);
        if (buf.position() >= FLUSH_BYTES) {
          buf.flip();
          log.write(buf);
          buf.clear();
        }
      }
      buf.flip();
      log.write(buf);
      log.sync();
      logFileBytes = log.size();
    }
    // What the store itself writes beside them: the manifest naming what must exist.
    new Manifest(false, 1, 1, List.of(), true, logFileBytes).write(logDir);
    long snapshotFileBytes = Snapshot.write(snapDir, map, 1, () -> false);
    new Manifest(true, 1, 0, List.of(), false, -1).write(snapDir);
    return new long[] {rawBytes, logFileBytes, snapshotFileBytes};
  }

  private ScenarioResult measure(Path dir, int n, double rawPerKey, double emptyMs, String what) throws Exception {
    List<Double> wallMs = new ArrayList<>();
    for (int run = 0; run < plan.recoveryRuns(); run++) {
      usedHeapAfterGc(); // collect before, never while the store is open (a long pause would trip the heartbeat)
      long start = System.nanoTime();
      try (KvStore store = KvStore.open(KvSettings.defaults(dir))) {
        wallMs.add((System.nanoTime() - start) / 1e6);
        if (store.get(key(n - 1)).toCompletableFuture().join().isEmpty()) {
          throw new IllegalStateException("recovered store lacks " + key(n - 1));
        }
      }
    }
    // Memory: a separate open whose heartbeat tolerates the explicit full collections of the measurement.
    long before = usedHeapAfterGc();
    Config relaxed = ConfigFactory.parseString("kv.heartbeat.stale-after = 120s")
        .withFallback(KvSettings.defaults(dir).toConfig()).withFallback(ConfigFactory.load());
    String memory;
    try (KvStore store = KvStore.open(relaxed)) {
      long after = usedHeapAfterGc();
      double perKey = (double) (after - before) / n;
      memory = String.format(Locale.ROOT, "heap: %.1f bytes/key after GC (%.2f x raw key+value %.0f bytes; "
          + "target < 2.5 x; whole JVM heap used after GC, store open minus before, stale-after 120s for this"
          + " measurement)", perKey, perKey / rawPerKey, rawPerKey);
      store.get(key(0)).toCompletableFuture().join();
    }
    List<Double> sorted = new ArrayList<>(wallMs);
    sorted.sort(null);
    double median = sorted.get(sorted.size() / 2);
    String runs = sorted.size() == 1 ? "" : String.format(Locale.ROOT, " (median of %d runs: %s ms)", sorted.size(),
        sorted.stream().map(d -> String.format(Locale.ROOT, "%.0f", d)).toList());
    return new ScenarioResult("recovery-1m", n / (median / 1000.0), null, null, null, 1, String.format(Locale.ROOT,
        "%s; wall time of KvStore.open until recovered %.0f ms%s, of which ~%.0f ms is the start of an empty store;"
            + " ops_per_s = keys recovered per second; files in the OS page cache; %s", what, median, runs, emptyMs,
        memory));
  }

  /** Heap in use after full collections (the collector settles after a few). */
  static long usedHeapAfterGc() throws InterruptedException {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(50);
      used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
