package dev.kvactors.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.kvactors.KvException;
import dev.kvactors.cluster.ClusterSettings;
import dev.kvactors.cluster.JournalSchema;
import dev.kvactors.cluster.KvCluster;
import java.io.IOException;
import java.sql.SQLException;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * {@code kv serve --cluster}: the node's configuration from {@code kv.cluster} and the command
 * line, the journal's tables checked (created when missing), and the node's actor system with
 * {@link KvCluster} started. No local store: the data directory holds only {@code kv.log} and
 * {@code kv.server}.
 */
final class ClusterNode {
  private ClusterNode() {}

  /**
   * {@code config} with the command line's node port, host and seeds over {@code kv.cluster}.
   * With no seeds given and none configured, the node seeds itself (a cluster of one to start with).
   */
  static Config configure(Config config, Integer nodePort, String nodeHost, List<String> seeds) {
    Config overrides = ConfigFactory.empty();
    if (nodePort != null) {
      overrides = overrides.withValue("kv.cluster.port", ConfigValueFactory.fromAnyRef(nodePort));
    }
    if (nodeHost != null) {
      overrides = overrides.withValue("kv.cluster.host", ConfigValueFactory.fromAnyRef(nodeHost));
    }
    if (seeds != null && !seeds.isEmpty()) {
      overrides = overrides.withValue("kv.cluster.seed-nodes", ConfigValueFactory.fromIterable(seeds));
    }
    Config merged = overrides.withFallback(config);
    // The server's deadline for an answer from the router: after the router's own (the cluster's
    // request-timeout), so that a request whose bucket did not answer gets the router's clear error.
    java.time.Duration routerDeadline = merged.getDuration("kv.cluster.request-timeout");
    merged = merged.withValue("kv.request-timeout",
        ConfigValueFactory.fromAnyRef(routerDeadline.plusSeconds(1).toMillis() + "ms"));
    if (merged.getStringList("kv.cluster.seed-nodes").isEmpty()) {
      String self = merged.getString("kv.cluster.host") + ":" + merged.getInt("kv.cluster.port");
      merged = merged.withValue("kv.cluster.seed-nodes", ConfigValueFactory.fromIterable(List.of(self)));
    }
    return merged;
  }

  /** Creates the journal's tables if configured to, then starts the node; blocking. */
  static ActorSystem<Void> start(Config config) {
    ClusterSettings settings;
    try {
      settings = ClusterSettings.create(config);
    } catch (IllegalArgumentException e) {
      throw new KvException.InvalidRequest(e.getMessage());
    }
    if (settings.createSchema()) {
      try {
        JournalSchema.createIfMissing(settings);
      } catch (SQLException e) {
        throw new KvException.Unavailable("cannot reach the journal's PostgreSQL at " + settings.postgresUrl()
            + " as user " + settings.postgresUser() + ": " + e.getMessage()
            + " (kv-cluster/postgres-setup.sh starts one on 127.0.0.1)");
      } catch (IOException e) {
        throw new KvException("cannot create the journal's tables: " + e.getMessage(), false, e);
      }
    }
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), KvCluster.SYSTEM_NAME,
        KvCluster.systemConfig(config));
    KvCluster.get(system);
    return system;
  }
}
