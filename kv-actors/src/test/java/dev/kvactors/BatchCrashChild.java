package dev.kvactors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The child JVM of {@link BatchCrashTest}: {@link #WRITERS} threads each commit transactions without
 * end, until the parent kills the JVM. Transaction {@code i} of writer {@code w} sets the
 * {@link #KEYS_PER_BATCH} keys {@code w-0 ... w-7} to values that start with {@code i}, appends
 * {@code "i,"} to {@code w-log} and increments {@code w-count}; once acknowledged, the line
 * {@code "w i"} goes to the ack file (straight to the OS) before the next one.
 *
 * <p>Arguments: data directory, ack file.
 */
public final class BatchCrashChild {
  static final int WRITERS = 4;
  static final int KEYS_PER_BATCH = 8;
  static final int VALUE_BYTES = 1000;

  static Config config(Path dataDir) {
    return ConfigFactory.parseString("kv.compaction-min-log-bytes = 256 KiB\nkv.durability = fsync\n"
            + "kv.heartbeat.stale-after = 10s")
        .withFallback(KvSettings.defaults(dataDir).toConfig())
        .withFallback(ConfigFactory.load());
  }

  static String value(int batch) {
    StringBuilder v = new StringBuilder().append(batch).append(':');
    while (v.length() < VALUE_BYTES) {
      v.append('x');
    }
    return v.toString();
  }

  public static void main(String[] args) throws IOException {
    Path dataDir = Path.of(args[0]);
    Path ackFile = Path.of(args[1]);
    Duration timeout = Duration.ofSeconds(30);
    try (KvStore store = KvStore.open(config(dataDir));
        FileOutputStream acks = new FileOutputStream(ackFile.toFile(), true)) {
      List<CompletableFuture<Void>> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        writers.add(CompletableFuture.runAsync(() -> {
          for (int i = 0; ; i++) {
            KvStore.Transaction tx = store.transaction();
            for (int k = 0; k < KEYS_PER_BATCH; k++) {
              tx.set(writer + "-" + k, value(i));
            }
            tx.append(writer + "-log", (i + ",").getBytes(StandardCharsets.UTF_8));
            tx.increment(writer + "-count", 1);
            KvStore.await(tx.commit(), timeout);
            byte[] line = (writer + " " + i + "\n").getBytes(StandardCharsets.UTF_8);
            synchronized (acks) {
              try {
                acks.write(line);
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            }
          }
        }, runnable -> {
          Thread t = new Thread(runnable, "batch-writer-" + writer);
          t.start();
        }));
      }
      CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).join(); // runs until killed
    }
  }
}
