package dev.kvactors.cli;

import com.typesafe.config.Config;
import dev.kvactors.KvException;
import dev.kvactors.KvStore;
import dev.kvactors.server.RespServer;
import dev.kvactors.server.ServerAdvertisement;
import dev.kvactors.server.ServerSettings;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * Serves the data directory over the Redis protocol until SIGTERM or Ctrl-C, then shuts down with
 * Pekko's CoordinatedShutdown (stop listening, answer what is in flight, sync, release the lock)
 * and exits 0.
 */
@Command(name = "serve", description = "Serve the data directory over the Redis protocol (RESP2) until SIGTERM or Ctrl-C.")
final class ServeCommand implements Callable<Integer> {
  @ParentCommand
  Kv kv;

  @Spec
  CommandSpec spec;

  @Mixin
  HelpOption help;

  @Option(names = "--bind", paramLabel = "ADDRESS", description = "Address to listen on (default: kv.server.bind, 127.0.0.1).")
  String bind;

  @Option(names = "--port", paramLabel = "PORT", description = "Port to listen on, 0 for any free one (default: kv.server.port, 6380).")
  Integer port;

  @Override
  public Integer call() throws InterruptedException {
    kv.rejectServerOption(spec);
    Config config = kv.loadConfig();
    ServerSettings configured = ServerSettings.create(config);
    ServerSettings settings = configured.withAddress(bind != null ? bind : configured.bind(),
        port != null ? port : configured.port());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "kv", config);
    RespServer server;
    try {
      KvStore.attach(system); // recovers the data directory, or throws why it cannot
      server = await(RespServer.start(system, settings), settings);
    } catch (RuntimeException e) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
      throw e;
    }
    exitZeroOnSignal(system);
    InetSocketAddress address = server.address();
    PrintWriter out = spec.commandLine().getOut();
    out.println("kv serve: listening on " + address.getAddress().getHostAddress() + ":" + address.getPort()
        + ", data directory " + config.getString("kv.data-dir") + " (" + ServerAdvertisement.FILE_NAME
        + " written; stop with SIGTERM or Ctrl-C)");
    out.flush();
    system.getWhenTerminated().toCompletableFuture().join();
    return Kv.EXIT_OK;
  }

  private static RespServer await(java.util.concurrent.CompletionStage<RespServer> started, ServerSettings settings) {
    try {
      return started.toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KvException.Unavailable("interrupted while starting the server");
    } catch (ExecutionException | CompletionException | TimeoutException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      String why = cause.getMessage() != null ? cause.getMessage() : cause.toString();
      throw new KvException("cannot listen on " + settings.bind() + ":" + settings.port() + ": " + why, false, cause);
    }
  }

  /**
   * On SIGTERM or Ctrl-C the JVM runs its shutdown hooks, Pekko's among them, which runs
   * CoordinatedShutdown; the JVM would then exit with 128 + the signal. A stop requested that way
   * is the normal end of a server, so once the actor system has terminated this hook halts with 0.
   */
  private static void exitZeroOnSignal(ActorSystem<Void> system) {
    Thread hook = new Thread(() -> {
      try {
        system.getWhenTerminated().toCompletableFuture().get(120, TimeUnit.SECONDS);
      } catch (InterruptedException | ExecutionException | TimeoutException e) {
        return; // the JVM exits with its own code
      }
      Optional<CoordinatedShutdown.Reason> reason = CoordinatedShutdown.get(system).getShutdownReason();
      if (reason.isPresent() && reason.get().equals(CoordinatedShutdown.jvmExitReason())) {
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(Kv.EXIT_OK);
      }
    }, "kv-serve-exit");
    Runtime.getRuntime().addShutdownHook(hook);
  }
}
