package dev.kvactors.system;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvactors.system.KvProgram.Result;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The packaged {@code kv} program, run as real processes on a data directory of each test's own. */
class KvProgramTest {
  @TempDir
  Path dataDir;

  @Test
  void aValueSetByOneProcessIsReadByTheNextUntilItIsDeleted() {
    assertOk(KvProgram.run(dataDir, "set", "city", "Zürich"));

    Result get = KvProgram.run(dataDir, "get", "city");
    assertOk(get);
    assertEquals("Zürich", get.out(), "exactly the value's bytes: stdout is not a terminal");

    assertOk(KvProgram.run(dataDir, "delete", "city"));

    Result gone = KvProgram.run(dataDir, "get", "city");
    assertEquals(1, gone.exitCode(), gone.describe());
    assertEquals("not found: city", gone.stderr().strip());
    assertEquals(0, gone.stdout().length);
  }

  @Test
  void aBinaryValueFromStdinRoundTripsByteForByte() {
    byte[] value = new byte[4096];
    for (int i = 0; i < value.length; i++) {
      value[i] = (byte) (i * 7);
    }
    value[0] = 0x00;
    value[1] = (byte) 0xFF;
    value[2] = '\n';
    value[value.length - 1] = '\n';

    assertOk(KvProgram.runWithStdin(dataDir, value, "set", "blob", "-"));
    Result get = KvProgram.run(dataDir, "get", "blob");

    assertOk(get);
    assertArrayEquals(value, get.stdout());
  }

  @Test
  void aThousandKeysWrittenConcurrentlyAreAllThereAfterEveryRestart() {
    Result load = KvProgram.run(dataDir, "load", "--count", "1000", "--clients", "16");
    assertOk(load);
    assertEquals(1000, load.outLines().stream().filter(l -> l.startsWith("ack load-")).distinct().count());

    for (int restart = 1; restart <= 3; restart++) {
      Result verify = KvProgram.run(dataDir, "load", "--verify", "--count", "1000");
      assertOk(verify);
      assertEquals(List.of("verified 1000"), verify.outLines(), "restart " + restart);
    }
    Result keys = KvProgram.run(dataDir, "keys");
    assertOk(keys);
    assertEquals(1000, keys.outLines().size());
    assertEquals(1000, new HashSet<>(keys.outLines()).size());
    for (int i : new int[] {0, 517, 999}) {
      Result get = KvProgram.run(dataDir, "get", "load-" + i);
      assertOk(get);
      assertEquals("value-" + i, get.out());
    }
  }

  @ParameterizedTest(name = "durability {0}")
  @ValueSource(strings = {"fsync", "flush"})
  void everyAcknowledgedWriteSurvivesKillDashNine(String durability) throws IOException {
    Path store = dataDir.resolve("store");
    List<String> options = new ArrayList<>();
    if (!durability.equals("fsync")) { // fsync is the default: exercise it without any configuration
      Path conf = dataDir.resolve("durability.conf");
      Files.writeString(conf, "kv.durability = " + durability + "\n");
      options.addAll(List.of("--config", conf.toString()));
    }
    options.addAll(List.of("load", "--count", "100000", "--clients", "8"));
    Process loader = KvProgram.start(store, dataDir.resolve("loader.err"), options.toArray(String[]::new));
    byte[] before;
    byte[] after;
    try {
      before = KvProgram.readLines(loader.getInputStream(), 300, KvProgram.TIMEOUT);
    } finally {
      KvProgram.kill(loader);
    }
    after = loader.getInputStream().readAllBytes(); // acks already in the pipe when it died
    byte[] all = new byte[before.length + after.length];
    System.arraycopy(before, 0, all, 0, before.length);
    System.arraycopy(after, 0, all, before.length, after.length);
    List<String> acked = KvProgram.completeLines(all).stream()
        .map(line -> {
          assertTrue(line.startsWith("ack load-"), () -> "unexpected output line: " + line);
          return line.substring("ack ".length());
        })
        .toList();
    assertTrue(acked.size() >= 300, "saw " + acked.size() + " acks");
    assertFalse(loader.isAlive());

    Result keys = KvProgram.run(store, "keys", "load");
    assertEquals(0, keys.exitCode(), keys.describe()); // stderr may warn of the torn record it cut off
    Set<String> present = new HashSet<>(keys.outLines());
    List<String> lost = acked.stream().filter(k -> !present.contains(k)).toList();
    assertEquals(List.of(), lost, acked.size() + " acknowledged, " + present.size() + " present; lost:");

    int step = Math.max(1, acked.size() / 19);
    Set<String> sample = new HashSet<>();
    for (int i = 0; i < acked.size(); i += step) {
      sample.add(acked.get(i));
    }
    sample.add(acked.get(acked.size() - 1));
    for (String key : sample.stream().sorted().collect(Collectors.toList())) {
      Result get = KvProgram.run(store, "get", key);
      assertOk(get);
      assertEquals("value-" + key.substring("load-".length()), get.out(), key);
    }
  }

