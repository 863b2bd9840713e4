package dev.kvactors.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real redis-server and a kv server in this JVM, each on its own temporary directory, both
 * emptied before every test; {@link #both} talks to the two side by side.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SideBySideBase {
  RedisProcess redis;
  TestServer kv;
  SideBySide both;

  /** Extra redis-server options, e.g. {@code --requirepass}. */
  String[] redisOptions() {
    return new String[0];
  }

  @BeforeAll
  void startBoth(@TempDir Path dir) throws Exception {
    redis = new RedisProcess(Files.createDirectories(dir.resolve("redis")), redisOptions());
    kv = new TestServer(Files.createDirectories(dir.resolve("kv")), "flush", getClass().getSimpleName());
  }

  @BeforeEach
  void connectAndFlush() throws IOException {
    both = new SideBySide(redis.port, kv.server.address().getPort());
    both.same("FLUSHALL");
  }

  @AfterEach
  void disconnect() throws IOException {
    both.close();
  }

  @AfterAll
  void stopBoth() throws Exception {
    try {
      redis.close();
    } finally {
      kv.close();
    }
  }

  int kvPort() {
    return kv.server.address().getPort();
  }
}
