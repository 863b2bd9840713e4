package dev.kvactors.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.kvactors.KvStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import redis.clients.jedis.Jedis;

/**
 * A server in this JVM on a store in {@code dir}, recovered before the server starts (as
 * {@code kv serve} does: recovery removes leftover temp files, the server's advertisement among them).
 */
final class TestServer implements AutoCloseable {
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  final ActorSystem<Void> system;
  final RespServer server;

  TestServer(Path dir, String durability, String name) throws Exception {
    Config config = ConfigFactory.parseMap(Map.of("kv.data-dir", dir.toString(), "kv.durability", durability))
        .withFallback(ConfigFactory.load());
    system = ActorSystem.create(Behaviors.empty(), name, config);
    KvStore.attach(system);
    ServerSettings settings = ServerSettings.create(config).withAddress("127.0.0.1", 0);
    server = RespServer.start(system, settings).toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  Jedis jedis() {
    return new Jedis("127.0.0.1", server.address().getPort(), (int) TIMEOUT.toMillis());
  }

  @Override
  public void close() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
