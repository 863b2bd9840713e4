package dev.kvactors.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.kvactors.KvSettings;
import dev.kvactors.Router;
import dev.kvactors.internal.FaultHooks;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.pattern.StatusReply;

/**
 * A cluster node for tests, as {@link KvCluster} starts one but with a clock the test moves (the
 * buckets' {@link FaultHooks}) and extra configuration laid over the tests' own.
 */
final class TestNode implements AutoCloseable {
  static final Duration ASK = Duration.ofSeconds(30);

  /** Real time plus an offset the test moves forward. */
  static final class Clock implements FaultHooks {
    private volatile long offsetMillis;

    void advance(Duration by) {
      offsetMillis += by.toMillis();
    }

    void reset() {
      offsetMillis = 0;
    }

    @Override
    public long currentTimeMillis() {
      return System.currentTimeMillis() + offsetMillis;
    }
  }

  final ActorSystem<Void> system;
  final ActorRef<Router.Command> router;
  final ClusterSettings settings;

  private TestNode(ActorSystem<Void> system, ActorRef<Router.Command> router, ClusterSettings settings) {
    this.system = system;
    this.router = router;
    this.settings = settings;
  }

  /** Starts a node on {@code port} joining {@code seed} (null: itself), with {@code extra} configuration. */
  static TestNode start(int port, String seed, FaultHooks clock, String extra) {
    Config config = ConfigFactory.parseString(extra + "\nkv.cluster.port = " + port + "\n"
            + "kv.cluster.seed-nodes = [\"" + (seed != null ? seed : "127.0.0.1:" + port) + "\"]\n")
        .withFallback(ConfigFactory.load());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), KvCluster.SYSTEM_NAME,
        KvCluster.systemConfig(config));
    ClusterSettings settings = ClusterSettings.create(system.settings().config());
    KvSettings kvSettings = KvSettings.create(system.settings().config());
    ClusterSharding sharding = ClusterSharding.get(system);
    sharding.init(Entity.of(KeyBucket.TYPE_KEY,
            ctx -> BucketKeeper.create(ctx.getEntityId(), settings, kvSettings, clock))
        .withStopMessage(KeyBucket.Passivate.INSTANCE));
    ActorRef<Router.Command> router = system.systemActorOf(ClusterRouter.create(sharding, settings), "test-router",
        Props.empty());
    return new TestNode(system, router, settings);
  }

  static void awaitUp(List<TestNode> nodes) throws InterruptedException {
    ThreeNodesInOneJvmTest.awaitUp(nodes.stream().map(n -> n.system).toList(), nodes.size());
  }

  /** Sends a request to this node's router; completes with its answer or fails with its error. */
  <T> CompletableFuture<T> send(
      org.apache.pekko.japi.function.Function<ActorRef<StatusReply<T>>, Router.Command> request) {
    return AskPattern.askWithStatus(router, request, ASK, system.scheduler()).toCompletableFuture();
  }

  /** The answer to {@code request}; its error is thrown as it is (a {@code KvException}). */
  <T> T ask(org.apache.pekko.japi.function.Function<ActorRef<StatusReply<T>>, Router.Command> request)
      throws Exception {
    return await(send(request));
  }

  static <T> T await(CompletableFuture<T> future) throws Exception {
    try {
      return future.get(ASK.toSeconds() * 2, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  /**
   * Sends {@code ops} with request id {@code requestId} straight to their bucket, as the router
   * sends a request (and sends it again when it is not answered).
   */
  KeyBucket.Evaluated evaluate(String requestId, dev.kvactors.Op<?>... ops) throws Exception {
    String bucket = bucketOf(ops[0].keys().get(0));
    return await(ClusterSharding.get(system).entityRefFor(KeyBucket.TYPE_KEY, bucket)
        .<KeyBucket.Reply>ask(to -> new KeyBucket.Evaluate(List.of(ops), null, requestId, to), ASK)
        .thenApply(reply -> (KeyBucket.Evaluated) reply).toCompletableFuture());
  }

  /** The bucket of {@code key} on this node's settings. */
  String bucketOf(String key) {
    return KeyBucket.entityId(key, settings.buckets());
  }

  /** How many events the journal has ever taken for {@code key}'s bucket (its highest sequence number). */
  long eventsOfBucketOf(String key) throws SQLException {
    try (Connection c = DriverManager.getConnection(settings.postgresUrl(), settings.postgresUser(),
        settings.postgresPassword());
        PreparedStatement st = c.prepareStatement(
            "SELECT coalesce(max(sequence_number), 0) FROM event_journal WHERE persistence_id = ?")) {
      st.setString(1, KeyBucket.TYPE_KEY.name() + "|" + bucketOf(key));
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  @Override
  public void close() {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().join();
  }
}
