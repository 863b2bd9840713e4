package dev.kvactors.bench;

import static java.util.Objects.requireNonNull;

import dev.kvactors.Durability;
import dev.kvactors.KvSettings;
import dev.kvactors.KvStore;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;

/**
 * The end-to-end write and read scenarios: every one runs the same closed-loop workload (uniform
 * keys from a space of {@link Plan#keySpace()}, 100-byte values) on a fresh data directory.
 */
final class Scenarios {
  static final int VALUE_BYTES = 100;

  private final Plan plan;
  private final WorkDir work;
  private final LoadRun load;
  private final String[] keys;
  private final byte[][] keyBytes;
  private final byte[] value;

  Scenarios(Plan plan, WorkDir work) {
    this.plan = requireNonNull(plan, "plan is null");
    this.work = requireNonNull(work, "work is null");
    this.load = new LoadRun(plan.warmup(), plan.measure());
    this.keys = new String[plan.keySpace()];
    this.keyBytes = new byte[plan.keySpace()][];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = String.format(Locale.ROOT, "key-%07d", i);
      keyBytes[i] = keys[i].getBytes(StandardCharsets.UTF_8);
    }
    this.value = value(0);
  }

  static byte[] value(int seed) {
    byte[] v = new byte[VALUE_BYTES];
    Arrays.fill(v, (byte) ('a' + seed % 26));
    ByteBuffer.wrap(v).putInt(seed);
    return v;
  }

  private int randomKey() {
    return ThreadLocalRandom.current().nextInt(keys.length);
  }

  private String workload() {
    return String.format(Locale.ROOT, "uniform keys of %d, %d-byte values, %.1f s warm-up + %.1f s", keys.length,
        VALUE_BYTES, plan.warmup().toMillis() / 1000.0, plan.measure().toMillis() / 1000.0);
  }

  /** 100-byte append + {@code FileChannel.force(false)} in a loop: the disk's unbatched durable-write ceiling. */
  ScenarioResult rawFsync() throws Exception {
    Path file = work.newDir("raw-fsync").resolve("raw.bin");
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND)) {
      ByteBuffer buf = ByteBuffer.wrap(value);
      LoadRun.Measured m = load.runThreads(1, (c, n) -> {
        buf.clear();
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(false);
      });
      return m.toResult("raw-fsync", 1, "100-byte append + force(false) (fdatasync) per op, one thread, in the data"
          + " directory's file system; " + seconds());
    }
  }

  /** Durable (or not) sets through the embedded KvStore API. */
  ScenarioResult kvSet(String name, Durability durability, int clients) throws Exception {
    Path dir = work.newDir(name);
    try (KvStore store = KvStore.open(KvSettings.defaults(dir).withDurability(durability))) {
      LoadRun.Measured m = load.runAsync(clients, (c, n) -> store.set(keys[randomKey()], value));
      return m.toResult(name, clients, "KvStore.set, durability " + durability.configName() + ", " + clients
          + " async client(s) (next set when the previous completes); " + workload());
    }
  }

  /** Set (async mode) then in-memory gets through KvStore, 1 and 64 clients, on one store. */
  ScenarioResult[] setAsyncAndGets() throws Exception {
    Path dir = work.newDir("set-async-64");
    try (KvStore store = KvStore.open(KvSettings.defaults(dir).withDurability(Durability.ASYNC))) {
      LoadRun.Measured set = load.runAsync(64, (c, n) -> store.set(keys[randomKey()], value));
      ScenarioResult setResult = set.toResult("set-async-64", 64, "KvStore.set, durability async (acked at once),"
          + " 64 async clients; " + workload());
      for (String k : keys) {
        store.set(k, value).toCompletableFuture().join();
      }
      store.get(keys[0]).toCompletableFuture().join().orElseThrow();
      String getNotes = "KvStore.get of present keys (answered from memory), %d async client(s); " + workload();
      LoadRun.Measured get1 = load.runAsync(1, (c, n) -> store.get(keys[randomKey()]));
      LoadRun.Measured get64 = load.runAsync(64, (c, n) -> store.get(keys[randomKey()]));
      return new ScenarioResult[] {setResult, get1.toResult("get-1", 1, String.format(Locale.ROOT, getNotes, 1)),
          get64.toResult("get-64", 64, String.format(Locale.ROOT, getNotes, 64))};
    }
  }

  /** The original design's writer: whole map to JSON and the file rewritten on every set. */
  ScenarioResult seedRewrite() throws Exception {
    Path dir = work.newDir("seed-rewrite-10k");
    try (SeedRewriteStore store = SeedRewriteStore.open(dir)) {
      Map<String, byte[]> seed = new HashMap<>();
      for (String k : keys) {
        seed.put(k, value);
      }
      store.putAll(seed);
      long fileBytes = Files.size(store.file());
      LoadRun.Measured m = load.runAsync(64, (c, n) -> store.set(keys[randomKey()], value));
      return m.toResult("seed-rewrite-10k", 64, String.format(Locale.ROOT, "original design's writer: one writer"
          + " thread; every set puts into a HashMap of %d keys, serializes the whole map to JSON with Jackson (values"
          + " base64) and rewrites data.json (%,d bytes) with Files.write (truncate + write), NO fsync; set completes"
          + " after its rewrite; 64 async clients; %s", keys.length, fileBytes, workload()));
    }
  }

  /** A synchronized HashMap + the kv-actors log format, written and fsynced in the caller's thread under the lock. */
  ScenarioResult mutexFsync() throws Exception {
    Path dir = work.newDir("mutex-fsync-64");
    try (MutexStore store = MutexStore.create(dir)) {
      LoadRun.Measured m = load.runThreads(64, (c, n) -> store.set(keys[randomKey()], value));
      return m.toResult("mutex-fsync-64", 64, "synchronized HashMap + RecordCodec/RecordLog; each set encodes, writes"
          + " and force(false)s its own record under the lock in the caller's thread (no batching); 64 threads; "
          + workload());
    }
  }

  /** RocksDB on the same workload. */
  ScenarioResult rocksdb(boolean sync) throws Exception {
    String name = sync ? "rocksdb-sync-64" : "rocksdb-nosync-64";
    Path dir = work.newDir(name);
    RocksDB.loadLibrary();
    try (Options options = new Options().setCreateIfMissing(true);
        RocksDB db = RocksDB.open(options, dir.toString());
        WriteOptions write = new WriteOptions().setSync(sync)) {
      LoadRun.Measured m = load.runThreads(64, (c, n) -> put(db, write, keyBytes[randomKey()]));
      return m.toResult(name, 64, "RocksDB " + RocksDB.rocksdbVersion() + " put, default options, WriteOptions.setSync("
          + sync + ")" + (sync ? " (WAL fsync per write group: RocksDB's own group commit)" : " (WAL written to the OS,"
          + " not synced)") + "; 64 threads; " + workload());
    }
  }

  private void put(RocksDB db, WriteOptions write, byte[] key) throws RocksDBException {
    db.put(write, key, value);
  }

  private String seconds() {
    return String.format(Locale.ROOT, "%.1f s warm-up + %.1f s", plan.warmup().toMillis() / 1000.0,
        plan.measure().toMillis() / 1000.0);
  }
}
