package dev.kvactors.cluster;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;

/**
 * The {@code kv.cluster} settings of one node: its own address, the seed nodes, how keys are split
 * into buckets, the journal's retention and the PostgreSQL connection.
 *
 * @param host the host this node's cluster transport binds and is reached at
 * @param port the port of this node's cluster transport (Artery TCP)
 * @param seedNodes the seed nodes as {@code HOST:PORT}; this node joins the first that answers
 * @param buckets how many buckets (persistent entities) the keys are spread over
 * @param shards how many shards the buckets are spread over (the unit that moves between nodes)
 * @param snapshotEvery a bucket saves a snapshot after this many events
 * @param keepSnapshots how many snapshots a bucket keeps (events older than the oldest are deleted)
 * @param askTimeout how long the router waits for a bucket's answer before it fails the request
 *     ({@code kv.cluster.request-timeout})
 * @param postgresUrl the JDBC URL of the journal's database
 * @param postgresUser the database user
 * @param postgresPassword the database user's password
 * @param maxConnections the size of the journal's connection pool
 * @param createSchema whether a node creates the journal's tables at start when they are missing
 * @param resendInterval a request not answered within this is sent to its bucket again, until
 *     {@code askTimeout} (a bucket answers a write it has already applied with its first answer)
 * @param rememberAnswersFor how long a bucket remembers the answer of a write it applied, by the
 *     write's request id, to answer a resend of it without applying it twice
 * @param rememberAnswersMax the most answers one bucket remembers (the oldest are forgotten first)
 */
public record ClusterSettings(String host, int port, List<String> seedNodes, int buckets, int shards,
    int snapshotEvery, int keepSnapshots, Duration askTimeout, String postgresUrl, String postgresUser,
    String postgresPassword, int maxConnections, boolean createSchema, Duration resendInterval,
    Duration rememberAnswersFor, int rememberAnswersMax) {

  /**
   * Checks the settings.
   *
   * @param host the host this node's cluster transport binds and is reached at
   * @param port the port of this node's cluster transport (Artery TCP)
   * @param seedNodes the seed nodes as {@code HOST:PORT}; this node joins the first that answers
   * @param buckets how many buckets (persistent entities) the keys are spread over
   * @param shards how many shards the buckets are spread over (the unit that moves between nodes)
   * @param snapshotEvery a bucket saves a snapshot after this many events
   * @param keepSnapshots how many snapshots a bucket keeps (events older than the oldest are deleted)
   * @param askTimeout how long the router waits for a bucket's answer before it fails the request
   * @param postgresUrl the JDBC URL of the journal's database
   * @param postgresUser the database user
   * @param postgresPassword the database user's password
   * @param maxConnections the size of the journal's connection pool
   * @param createSchema whether a node creates the journal's tables at start when they are missing
   * @param resendInterval a request not answered within this is sent to its bucket again
   * @param rememberAnswersFor how long a bucket remembers the answer of a write it applied
   * @param rememberAnswersMax the most answers one bucket remembers
   */
  public ClusterSettings {
    requireNonNull(resendInterval, "resendInterval is null");
    requireNonNull(rememberAnswersFor, "rememberAnswersFor is null");
    if (resendInterval.isNegative() || resendInterval.isZero()) {
      throw new IllegalArgumentException("kv.cluster.resend-interval must be positive");
    }
    if (rememberAnswersFor.isNegative() || rememberAnswersMax < 0) {
      throw new IllegalArgumentException("kv.cluster.remember-answers.for and .max must not be negative");
    }
    requireNonNull(host, "host is null");
    seedNodes = List.copyOf(seedNodes);
    for (String seed : seedNodes) {
      parseHostPort(seed);
    }
    requireNonNull(askTimeout, "askTimeout is null");
    requireNonNull(postgresUrl, "postgresUrl is null");
    requireNonNull(postgresUser, "postgresUser is null");
    requireNonNull(postgresPassword, "postgresPassword is null");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("kv.cluster.port must be 0..65535, not " + port);
    }
    if (buckets < 1 || shards < 1 || snapshotEvery < 1 || keepSnapshots < 1 || maxConnections < 1) {
      throw new IllegalArgumentException("kv.cluster.buckets, shards, snapshot-every, keep-snapshots and "
          + "postgres.max-connections must be positive");
    }
  }

  /**
   * Reads {@code kv.cluster} of {@code config}.
   *
   * @param config the application's configuration, with kv-cluster's {@code reference.conf} below it
   * @return the settings
   */
  public static ClusterSettings create(Config config) {
    Config c = config.getConfig("kv.cluster");
    return new ClusterSettings(c.getString("host"), c.getInt("port"), c.getStringList("seed-nodes"),
        c.getInt("buckets"), c.getInt("shards"), c.getInt("snapshot-every"), c.getInt("keep-snapshots"),
        c.getDuration("request-timeout"), c.getString("postgres.url"), c.getString("postgres.user"),
        c.getString("postgres.password"), c.getInt("postgres.max-connections"), c.getBoolean("create-schema"),
        c.getDuration("resend-interval"), c.getDuration("remember-answers.for"), c.getInt("remember-answers.max"));
  }

  /**
   * The most bytes of values a request or an answer may carry between nodes: Artery's largest
   * message ({@code pekko.remote.artery.advanced.maximum-frame-size}, 256 KiB by default) less
   * room for the keys and the envelope. A larger message would be dropped by the transport and its
   * request would time out; the router and the buckets refuse it with a clear error instead.
   *
   * @param config a node's configuration
   * @return the budget in bytes
   */
  public static long messageBudget(Config config) {
    long frame = config.getBytes("pekko.remote.artery.advanced.maximum-frame-size");
    return Math.max(frame - 16 * 1024, frame / 2);
  }

  /**
   * Splits {@code HOST:PORT}.
   *
   * @param hostPort a node's address
   * @return the host and the port
   * @throws IllegalArgumentException when it is not {@code HOST:PORT} with a port 1..65535
   */
  public static HostPort parseHostPort(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostPort.length() - 1) {
      throw new IllegalArgumentException("a seed node is HOST:PORT, not '" + hostPort + "'");
    }
    int port;
    try {
      port = Integer.parseInt(hostPort.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("a seed node is HOST:PORT, not '" + hostPort + "'", e);
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("the port of seed node '" + hostPort + "' must be 1..65535");
    }
    return new HostPort(hostPort.substring(0, colon), port);
  }

  /**
   * A node's address.
   *
   * @param host the host name or IP address
   * @param port the port
   */
  public record HostPort(String host, int port) {}
}
