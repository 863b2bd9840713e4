package dev.kvactors.server;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Optional;

/** The {@code kv.server} configuration subtree; defaults live in kv-server's {@code reference.conf}. */
public record ServerSettings(
    String bind,
    int port,
    Optional<String> password,
    int maxConnections,
    Duration idleTimeout,
    int maxBulkBytes,
    int maxArguments,
    long maxRequestBytes,
    int maxInlineBytes,
    int pipeliningParallelism) {

  public ServerSettings {
    requireNonNull(bind, "bind is null");
    requireNonNull(password, "password is null");
    requireNonNull(idleTimeout, "idleTimeout is null");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("kv.server.port must be between 0 and 65535; was " + port);
    }
    requirePositive(maxConnections, "kv.server.max-connections");
    requirePositive(maxBulkBytes, "kv.server.max-bulk-bytes");
    requirePositive(maxArguments, "kv.server.max-arguments");
    requirePositive(maxInlineBytes, "kv.server.max-inline-bytes");
    requirePositive(pipeliningParallelism, "kv.server.pipelining-parallelism");
    if (maxRequestBytes < maxBulkBytes) {
      throw new IllegalArgumentException("kv.server.max-request-bytes must be at least kv.server.max-bulk-bytes");
    }
    if (idleTimeout.isNegative()) {
      throw new IllegalArgumentException("kv.server.idle-timeout must not be negative");
    }
  }

  /** Reads the {@code kv.server} subtree of a full configuration (one that includes {@code reference.conf}). */
  public static ServerSettings create(Config config) {
    Config c = config.getConfig("kv.server");
    String password = c.getString("password");
    return new ServerSettings(
        c.getString("bind"),
        c.getInt("port"),
        password.isEmpty() ? Optional.empty() : Optional.of(password),
        c.getInt("max-connections"),
        c.getDuration("idle-timeout"),
        toInt(c.getBytes("max-bulk-bytes"), "kv.server.max-bulk-bytes"),
        c.getInt("max-arguments"),
        c.getBytes("max-request-bytes"),
        toInt(c.getBytes("max-inline-bytes"), "kv.server.max-inline-bytes"),
        c.getInt("pipelining-parallelism"));
  }

  public ServerSettings withAddress(String newBind, int newPort) {
    return new ServerSettings(newBind, newPort, password, maxConnections, idleTimeout, maxBulkBytes, maxArguments,
        maxRequestBytes, maxInlineBytes, pipeliningParallelism);
  }

  private static void requirePositive(long value, String name) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be positive; was " + value);
    }
  }

  private static int toInt(long bytes, String name) {
    if (bytes > Integer.MAX_VALUE - 2) {
      throw new IllegalArgumentException(name + " is too large: " + bytes);
    }
    return (int) bytes;
  }
}
