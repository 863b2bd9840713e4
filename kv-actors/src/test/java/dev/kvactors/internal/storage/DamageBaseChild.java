package dev.kvactors.internal.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The child JVM of {@link DamageMatrixTest}: builds a data directory the way the file writer does
 * (a snapshot, a sealed log, the newest log), every record synced before the next, then either
 * shuts down cleanly ({@code clean}) or halts the JVM at once, as {@code kill -9} does
 * ({@code kill}).
 *
 * <p>Arguments: data directory, {@code clean} or {@code kill}.
 */
public final class DamageBaseChild {
  static final int FIRST_LOG = 20;
  static final int SEALED_LOG = 10;
  static final int NEWEST_LOG = 8;

  private DamageBaseChild() {}

  /** Deadlines from 2100-01-01T00:00:00Z on: far enough that none passes (a compaction would drop the key). */
  static final long FAR = 4_102_444_800_000L;

  /**
   * Operation {@code i}: every 5th removes an earlier key, every 7th changes a key's deadline, every
   * 3rd overwrites one, the rest add one; every 4th put has a deadline; every 11th is a batch record
   * (records of every type).
   */
  static Mutation op(int i) {
    if (i % 11 == 10) { // a batch record (one per log): a put with a deadline, a remove, a plain put
      return new Mutation.Batch(java.util.List.of(
          new Mutation.Put("b" + i, ("batch " + i).getBytes(StandardCharsets.UTF_8), FAR + i),
          new Mutation.Remove("k" + (i - 3)),
          new Mutation.Put("k" + (i - 1), ("batch " + i).getBytes(StandardCharsets.UTF_8))));
    }
    if (i % 5 == 4) {
      return new Mutation.Remove("k" + (i - 2));
    }
    String key = i % 3 == 2 ? "k" + (i / 2) : "k" + i;
    if (i % 7 == 6) {
      return new Mutation.Expire(key, FAR + i);
    }
    return new Mutation.Put(key, ("value of op " + i).getBytes(StandardCharsets.UTF_8),
        i % 4 == 1 ? FAR + i : Mutation.NO_DEADLINE);
  }

  /** The map after every operation was acknowledged. */
  static Map<String, byte[]> expected() {
    Map<String, byte[]> map = new HashMap<>();
    for (int i = 0; i < FIRST_LOG + SEALED_LOG + NEWEST_LOG; i++) {
      op(i).applyTo(map);
    }
    return map;
  }

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    boolean clean = args[1].equals("clean");
    DataDir data = DataDir.open(dir, Duration.ZERO);
    RecordLog log = data.log();
    int i = 0;
    i = append(data, log, i, FIRST_LOG);
    log = data.startNewLog(log); // generation 2
    i = append(data, log, i, SEALED_LOG);
    Compaction.run(data, 2, () -> false); // snapshot up to generation 2; log 1 deleted
    log = data.startNewLog(log); // generation 3; log 2 sealed and still needed
    append(data, log, i, NEWEST_LOG);
    if (!clean) {
      Runtime.getRuntime().halt(CrashPoints.EXIT_STATUS);
    }
    log.close();
    data.closeCleanly(log);
    data.close();
    System.exit(0);
  }

  private static int append(DataDir data, RecordLog log, int from, int count) throws IOException {
    RecordCodec codec = new RecordCodec();
    for (int i = from; i < from + count; i++) {
      data.beforeAppend();
      log.write(codec.appendRecord(op(i), ByteBuffer.allocate(64)).flip());
      log.sync(); // acknowledged
    }
    return from + count;
  }
}