  @Test
  void aCorruptRecordStopsTheStartWithOneLineNamingFileAndOffset() throws IOException {
    assertOk(KvProgram.run(dataDir, "load", "--count", "20"));
    Path log = dataDir.resolve("log-0000000001.kvl");
    assertTrue(Files.size(log) > 200, "the log holds 20 records");
    // 8-byte file header, then [int len][int crc][payload]: offset 20 is inside the first payload.
    flipBits(log, 20, 0x5A);

    Result get = KvProgram.run(dataDir, "get", "load-5");

    assertEquals(3, get.exitCode(), get.describe());
    List<String> lines = get.stderr().lines().toList();
    assertEquals(1, lines.size(), get.describe());
    assertTrue(lines.get(0).startsWith("kv: "), get.describe());
    assertTrue(lines.get(0).contains("log-0000000001.kvl"), get.describe());
    assertTrue(lines.get(0).contains("offset"), get.describe());
    assertFalse(get.stderr().contains("Exception"), get.describe());
    assertFalse(get.stderr().contains("\tat "), get.describe());
    assertEquals(0, get.stdout().length);
  }

  @Test
  void repairSalvagesTheValidPrefixOnlyWhenConfirmed() throws IOException {
    assertOk(KvProgram.run(dataDir, "load", "--count", "20"));
    Path log = dataDir.resolve("log-0000000001.kvl");
    long size = Files.size(log);
    flipBits(log, size / 2, 0x5A);
    byte[] damaged = Files.readAllBytes(log);
    assertEquals(3, KvProgram.run(dataDir, "get", "load-0").exitCode());

    Result dryRun = KvProgram.run(dataDir, "repair");
    assertEquals(1, dryRun.exitCode(), dryRun.describe());
    assertTrue(dryRun.out().contains("nothing was changed"), dryRun.describe());
    assertArrayEquals(damaged, Files.readAllBytes(log), "without --yes the files stay as they were");

    Result repair = KvProgram.run(dataDir, "repair", "--yes");
    assertOk(repair);
    assertTrue(repair.out().contains("kept:    log-0000000001.kvl: "), repair.describe());
    assertTrue(repair.out().contains("dropped: log-0000000001.kvl: "), repair.describe());
    Path backup;
    try (var files = Files.list(dataDir)) {
      backup = files.filter(p -> p.getFileName().toString().startsWith("backup-")).findFirst().orElseThrow();
    }
    assertArrayEquals(damaged, Files.readAllBytes(backup.resolve("log-0000000001.kvl")));

    Result get = KvProgram.run(dataDir, "get", "load-0");
    assertOk(get);
    assertEquals("value-0", get.out());
    Result keys = KvProgram.run(dataDir, "keys");
    assertOk(keys);
    int kept = keys.outLines().size();
    assertTrue(kept > 0 && kept < 20, "a prefix of the 20 keys survives: " + kept);
  }

  @Test
  void aFlippedBitInTheSnapshotStopsTheStartNamingTheSnapshot() throws IOException {
    Path conf = dataDir.resolve("small-compaction.conf");
    Files.writeString(conf, "kv.compaction-min-log-bytes = 2 KiB\n");
    Path store = dataDir.resolve("store");
    assertOk(KvProgram.run(store, "--config", conf.toString(), "load", "--count", "300"));
    Path snapshot = store.resolve("snapshot.kvs");
    assertTrue(Files.exists(snapshot), "the load compacted the log into a snapshot");
    long size = Files.size(snapshot);
    flipBits(snapshot, size / 2, 0x01);

    Result get = KvProgram.run(store, "get", "load-1");

    assertEquals(3, get.exitCode(), get.describe());
    assertEquals(1, get.stderr().lines().count(), get.describe());
    assertTrue(get.stderr().contains("snapshot.kvs is damaged at offset "), get.describe());
  }

