package dev.kvactors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lincheck drives concurrent {@code get}, {@code set}, conditional {@code set}, {@code delete} and
 * {@code keys} through the blocking view of a real {@link KvStore} (actors, writer, data directory)
 * and checks every history against {@link SequentialMap}, a plain sorted map: the store is
 * linearizable if some order of the operations, consistent with real time, explains every answer.
 *
 * <p>Three keys (two share a prefix) and two values, so concurrent operations collide. A report
 * names them by index: key 0, 1, 2 = "a", "ab", "b"; value 0, 1 = "x", "y"; prefix 0, 1 = "", "a".
 * Each scenario: 2 operations before, 3 threads of 3 operations, 1 after.
 *
 * <p>Stress mode only. Lincheck's model checking must own every thread an operation touches and
 * switch between them at each shared-memory access; here a request is answered on Pekko's
 * dispatcher threads and the writer's blocking-I/O threads, which it does not create or schedule
 * (and blocking on a future that another, unmanaged thread completes is not something it can
 * explore). Stress mode runs the scenarios on real threads against the real store.
 *
 * <p>Bounded so {@code mvn verify} stays short: {@code -Dkv.lincheck.iterations=N} (scenarios per
 * durability mode, default 10) and {@code -Dkv.lincheck.invocations=M} (runs of each scenario,
 * default 100) make a long run; fsync runs a fifth of each. Lincheck's agent re-instruments every
 * loaded class when a check starts and ends (Pekko's included), a fixed cost of several seconds
 * per check on top of the runs.
 */
class LinearizabilityTest {
  /** The key space: "a" and "ab" share the prefix "a". */
  static final List<String> KEYS = List.of("a", "ab", "b");
  static final List<String> VALUES = List.of("x", "y");
  static final List<String> PREFIXES = List.of("", "a");

  /** Scenarios per durability mode (fsync runs a fifth of them); {@code -Dkv.lincheck.iterations}. */
  private static final int ITERATIONS = Integer.getInteger("kv.lincheck.iterations", 10);
  /** Runs of each scenario (fsync runs a fifth of them); {@code -Dkv.lincheck.invocations}. */
  private static final int INVOCATIONS = Integer.getInteger("kv.lincheck.invocations", 100);

  @TempDir Path dir;

  @Test
  void concurrentOperationsAreLinearizableWithFlushDurability() {
    check("flush", ITERATIONS, INVOCATIONS);
  }

  @Test
  void concurrentOperationsAreLinearizableWithAsyncDurability() {
    check("async", ITERATIONS, INVOCATIONS);
  }

  @Test
  void concurrentOperationsAreLinearizableWithFsyncDurability() {
    // Every write waits for the device: a fifth of the scenarios and runs keep it short.
    check("fsync", Math.max(1, ITERATIONS / 5), Math.max(1, INVOCATIONS / 5));
  }

  private void check(String durability, int iterations, int invocations) {
    Config config = ConfigFactory.parseMap(Map.of(
            "kv.data-dir", dir.toString(),
            "kv.durability", durability))
        .withFallback(ConfigFactory.load());
    try (KvStore opened = KvStore.open(config)) {
      StoreOperations.store = opened;
      new StressOptions()
          .sequentialSpecification(SequentialMap.class)
          .iterations(iterations)
          .invocationsPerIteration(invocations)
          .threads(3)
          .actorsPerThread(3)
          .actorsBefore(2)
          .actorsAfter(1)
          .check(StoreOperations.class);
    } finally {
      StoreOperations.store = null;
    }
  }

  /**
   * What Lincheck runs: each operation is one blocking call on the store. Lincheck creates an
   * instance for every run of a scenario; one store serves them all (opening one per run would cost
   * an actor system each), and the constructor deletes the keys, so every run starts empty.
   */
  @Param(name = "key", gen = IntGen.class, conf = "0:2")
  @Param(name = "value", gen = IntGen.class, conf = "0:1")
  @Param(name = "prefix", gen = IntGen.class, conf = "0:1")
  public static final class StoreOperations {
    /** The store under test; set by each JUnit test before it runs Lincheck, which needs a no-arg constructor. */
    private static volatile KvStore store;

    private final KvStore.Blocking kv;

    public StoreOperations() {
      KvStore current = store;
      if (current == null) {
        throw new IllegalStateException("no store: run StoreOperations through LinearizabilityTest");
      }
      kv = current.blocking();
      for (String key : KEYS) {
        kv.delete(key);
      }
    }

    @Operation
    public String get(@Param(name = "key") int key) {
      return kv.getString(KEYS.get(key)).orElse(null);
    }

    @Operation
    public void set(@Param(name = "key") int key,
        @Param(name = "value") int value) {
      kv.set(KEYS.get(key), VALUES.get(value));
    }

    @Operation
    public boolean setIfAbsent(@Param(name = "key") int key,
        @Param(name = "value") int value) {
      return kv.set(KEYS.get(key), bytes(VALUES.get(value)), KeyValueStore.Condition.IF_ABSENT);
    }

    @Operation
    public boolean setIfPresent(@Param(name = "key") int key,
        @Param(name = "value") int value) {
      return kv.set(KEYS.get(key), bytes(VALUES.get(value)), KeyValueStore.Condition.IF_PRESENT);
    }

    @Operation
    public boolean delete(@Param(name = "key") int key) {
      return kv.delete(KEYS.get(key));
    }

    @Operation
    public List<String> keys(@Param(name = "prefix") int prefix) {
      return new ArrayList<>(kv.keys(PREFIXES.get(prefix)));
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The sequential specification: a plain sorted map, one operation at a time. */
  public static final class SequentialMap {
    private final TreeMap<String, String> map = new TreeMap<>();

    public String get(int key) {
      return map.get(KEYS.get(key));
    }

    public void set(int key, int value) {
      map.put(KEYS.get(key), VALUES.get(value));
    }

    public boolean setIfAbsent(int key, int value) {
      return map.putIfAbsent(KEYS.get(key), VALUES.get(value)) == null;
    }

    public boolean setIfPresent(int key, int value) {
      return map.replace(KEYS.get(key), VALUES.get(value)) != null;
    }

    public boolean delete(int key) {
      return map.remove(KEYS.get(key)) != null;
    }

    public List<String> keys(int prefix) {
      String p = PREFIXES.get(prefix);
      List<String> matching = new ArrayList<>();
      for (String key : map.keySet()) { // sorted
        if (key.startsWith(p)) {
          matching.add(key);
        }
      }
      return matching;
    }
  }

}
