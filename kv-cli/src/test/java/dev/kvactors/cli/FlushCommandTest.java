package dev.kvactors.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.kvactors.server.RespServer;
import dev.kvactors.server.ServerSettings;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlushCommandTest {
  @TempDir
  Path dir;

  private KvTest.Run kv(String... args) {
    return KvTest.run(dir, args);
  }

  @Test
  void flushWithoutYesChangesNothingAndIsAUsageErrorOfOneLine() {
    assertEquals(0, kv("set", "a", "1").exitCode());

    KvTest.Run flush = kv("flush");

    assertEquals(2, flush.exitCode());
    assertEquals("", flush.out());
    assertEquals(1, flush.err().lines().count(), flush.err());
    assertTrue(flush.err().contains(dir.toString()) && flush.err().contains("kv flush --yes"), flush.err());
    assertEquals("a\n", kv("keys").out());
  }

  @Test
  void flushWithYesRemovesEveryKeyAndTheStoreStaysEmptyAfterARestart() {
    for (String k : new String[] {"a", "b", "c"}) {
      assertEquals(0, kv("set", k, "v").exitCode());
    }

    KvTest.Run flush = kv("flush", "--yes");

    assertEquals(0, flush.exitCode(), flush.err());
    assertEquals("OK\n", flush.out());
    // each run of kv opens the directory anew: a restart
    assertEquals("", kv("keys").out());
    assertEquals(1, kv("get", "a").exitCode());
    assertEquals(0, kv("set", "d", "after").exitCode());
    assertEquals("d\n", kv("keys").out());
  }

  @Test
  void flushGoesThroughARunningServer() throws Exception {
    Config config = ConfigFactory.parseMap(Map.of("kv.data-dir", dir.toString())).withFallback(ConfigFactory.load());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "flush-command-test", config);
    try {
      RespServer server = RespServer.start(system, ServerSettings.create(config).withAddress("127.0.0.1", 0))
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      String address = "127.0.0.1:" + server.address().getPort();
      assertEquals(0, kv("set", "--server", address, "a", "1").exitCode());

      KvTest.Run refused = kv("flush", "--server", address);
      assertEquals(2, refused.exitCode());
      assertTrue(refused.err().contains("the kv server at " + address), refused.err());
      assertEquals("a\n", kv("keys", "--server", address).out());

      KvTest.Run flush = kv("flush", "--server", address, "--yes");
      assertEquals(0, flush.exitCode(), flush.err());
      assertEquals("OK\n", flush.out());
      assertEquals("", kv("keys", "--server", address).out());
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void flushHasHelp() {
    KvTest.Run help = kv("flush", "--help");

    assertEquals(0, help.exitCode(), help.err());
    assertTrue(help.out().startsWith("Usage: kv flush"), help.out());
    assertTrue(help.out().contains("--yes") && help.out().contains("--server"), help.out());
  }
}