  @Test
  void aSecondProcessOnALockedDataDirectoryChangesNothing() throws Exception {
    assertOk(KvProgram.run(dataDir, "set", "kept", "as is"));
    try (dev.kvactors.KvStore holder = dev.kvactors.KvStore.open(
        dev.kvactors.KvSettings.defaults(dataDir))) {
      java.util.Map<String, byte[]> before = dataFiles();

      Result set = KvProgram.run(dataDir, "--lock-wait", "200ms", "set", "kept", "changed");

      assertEquals(4, set.exitCode(), set.describe());
      assertTrue(set.stderr().contains("data directory " + dataDir + " is locked by another process (pid "
          + ProcessHandle.current().pid() + ")"), set.describe());
      java.util.Map<String, byte[]> after = dataFiles();
      assertEquals(before.keySet(), after.keySet());
      before.forEach((name, bytes) -> assertArrayEquals(bytes, after.get(name), name));
      assertEquals(java.util.Optional.of("as is"),
          dev.kvactors.KvStore.await(holder.getString("kept"), Duration.ofSeconds(10)));
    }
  }

  /**
   * Every data file by name: not the program's own log, and not LOCK, whose reading from this JVM
   * would release the lock it holds (OS file locks belong to the process, and closing any
   * descriptor of the file drops them).
   */
  private java.util.Map<String, byte[]> dataFiles() throws IOException {
    java.util.Map<String, byte[]> files = new java.util.TreeMap<>();
    try (var list = Files.list(dataDir)) {
      for (Path p : list.toList()) {
        String name = p.getFileName().toString();
        if (!name.equals("kv.log") && !name.equals("LOCK")) {
          files.put(p.getFileName().toString(), Files.readAllBytes(p));
        }
      }
    }
    return files;
  }

  @Test
  void aSecondProcessOnALockedDataDirectoryGetsAClearError() throws IOException {
    Process loader = KvProgram.start(dataDir, dataDir.resolve("loader.err"), "load", "--count", "100000");
    try {
      byte[] first = KvProgram.readLines(loader.getInputStream(), 1, KvProgram.TIMEOUT);
      assertTrue(new String(first, StandardCharsets.UTF_8).startsWith("ack load-"));

      Result get = KvProgram.run(dataDir, "--lock-wait", "200ms", "get", "x");

      assertEquals(4, get.exitCode(), get.describe());
      assertTrue(get.stderr().contains("is locked by another process (pid " + loader.pid() + ")"),
          get.describe());
      assertEquals(1, get.stderr().lines().count(), get.describe());
    } finally {
      KvProgram.kill(loader);
    }
  }

  @Test
  void theLauncherWorksFromAnyWorkingDirectory(@TempDir Path elsewhere) {
    String launcher = KvProgram.root().resolve("kv").toString();
    Duration mayBuild = Duration.ofMinutes(5);

    Result set = KvProgram.run(List.of(launcher, "--data-dir", dataDir.toString(), "set", "a", "b"),
        elsewhere, new byte[0], mayBuild);
    assertOk(set);
    Result get = KvProgram.run(List.of(launcher, "--data-dir", dataDir.toString(), "get", "a"),
        elsewhere, new byte[0], mayBuild);
    assertOk(get);
    assertEquals("b", get.out());
    assertTrue(Files.isRegularFile(dataDir.resolve("kv.log")), "the launcher's logback.xml logs to DATA_DIR/kv.log");

    // KV_DATA_DIR wins over config/application.conf's kv.data-dir
    Result fromEnv = KvProgram.run(List.of(launcher, "get", "a"), elsewhere, new byte[0], mayBuild,
        "KV_DATA_DIR=" + dataDir);
    assertOk(fromEnv);
    assertEquals("b", fromEnv.out());
  }

  /** XORs the byte at {@code offset} of {@code file} with {@code mask}: damage a crash cannot explain. */
  private static void flipBits(Path file, long offset, int mask) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
      int b = f.read();
      f.seek(offset);
      f.write(b ^ mask);
    }
  }

  private static void assertOk(Result result) {
    assertEquals(0, result.exitCode(), result.describe());
    assertEquals("", result.stderr(), result.describe());
  }
}
