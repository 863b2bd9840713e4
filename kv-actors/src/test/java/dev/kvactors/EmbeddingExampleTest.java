package dev.kvactors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's embedding examples, run as written (with a temporary data directory). */
class EmbeddingExampleTest {
  @TempDir Path dir;

  @Test
  void readmeExtensionExampleStoresAndReadsAGreeting() {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "my-app",
        KvSettings.defaults(dir).toConfig().withFallback(ConfigFactory.load()));
    ActorRef<Router.Command> kv = KvExtension.get(system).router();
    Duration timeout = Duration.ofSeconds(5);

    CompletionStage<String> greeting = AskPattern.<Router.Command, KeyValueStore.Stored>askWithStatus(kv,
            replyTo -> new Router.KeyValue(new KeyValueStore.Set(
                "greeting", "hello".getBytes(StandardCharsets.UTF_8), replyTo)),
            timeout, system.scheduler())
        .thenCompose(stored -> AskPattern.<Router.Command, KeyValueStore.Value>askWithStatus(kv,
            replyTo -> new Router.KeyValue(new KeyValueStore.Get("greeting", replyTo)),
            timeout, system.scheduler()))
        .thenApply(value -> new String(value.value().orElseThrow(), StandardCharsets.UTF_8));
    try {
      assertEquals("hello", KvStore.await(greeting, timeout));
    } finally {
      system.terminate();
      KvStore.await(system.getWhenTerminated(), timeout);
    }
  }

  @Test
  void readmeFacadeExampleRoundTrips() {
    try (KvStore store = KvStore.open(KvSettings.defaults(dir).toConfig().withFallback(ConfigFactory.load()))) {
      store.set("greeting", "hello").toCompletableFuture().join();
      Optional<String> v = store.getString("greeting").toCompletableFuture().join();
      boolean existed = store.delete("greeting").toCompletableFuture().join();
      List<String> keys = store.keys("user:").toCompletableFuture().join();
      assertEquals(Optional.of("hello"), v);
      assertEquals(true, existed);
      assertEquals(List.of(), keys);
    }
  }
}
