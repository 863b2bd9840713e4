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
    int pipeliningParallelism,
    long maxMemoryBytes,
    long maxClientMemoryBytes,
    long maxReplyBytes,
    Duration authFailureDelay,
    Duration authFailureLogInterval) {

  /** The least memory a connection may hold: a few of Pekko TCP's reads (pekko.io.tcp.direct-buffer-size, 128 KiB). */
  static final long MIN_CLIENT_MEMORY_BYTES = 1 << 20;

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
    if (maxClientMemoryBytes < MIN_CLIENT_MEMORY_BYTES || maxClientMemoryBytes < 2L * maxInlineBytes) {
      throw new IllegalArgumentException("kv.server.max-client-memory must be at least 1 MiB and twice "
          + "kv.server.max-inline-bytes; was " + maxClientMemoryBytes + " bytes");
    }
    if (maxMemoryBytes < maxClientMemoryBytes) {
      throw new IllegalArgumentException("kv.server.max-memory (" + maxMemoryBytes
          + " bytes) must be at least kv.server.max-client-memory (" + maxClientMemoryBytes + " bytes)");
    }
    if (maxReplyBytes < 1024 || maxReplyBytes > MAX_REPLY_BYTES) {
      throw new IllegalArgumentException("kv.server.max-reply-bytes must be between 1 KiB and 1 GiB; was "
          + maxReplyBytes);
    }
    requireNonNull(authFailureDelay, "authFailureDelay is null");
    requireNonNull(authFailureLogInterval, "authFailureLogInterval is null");
    if (authFailureDelay.isNegative() || authFailureLogInterval.isNegative()) {
      throw new IllegalArgumentException("kv.server.auth-failure-delay and auth-failure-log-interval must not be negative");
    }
    if (idleTimeout.isNegative()) {
      throw new IllegalArgumentException("kv.server.idle-timeout must not be negative");
    }
  }

  /** A reply is one Pekko ByteString, whose length is an int: replies stay well below 2 GiB. */
  static final long MAX_REPLY_BYTES = 1L << 30;

  /** Reads the {@code kv.server} subtree of a full configuration (one that includes {@code reference.conf}). */
  public static ServerSettings create(Config config) {
    Config c = config.getConfig("kv.server");
    String password = c.getString("password");
    long maxMemory = c.getBytes("max-memory");
    if (maxMemory == 0) {
      maxMemory = Math.max(MIN_CLIENT_MEMORY_BYTES,
          (long) (Runtime.getRuntime().maxMemory() * c.getDouble("max-memory-heap-fraction")));
    }
    long maxClientMemory = c.getBytes("max-client-memory");
    if (maxClientMemory == 0) {
      maxClientMemory = maxMemory;
    }
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
        c.getInt("pipelining-parallelism"),
        maxMemory,
        maxClientMemory,
        c.getBytes("max-reply-bytes"),
        c.getDuration("auth-failure-delay"),
        c.getDuration("auth-failure-log-interval"));
  }

  public ServerSettings withAddress(String newBind, int newPort) {
    return new ServerSettings(newBind, newPort, password, maxConnections, idleTimeout, maxBulkBytes, maxArguments,
        maxRequestBytes, maxInlineBytes, pipeliningParallelism, maxMemoryBytes, maxClientMemoryBytes, maxReplyBytes,
        authFailureDelay, authFailureLogInterval);
  }

  /** These settings with other limits on the memory held for clients. */
  public ServerSettings withMemory(long newMaxMemoryBytes, long newMaxClientMemoryBytes, long newMaxReplyBytes) {
    return new ServerSettings(bind, port, password, maxConnections, idleTimeout, maxBulkBytes, maxArguments,
        maxRequestBytes, maxInlineBytes, pipeliningParallelism, newMaxMemoryBytes, newMaxClientMemoryBytes,
        newMaxReplyBytes, authFailureDelay, authFailureLogInterval);
  }

  /** These settings with a password and another pause after a failed AUTH. */
  public ServerSettings withAuth(Optional<String> newPassword, Duration newAuthFailureDelay) {
    return new ServerSettings(bind, port, newPassword, maxConnections, idleTimeout, maxBulkBytes, maxArguments,
        maxRequestBytes, maxInlineBytes, pipeliningParallelism, maxMemoryBytes, maxClientMemoryBytes, maxReplyBytes,
        newAuthFailureDelay, authFailureLogInterval);
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
