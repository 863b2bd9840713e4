package dev.kvactors.cli;

import com.typesafe.config.Config;
import dev.kvactors.KvException;
import dev.kvactors.KvSettings;
import dev.kvactors.KvStore;
import dev.kvactors.cluster.ClusterInfo;
import dev.kvactors.cluster.ClusterSettings;
import dev.kvactors.cluster.KvCluster;
import dev.kvactors.server.InfoSection;
import dev.kvactors.server.RespServer;
import dev.kvactors.server.ServerAdvertisement;
import dev.kvactors.server.ServerSettings;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
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
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

/**
 * Serves the data directory over the Redis protocol until SIGTERM or Ctrl-C, then shuts down with
 * Pekko's CoordinatedShutdown (stop listening, answer what is in flight, sync, release the lock)
 * and exits 0. A fatal error (out of memory, Pekko exiting the JVM) exits non-zero with a line
 * {@code kv: fatal: ...} on stderr; a failed start exits 3 with {@code kv: <reason>}.
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

  @Option(names = "--cluster", description = "Cluster mode: serve every key of the cluster (Pekko Cluster Sharding, "
      + "state in PostgreSQL through Pekko Persistence) instead of the data directory's store.")
  boolean cluster;

  @Option(names = "--node-port", paramLabel = "PORT", description = "With --cluster: this node's cluster port "
      + "(default: kv.cluster.port, 2552).")
  Integer nodePort;

  @Option(names = "--node-host", paramLabel = "HOST", description = "With --cluster: this node's cluster address "
      + "(default: kv.cluster.host, 127.0.0.1).")
  String nodeHost;

  @Option(names = "--seed", paramLabel = "HOST:PORT", split = ",", description = "With --cluster: the seed nodes' "
      + "cluster addresses (default: kv.cluster.seed-nodes; none: this node alone).")
  List<String> seeds;

  private final AtomicBoolean stopRequested = new AtomicBoolean();
  private final AtomicBoolean reported = new AtomicBoolean();
  private String dataDir;

  @Override
  public Integer call() throws InterruptedException {
    kv.rejectServerOption(spec);
    Config config = kv.loadConfig();
    ServerSettings configured = ServerSettings.create(config);
    ServerSettings settings = configured.withAddress(bind != null ? bind : configured.bind(),
        port != null ? port : configured.port());
    if (!cluster && (nodePort != null || nodeHost != null || seeds != null)) {
      throw new ParameterException(spec.commandLine(), "--node-port, --node-host and --seed need --cluster");
    }
    if (cluster) {
      config = ClusterNode.configure(config, nodePort, nodeHost, seeds);
      try {
        for (String seed : config.getStringList("kv.cluster.seed-nodes")) {
          ClusterSettings.parseHostPort(seed);
        }
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
    }
    ActorSystem<Void> system = cluster ? ClusterNode.start(config) : ActorSystem.create(Behaviors.empty(), "kv", config);
    RespServer server;
    try {
      if (cluster) {
        InfoSection clusterInfo = new InfoSection() {
          @Override
          public String name() {
            return "cluster";
          }

          @Override
          public CompletionStage<String> lines() {
            return ClusterInfo.lines(system);
          }
        };
        server = await(RespServer.start(system, settings, KvCluster.get(system).router(), KvSettings.create(config),
            List.of(clusterInfo)), settings);
      } else {
        KvStore.attach(system); // recovers the data directory, or throws why it cannot
        server = await(RespServer.start(system, settings), settings);
      }
    } catch (RuntimeException e) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
      throw e;
    }
    dataDir = config.getString("kv.data-dir");
    stopOnSignals(system);
    InetSocketAddress address = server.address();
    PrintWriter out = spec.commandLine().getOut();
    out.println("kv serve: listening on " + address.getAddress().getHostAddress() + ":" + address.getPort()
        + (cluster ? ", cluster node " + config.getString("kv.cluster.host") + ":" + config.getInt("kv.cluster.port")
            + " (seeds " + String.join(",", config.getStringList("kv.cluster.seed-nodes")) + ")" : "")
        + ", data directory " + config.getString("kv.data-dir") + " (" + ServerAdvertisement.FILE_NAME
        + " written; stop with SIGTERM or Ctrl-C)");
    out.flush();
    system.getWhenTerminated().toCompletableFuture().join();
    if (stopRequested.get()) {
      return Kv.EXIT_OK;
    }
    Optional<CoordinatedShutdown.Reason> reason = CoordinatedShutdown.get(system).getShutdownReason();
    if (reason.isPresent() && reason.get().equals(CoordinatedShutdown.jvmExitReason())) {
      return Kv.EXIT_STORE_ERROR; // the JVM is exiting already (System.exit); the shutdown hook says why
    }
    // The actor system ended by itself, not by a signal: a fatal error it did not exit the JVM for.
    reported.set(true);
    String why = reason.map(Object::toString).orElse("unknown reason");
    spec.commandLine().getErr().println("kv: fatal: the server's actor system stopped without being asked to ("
        + why + "); see " + Path.of(dataDir, "kv.log"));
    spec.commandLine().getErr().flush();
    return Kv.EXIT_STORE_ERROR;
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
   * The end of a server is told apart by how it comes. SIGTERM or Ctrl-C (handled here instead of by
   * the JVM, which would exit with 128 + the signal) exits 0 through {@code System.exit}, whose
   * shutdown hooks run Pekko's CoordinatedShutdown: stop listening, answer what is in flight, sync,
   * release the lock. Anything else that ends the JVM while serving is a failure: Pekko's reaction
   * to a fatal error ({@code pekko.jvm-exit-on-fatal-error}: it prints the error and calls
   * {@code System.exit(-1)}, status 255), an {@code OutOfMemoryError} among them. Then the hook
   * added here prints one line, {@code kv: fatal: ...}, as the last line on stderr.
   */
  private void stopOnSignals(ActorSystem<Void> system) {
    for (String name : List.of("TERM", "INT")) {
      try {
        Signal.handle(new Signal(name), signal -> {
          stopRequested.set(true);
          System.exit(Kv.EXIT_OK);
        });
      } catch (IllegalArgumentException e) {
        // the signal is ignored (nohup, a background job) or reserved (-Xrs): the JVM's default stays
      }
    }
    PrintWriter err = spec.commandLine().getErr();
    Thread hook = new Thread(() -> {
      if (!stopRequested.get() && !reported.get()) {
        try {
          // after Pekko's shutdown (its hook runs meanwhile) has logged what it logs: this line comes last
          system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
          // say it now
        }
        err.println("kv: fatal: the JVM is exiting on a fatal error (reported above, e.g. an OutOfMemoryError), "
            + "not on a signal; see " + Path.of(dataDir, "kv.log"));
        err.flush();
      }
    }, "kv-serve-fatal");
    Runtime.getRuntime().addShutdownHook(hook);
  }
}
