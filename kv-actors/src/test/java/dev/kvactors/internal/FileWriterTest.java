package dev.kvactors.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvactors.KvException;
import dev.kvactors.KvSettings;
import dev.kvactors.internal.storage.Filenames;
import dev.kvactors.internal.storage.Manifest;
import dev.kvactors.internal.storage.Mutation;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class FileWriterTest {
  static final ActorTestKit testKit = ActorTestKit.create();

  @TempDir Path dir;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private ActorRef<FileWriter.Command> spawnWriter(KvSettings settings, TestProbe<FileWriter.Reply> parent,
      TestProbe<HeartbeatSender.Beat> router, FaultHooks hooks) {
    return testKit.spawn(FileWriter.create(settings, parent.ref(), router.ref(), hooks),
        "writer-" + System.nanoTime(), DispatcherSelector.blocking());
  }

  /** A writer on {@code settings}' directory persists {@code mutations}, then stops. */
  private void persistAndStop(KvSettings settings, Mutation... mutations) {
    TestProbe<FileWriter.Reply> parent = testKit.createTestProbe();
    ActorRef<FileWriter.Command> writer =
        spawnWriter(settings, parent, testKit.createTestProbe(), FaultHooks.NONE);
    parent.expectMessageClass(FileWriter.Recovered.class);
    persist(writer, parent, mutations);
    testKit.stop(writer);
  }

  /** Appends {@code mutations} as seq 0.. and waits until the writer has persisted them all. */
  private static void persist(ActorRef<FileWriter.Command> writer, TestProbe<FileWriter.Reply> parent,
      Mutation... mutations) {
    for (int i = 0; i < mutations.length; i++) {
      writer.tell(new FileWriter.Append(i, mutations[i]));
    }
    long upTo = -1;
    while (upTo < mutations.length - 1) {
      upTo = parent.expectMessageClass(FileWriter.Persisted.class).upToSeq();
    }
  }

  private static Mutation put(String key, String value) {
    return new Mutation.Put(key, value.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void recoversWhatAnEarlierWriterPersisted() {
    KvSettings settings = KvSettings.defaults(dir);
    TestProbe<FileWriter.Reply> parent = testKit.createTestProbe();
    TestProbe<HeartbeatSender.Beat> router = testKit.createTestProbe();
    ActorRef<FileWriter.Command> writer = spawnWriter(settings, parent, router, FaultHooks.NONE);
    assertTrue(parent.expectMessageClass(FileWriter.Recovered.class).entries().isEmpty());
    persist(writer, parent, put("a", "1"), put("b", "2"), new Mutation.Remove("a"));
    testKit.stop(writer);

    TestProbe<FileWriter.Reply> parent2 = testKit.createTestProbe();
    spawnWriter(settings, parent2, router, FaultHooks.NONE);
    FileWriter.Recovered recovered = parent2.expectMessageClass(FileWriter.Recovered.class);
    assertEquals(1, recovered.entries().size());
    assertArrayEquals("2".getBytes(StandardCharsets.UTF_8), recovered.entries().get("b"));
  }

  @Test
  void appendsWaitingInTheMailboxShareOneSync() throws InterruptedException {
    CountDownLatch firstFlushEntered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    FaultHooks holdFirstFlush = new FaultHooks() {
      @Override
      public void beforeFlush() {
        if (firstFlushEntered.getCount() > 0) {
          firstFlushEntered.countDown();
          await(release);
        }
      }
    };
    TestProbe<FileWriter.Reply> parent = testKit.createTestProbe();
    TestProbe<HeartbeatSender.Beat> router = testKit.createTestProbe();
    ActorRef<FileWriter.Command> writer = spawnWriter(KvSettings.defaults(dir), parent, router, holdFirstFlush);
    parent.expectMessageClass(FileWriter.Recovered.class);

    writer.tell(new FileWriter.Append(0, put("k0", "v")));
    assertTrue(firstFlushEntered.await(5, TimeUnit.SECONDS));
    for (int i = 1; i < 100; i++) {
      writer.tell(new FileWriter.Append(i, put("k" + i, "v")));
    }
    release.countDown();

    assertEquals(0, parent.expectMessageClass(FileWriter.Persisted.class).upToSeq());
    // the 99 appends that queued up during the first sync are written and synced as one batch
    assertEquals(99, parent.expectMessageClass(FileWriter.Persisted.class).upToSeq());
    parent.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void secondWriterOnALockedDirectoryFailsWithAClearMessage() {
    KvSettings settings = KvSettings.defaults(dir).withLockWait(Duration.ZERO);
    TestProbe<HeartbeatSender.Beat> router = testKit.createTestProbe();
    TestProbe<FileWriter.Reply> first = testKit.createTestProbe();
    spawnWriter(settings, first, router, FaultHooks.NONE);
    first.expectMessageClass(FileWriter.Recovered.class);

    TestProbe<FileWriter.Reply> second = testKit.createTestProbe();
    spawnWriter(settings, second, router, FaultHooks.NONE);
    FileWriter.RecoveryFailed failed = second.expectMessageClass(FileWriter.RecoveryFailed.class);
    assertTrue(failed.error().getMessage().contains("data directory " + dir + " is locked"),
        failed.error().getMessage());
  }

  @Test
  void cutsATornTailWithAWarningNamingFileOffsetAndBytes() throws IOException {
    KvSettings settings = KvSettings.defaults(dir);
    TestProbe<HeartbeatSender.Beat> router = testKit.createTestProbe();
    persistAndStop(settings, put("a", "1"), put("b", "2"));
    crashed(dir);
    Path log = Filenames.log(dir, 1);
    long length;
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "rw")) {
      length = f.length() - 4;
      f.setLength(length);
    }

    TestProbe<FileWriter.Reply> parent2 = testKit.createTestProbe();
    FileWriter.Recovered recovered = LoggingTestKit.warn("Cut off a torn record at the end of " + log)
        .withOccurrences(1)
        .expect(testKit.system(), () -> {
          spawnWriter(settings, parent2, router, FaultHooks.NONE);
          return parent2.expectMessageClass(FileWriter.Recovered.class);
        });
    assertEquals(1, recovered.entries().size(), "the complete record survives, the torn one is dropped");
    assertTrue(recovered.entries().containsKey("a"));
  }

  /** Makes {@code dir}'s manifest say what a crash leaves: the store was not shut down cleanly. */
  static void crashed(Path dir) throws IOException {
    Manifest.read(dir).orElseThrow().opened().write(dir);
  }

  @Test
  void refusesACutLastRecordAfterACleanShutdown() throws IOException {
    KvSettings settings = KvSettings.defaults(dir);
    persistAndStop(settings, put("a", "1"), put("b", "2"));
    Path log = Filenames.log(dir, 1);
    long length;
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "rw")) {
      length = f.length() - 4;
      f.setLength(length);
    }

    TestProbe<FileWriter.Reply> parent2 = testKit.createTestProbe();
    spawnWriter(settings, parent2, testKit.createTestProbe(), FaultHooks.NONE);
    String message = parent2.expectMessageClass(FileWriter.RecoveryFailed.class).error().getMessage();
    assertTrue(message.contains(log.toString()) && message.contains("refusing to start"), message);
  }

  @Test
  void refusesToStartWhenTheNewestLogIsMissingAfterACompaction() throws IOException {
    KvSettings settings = KvSettings.create(com.typesafe.config.ConfigFactory.parseString(
            "kv.compaction-min-log-bytes = 2 KiB")
        .withFallback(KvSettings.defaults(dir).toConfig()).withFallback(com.typesafe.config.ConfigFactory.load()));
    TestProbe<FileWriter.Reply> parent = testKit.createTestProbe();
    ActorRef<FileWriter.Command> writer = spawnWriter(settings, parent, testKit.createTestProbe(), FaultHooks.NONE);
    parent.expectMessageClass(FileWriter.Recovered.class);
    Mutation[] many = new Mutation[100];
    for (int i = 0; i < many.length; i++) {
      many[i] = put("key" + i, "value " + i + " ".repeat(40));
    }
    persist(writer, parent, many);
    testKit.stop(writer);
    java.util.List<Path> logs;
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir)) {
      logs = files.filter(f -> Filenames.logGeneration(f).isPresent()).sorted().toList();
    }
    assertTrue(Filenames.logGeneration(logs.get(logs.size() - 1)).getAsLong() > 1, "a new log generation was started");
    persistAndStop(settings, put("last-write", "important"), new Mutation.Remove("key1"));
    Path newest;
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir)) {
      newest = files.filter(f -> Filenames.logGeneration(f).isPresent()).sorted().reduce((a, b) -> b).orElseThrow();
    }
    java.nio.file.Files.delete(newest);

    TestProbe<FileWriter.Reply> parent2 = testKit.createTestProbe();
    spawnWriter(settings, parent2, testKit.createTestProbe(), FaultHooks.NONE);
    String message = parent2.expectMessageClass(FileWriter.RecoveryFailed.class).error().getMessage();
    assertTrue(message.contains(newest.toString()) && message.contains("missing"), message);
    assertTrue(java.nio.file.Files.notExists(newest), "no new empty log replaces the missing one");
  }

  @Test
  void aSecondWriterWaitsForTheLockAndOpensOnceTheFirstStops() {
    KvSettings settings = KvSettings.defaults(dir).withLockWait(Duration.ofSeconds(60));
    TestProbe<FileWriter.Reply> first = testKit.createTestProbe();
    ActorRef<FileWriter.Command> firstWriter = spawnWriter(settings, first, testKit.createTestProbe(), FaultHooks.NONE);
    first.expectMessageClass(FileWriter.Recovered.class);
    persist(firstWriter, first, put("a", "1"));

    TestProbe<FileWriter.Reply> second = testKit.createTestProbe();
    spawnWriter(settings, second, testKit.createTestProbe(), FaultHooks.NONE);
    testKit.stop(firstWriter);
    FileWriter.Recovered recovered = second.expectMessageClass(FileWriter.Recovered.class, Duration.ofSeconds(60));
    assertArrayEquals("1".getBytes(StandardCharsets.UTF_8), recovered.entries().get("a"));
  }

  @Test
  void refusesToStartOnACorruptRecordNamingFileAndOffset() throws IOException {
    KvSettings settings = KvSettings.defaults(dir);
    TestProbe<HeartbeatSender.Beat> router = testKit.createTestProbe();
    persistAndStop(settings, put("k0", "value 0"), put("k1", "value 1"), put("k2", "value 2"),
        put("k3", "value 3"), put("k4", "value 4"));
    try (RandomAccessFile f = new RandomAccessFile(Filenames.log(dir, 1).toFile(), "rw")) {
      f.seek(20);
      int b = f.read();
      f.seek(20);
      f.write(b ^ 1);
    }

    TestProbe<FileWriter.Reply> parent2 = testKit.createTestProbe();
    spawnWriter(settings, parent2, router, FaultHooks.NONE);
    FileWriter.RecoveryFailed failed = parent2.expectMessageClass(FileWriter.RecoveryFailed.class);
    assertInstanceOf(KvException.RecoveryFailed.class, failed.error());
    String message = failed.error().getMessage();
    assertTrue(message.contains(Filenames.log(dir, 1).toString()) && message.contains("offset 8"), message);
  }

  @Test
  void aFailedWriteIsReportedAndNothingIsAcknowledgedAfterIt() {
    FaultHooks diskFull = new FaultHooks() {
      @Override
      public void beforeFlush() throws IOException {
        throw new IOException("No space left on device");
      }
    };
    TestProbe<FileWriter.Reply> parent = testKit.createTestProbe();
    TestProbe<HeartbeatSender.Beat> router = testKit.createTestProbe();
    ActorRef<FileWriter.Command> writer = spawnWriter(KvSettings.defaults(dir), parent, router, diskFull);
    parent.expectMessageClass(FileWriter.Recovered.class);
    writer.tell(new FileWriter.Append(0, put("a", "1")));
    FileWriter.PersistFailed failed = parent.expectMessageClass(FileWriter.PersistFailed.class);
    assertTrue(failed.error().getMessage().contains("No space left on device"), failed.error().getMessage());
    writer.tell(new FileWriter.Append(1, put("b", "2")));
    parent.expectMessageClass(FileWriter.PersistFailed.class);
  }

  @Test
  void sendsHeartbeatsWhileIdle() {
    TestProbe<FileWriter.Reply> parent = testKit.createTestProbe();
    TestProbe<HeartbeatSender.Beat> router = testKit.createTestProbe();
    ActorRef<FileWriter.Command> writer = spawnWriter(KvSettings.defaults(dir), parent, router, FaultHooks.NONE);
    for (int i = 0; i < 3; i++) {
      HeartbeatSender.Beat beat = router.expectMessageClass(HeartbeatSender.Beat.class, Duration.ofSeconds(2));
      assertEquals(ActorKind.WRITER, beat.kind());
      assertEquals(writer, beat.from());
    }
  }

  public static void await(CountDownLatch latch) {
    try {
      if (!latch.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("latch not released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
