package com.example;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.kvactors.KeyValueStore;
import dev.kvactors.KvExtension;
import dev.kvactors.Router;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** An actor that stores a greeting, reads it back and prints it; a failed step is printed, exit 1. */
public final class Greeter {
  sealed interface Command {}
  record Saved() implements Command {}
  record Read(KeyValueStore.Value value) implements Command {}
  record Failed(String step, Throwable error) implements Command {}

  static Behavior<Command> create(CompletableFuture<Integer> exitCode) {
    return Behaviors.setup(context -> {
      ActorRef<Router.Command> kv = KvExtension.get(context.getSystem()).router();
      Duration timeout = Duration.ofSeconds(5);
      context.askWithStatus(KeyValueStore.Stored.class, kv, timeout,
          replyTo -> KeyValueStore.Set.of("greeting", "hello", replyTo),
          (stored, error) -> error == null ? new Saved() : new Failed("set", error));
      return Behaviors.receive(Command.class)
          .onMessage(Saved.class, saved -> {
            context.askWithStatus(KeyValueStore.Value.class, kv, timeout,
                replyTo -> new KeyValueStore.Get("greeting", replyTo),
                (value, error) -> error == null ? new Read(value) : new Failed("get", error));
            return Behaviors.same();
          })
          .onMessage(Read.class, read -> {
            System.out.println(read.value().asString().orElse("(no greeting)"));
            exitCode.complete(0);
            return Behaviors.stopped();
          })
          .onMessage(Failed.class, failed -> {
            // a KvException (its message is one line for a user), or a TimeoutException
            System.err.println("greeter: " + failed.step() + " failed: " + failed.error().getMessage());
            exitCode.complete(1);
            return Behaviors.stopped();
          })
          .build();
    });
  }

  public static int run(Config config) {
    CompletableFuture<Integer> exitCode = new CompletableFuture<>();
    ActorSystem<Command> system = ActorSystem.create(create(exitCode), "greeter", config);
    system.getWhenTerminated().toCompletableFuture().join(); // the system ends when the greeter stops
    return exitCode.getNow(1);
  }

  public static void main(String[] args) {
    System.exit(run(ConfigFactory.load()));
  }
}
