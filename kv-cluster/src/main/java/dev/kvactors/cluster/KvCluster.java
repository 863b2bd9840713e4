package dev.kvactors.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.kvactors.KvSettings;
import dev.kvactors.Router;
import dev.kvactors.internal.FaultHooks;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;

/**
 * Cluster mode of a node: the counterpart of {@code KvExtension} for a system started with
 * {@link #systemConfig}. The first {@link #get} initializes Cluster Sharding for the
 * {@link KeyBucket}s and spawns the node's {@link ClusterRouter}, which takes the same requests as
 * the single-machine router: {@code KvCluster.get(system).router().tell(new KeyValueStore.Get(...))}.
 * No local store and no data directory are opened.
 */
public final class KvCluster implements Extension {
  /** The actor system's name on every node: the nodes of one cluster must share it. */
  public static final String SYSTEM_NAME = "kv";

  private final ClusterSettings settings;
  private final ActorRef<Router.Command> router;

  private KvCluster(ActorSystem<?> system) {
    this.settings = ClusterSettings.create(system.settings().config());
    // Start the journal and its connection pool now rather than on the first request.
    org.apache.pekko.persistence.Persistence.get(system.classicSystem())
        .journalFor("", com.typesafe.config.ConfigFactory.empty());
    ClusterSharding sharding = ClusterSharding.get(system);
    KvSettings kvSettings = KvSettings.create(system.settings().config());
    sharding.init(Entity.of(KeyBucket.TYPE_KEY,
            ctx -> BucketKeeper.create(ctx.getEntityId(), settings, kvSettings, FaultHooks.NONE))
        .withStopMessage(KeyBucket.Passivate.INSTANCE));
    this.router = system.systemActorOf(ClusterRouter.create(sharding, settings), "kv-cluster-router",
        org.apache.pekko.actor.typed.Props.empty());
  }

  /**
   * The extension of {@code system}; the first call starts sharding and the router.
   *
   * @param system an actor system configured with {@link #systemConfig}
   * @return the extension, the same on every call for one system
   */
  public static KvCluster get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  /**
   * The node's router, to which {@code KeyValueStore.Request}s are sent as they are.
   *
   * @return the router
   */
  public ActorRef<Router.Command> router() {
    return router;
  }

  /**
   * The settings the node runs with.
   *
   * @return the settings
   */
  public ClusterSettings settings() {
    return settings;
  }

  /**
   * The configuration of a cluster node's actor system: {@code config} with its
   * {@code kv.cluster.system} section (Pekko Cluster, Artery TCP, the Split Brain Resolver,
   * sharding, the JDBC journal) laid over it, and the node's address, seed nodes and database
   * connection from {@code kv.cluster}. A system of the single-machine mode never sees any of it.
   *
   * @param config the application's configuration ({@code kv.cluster} set as wanted)
   * @return the configuration to create the node's actor system ({@link #SYSTEM_NAME}) with
   */
  public static Config systemConfig(Config config) {
    ClusterSettings settings = ClusterSettings.create(config);
    List<String> seeds = settings.seedNodes().stream().map(seed -> {
      ClusterSettings.HostPort hp = ClusterSettings.parseHostPort(seed);
      return "pekko://" + SYSTEM_NAME + "@" + hp.host() + ":" + hp.port();
    }).toList();
    Map<String, Object> node = new HashMap<>();
    node.put("pekko.remote.artery.canonical.hostname", settings.host());
    node.put("pekko.remote.artery.canonical.port", settings.port());
    node.put("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seeds));
    node.put("pekko.cluster.sharding.number-of-shards", settings.shards());
    String db = "pekko-persistence-jdbc.shared-databases.slick.db.";
    node.put(db + "url", settings.postgresUrl());
    node.put(db + "user", settings.postgresUser());
    node.put(db + "password", settings.postgresPassword());
    node.put(db + "maxConnections", settings.maxConnections());
    node.put(db + "minConnections", settings.maxConnections());
    node.put(db + "numThreads", settings.maxConnections());
    return ConfigFactory.parseMap(node)
        .withFallback(config.getConfig("kv.cluster.system"))
        .withFallback(config)
        .resolve();
  }

  /** Pekko's handle for the extension. */
  public static final class Id extends ExtensionId<KvCluster> {
    static final Id INSTANCE = new Id();

    private Id() {}

    /**
     * Creates the extension for {@code system}; called by Pekko once per system.
     *
     * @param system the actor system
     * @return the extension
     */
    @Override
    public KvCluster createExtension(ActorSystem<?> system) {
      return new KvCluster(system);
    }
  }
}
