package dev.kvactors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.kvactors.internal.storage.CrashPoints;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KvStoreTest {
  static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;

  private static <T> T await(java.util.concurrent.CompletionStage<T> stage) {
    return KvStore.await(stage, WAIT);
  }

  @Test
  void setGetDeleteAndKeysThroughTheFacade() {
    try (KvStore store = KvStore.open(KvSettings.defaults(dir))) {
      await(store.set("greeting", "hello"));
      await(store.set("gremlin", new byte[] {0, (byte) 0xff}));
      assertEquals(Optional.of("hello"), await(store.getString("greeting")));
      assertEquals(List.of("greeting", "gremlin"), await(store.keys("gre")));
      assertTrue(await(store.delete("greeting")));
      assertFalse(await(store.delete("greeting")));
      assertEquals(Optional.empty(), await(store.get("greeting")));
    }
  }

  @Test
  void oneSetAndCloseForceTheLogOnceInFsyncAndFlushMode() {
    for (Durability durability : new Durability[] {Durability.FSYNC, Durability.FLUSH}) {
      Path data = dir.resolve(durability.name());
      long before = CrashPoints.timesReached(CrashPoints.Point.LOG_SYNCED_BEFORE_ACK);
      try (KvStore store = KvStore.open(KvSettings.defaults(data).withDurability(durability))) {
        store.blocking().set("k", "v");
      }
      assertEquals(1, CrashPoints.timesReached(CrashPoints.Point.LOG_SYNCED_BEFORE_ACK) - before,
          durability + ": forces of the log for one set and a close");
    }
  }

  @Test
  void closeReleasesTheDirectoryAndAReopenSeesEveryAcknowledgedWrite() {
    try (KvStore store = KvStore.open(KvSettings.defaults(dir))) {
      for (int i = 0; i < 500; i++) {
        await(store.set("k" + i, "v" + i));
      }
    }
    try (KvStore store = KvStore.open(KvSettings.defaults(dir))) {
      assertEquals(500, await(store.keys("")).size());
      assertEquals(Optional.of("v499"), await(store.getString("k499")));
    }
  }

  @Test
  void asyncModeWritesEverythingOnClose() {
    KvSettings settings = KvSettings.defaults(dir).withDurability(Durability.ASYNC);
    try (KvStore store = KvStore.open(settings)) {
      for (int i = 0; i < 5000; i++) {
        store.set("k" + i, "v" + i); // acknowledged at once; most are still in the writer's mailbox
      }
      await(store.set("last", "yes"));
    }
    try (KvStore store = KvStore.open(settings)) {
      assertEquals(5001, await(store.keys("")).size());
    }
  }

  @Test
  void openingALockedDirectoryFailsWithAClearError() {
    try (KvStore first = KvStore.open(KvSettings.defaults(dir))) {
      KvException e = assertThrows(KvException.RecoveryFailed.class, () -> KvStore.open(KvSettings.defaults(dir)));
      assertTrue(e.getMessage().startsWith("data directory " + dir + " is locked"), e.getMessage());
      await(first.set("still", "works"));
    }
  }

  @Test
  void invalidRequestsFailWithTheReason() {
    try (KvStore store = KvStore.open(KvSettings.defaults(dir))) {
      KvException e = assertThrows(KvException.InvalidRequest.class, () -> await(store.set("", "x")));
      assertEquals("key must not be empty", e.getMessage());
    }
  }

  @Test
  void compactsWhenTheLogOutgrowsTheSnapshotAndRecoversTheSameMap() throws Exception {
    Config config = ConfigFactory.parseString("kv.compaction-min-log-bytes = 16 KiB")
        .withFallback(KvSettings.defaults(dir).toConfig())
        .withFallback(ConfigFactory.load());
    try (KvStore store = KvStore.open(config)) {
      for (int round = 0; round < 5; round++) {
        for (int i = 0; i < 300; i++) {
          await(store.set("k" + i, "round " + round + " value " + i));
        }
      }
    }
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir)) {
      List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
      assertTrue(names.contains("snapshot.kvs"), names.toString());
      assertFalse(names.contains("log-0000000001.kvl"), "compacted logs are removed: " + names);
    }
    try (KvStore store = KvStore.open(config)) {
      assertEquals(300, await(store.keys("")).size());
      assertEquals(Optional.of("round 4 value 123"), await(store.getString("k123")));
    }
  }

  @Test
  void attachesToAnApplicationsOwnActorSystemThroughTheExtension() {
    Config config = KvSettings.defaults(dir).toConfig().withFallback(ConfigFactory.load());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "app", config);
    try {
      KvStore store = KvStore.attach(system);
      await(store.set("a", "1"));
      assertEquals(KvExtension.get(system).router(), store.router());
      assertEquals(Optional.of("1"), await(store.getString("a")));
      store.close();
      assertFalse(system.whenTerminated().isCompleted(), "attach does not own the system");
    } finally {
      system.terminate();
      KvStore.await(system.getWhenTerminated(), WAIT);
    }
  }
}
