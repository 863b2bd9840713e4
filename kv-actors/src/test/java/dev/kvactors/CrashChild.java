package dev.kvactors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.kvactors.internal.storage.CrashPoints;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * The child JVM of {@link CrashPointTest}: arms one crash point, then writes and deletes keys, and
 * gives some of them deadlines, one after the other through {@link KvStore} (fsync mode, small
 * compaction threshold so compactions happen), appending each acknowledged operation's number to
 * an ack file before the next one. The deadlines are far in the future, so none passes meanwhile.
 *
 * <p>Arguments: data directory, crash point, nth time, ack file, number of operations.
 */
public final class CrashChild {
  static final int KEYS = 200;
  static final int VALUE_BYTES = 300;

  /** Deadlines start here: 2100-01-01T00:00:00Z. */
  static final long FAR = 4_102_444_800_000L;

  /** What an operation does. */
  enum Kind {
    SET,
    DELETE,
    EXPIRE_AT
  }

  /** Operation {@code i}: a set (with {@code deadline} unless 0), a delete, or a change of a key's deadline. */
  record Op(Kind kind, String key, byte[] value, long deadline) {
    boolean isDelete() {
      return kind == Kind.DELETE;
    }
  }

  /** Every 7th deletes a key, every 11th gives a key a deadline, every 5th set has a deadline. */
  static Op op(int i) {
    if (i % 7 == 6) {
      return new Op(Kind.DELETE, "k-" + (i * 31) % KEYS, null, 0);
    }
    if (i % 11 == 10) {
      return new Op(Kind.EXPIRE_AT, "k-" + (i * 17) % KEYS, null, FAR + 1_000_000L + i);
    }
    StringBuilder v = new StringBuilder("value of op ").append(i).append(' ');
    while (v.length() < VALUE_BYTES) {
      v.append('x');
    }
    return new Op(Kind.SET, "k-" + i % KEYS, v.toString().getBytes(StandardCharsets.UTF_8), i % 5 == 0 ? FAR + i : 0);
  }

  static Config config(Path dataDir) {
    // A generous stale-after: on a loaded machine a few fsyncs in a row can keep the writer silent
    // past the default 500 ms, and a heartbeat reset (tested elsewhere) would end the child early.
    return ConfigFactory.parseString("kv.compaction-min-log-bytes = 16 KiB\nkv.durability = fsync\n"
            + "kv.heartbeat.stale-after = 10s")
        .withFallback(KvSettings.defaults(dataDir).toConfig())
        .withFallback(ConfigFactory.load());
  }

  public static void main(String[] args) throws IOException {
    Path dataDir = Path.of(args[0]);
    CrashPoints.Point point = CrashPoints.Point.valueOf(args[1]);
    int nth = Integer.parseInt(args[2]);
    Path ackFile = Path.of(args[3]);
    int operations = Integer.parseInt(args[4]);
    CrashPoints.armForTest(point, nth);
    Duration timeout = Duration.ofSeconds(30);
    try (KvStore store = KvStore.open(config(dataDir));
        FileOutputStream acks = new FileOutputStream(ackFile.toFile(), true)) {
      for (int i = 0; i < operations; i++) {
        Op op = op(i);
        switch (op.kind()) {
          case DELETE -> KvStore.await(store.delete(op.key()), timeout);
          case EXPIRE_AT -> KvStore.await(store.expireAt(op.key(), Instant.ofEpochMilli(op.deadline())), timeout);
          default -> KvStore.await(op.deadline() == 0 ? store.set(op.key(), op.value())
              : store.set(op.key(), op.value(), Instant.ofEpochMilli(op.deadline())), timeout);
        }
        acks.write((i + "\n").getBytes(StandardCharsets.US_ASCII)); // unbuffered: in the OS at once
      }
    }
    System.exit(0); // the crash point was never reached
  }
}
