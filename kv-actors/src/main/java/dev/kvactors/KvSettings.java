package dev.kvactors;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.kvactors.internal.storage.RecordCodec;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.time.Duration;

/**
 * The {@code kv} configuration subtree; defaults live in {@code reference.conf}.
 *
 * @param dataDir the data directory ({@code kv.data-dir})
 * @param durability when a change is acknowledged ({@code kv.durability})
 * @param heartbeatInterval how often the store and its writer beat ({@code kv.heartbeat.interval})
 * @param staleAfter silence after which an actor is reset ({@code kv.heartbeat.stale-after})
 * @param supervisorCheckInterval how often silence is checked ({@code kv.heartbeat.check-interval})
 * @param compactionFactor how much larger than the snapshot the log grows before a compaction
 *     ({@code kv.compaction-factor})
 * @param compactionMinLogBytes the smallest log that is compacted ({@code kv.compaction-min-log-bytes})
 * @param maxKeyBytes the longest key in UTF-8 bytes ({@code kv.max-key-bytes})
 * @param maxValueBytes the largest value ({@code kv.max-value-bytes})
 * @param requestTimeout how long the facade waits for an answer ({@code kv.request-timeout})
 * @param recoveryTimeout how long opening waits for recovery ({@code kv.recovery-timeout})
 * @param stashCapacity how many requests wait during recovery or a reset ({@code kv.stash-capacity})
 * @param lockWait how long to wait for another process's lock ({@code kv.lock-wait})
 * @param expiryInterval how often the store removes expired keys ({@code kv.expiry.interval})
 * @param expiryMaxKeysPerRound the most expired keys removed per round ({@code kv.expiry.max-keys-per-round})
 */
public record KvSettings(
    Path dataDir,
    Durability durability,
    Duration heartbeatInterval,
    Duration staleAfter,
    Duration supervisorCheckInterval,
    double compactionFactor,
    long compactionMinLogBytes,
    int maxKeyBytes,
    int maxValueBytes,
    Duration requestTimeout,
    Duration recoveryTimeout,
    int stashCapacity,
    Duration lockWait,
    Duration expiryInterval,
    int expiryMaxKeysPerRound) {

  /**
   * Checks every setting; a wrong one is an {@link IllegalArgumentException} naming its key.
   *
   * @param dataDir the data directory ({@code kv.data-dir})
   * @param durability when a change is acknowledged ({@code kv.durability})
   * @param heartbeatInterval how often the store and its writer beat ({@code kv.heartbeat.interval})
   * @param staleAfter silence after which an actor is reset ({@code kv.heartbeat.stale-after})
   * @param supervisorCheckInterval how often silence is checked ({@code kv.heartbeat.check-interval})
   * @param compactionFactor how much larger than the snapshot the log grows before a compaction
   *     ({@code kv.compaction-factor})
   * @param compactionMinLogBytes the smallest log that is compacted ({@code kv.compaction-min-log-bytes})
   * @param maxKeyBytes the longest key in UTF-8 bytes ({@code kv.max-key-bytes})
   * @param maxValueBytes the largest value ({@code kv.max-value-bytes})
   * @param requestTimeout how long the facade waits for an answer ({@code kv.request-timeout})
   * @param recoveryTimeout how long opening waits for recovery ({@code kv.recovery-timeout})
   * @param stashCapacity how many requests wait during recovery or a reset ({@code kv.stash-capacity})
   * @param lockWait how long to wait for another process's lock ({@code kv.lock-wait})
   * @param expiryInterval how often the store removes expired keys ({@code kv.expiry.interval})
   * @param expiryMaxKeysPerRound the most expired keys removed per round ({@code kv.expiry.max-keys-per-round})
   */
  public KvSettings {
    requireNonNull(dataDir, "dataDir is null");
    requireNonNull(durability, "durability is null");
    requirePositive(heartbeatInterval, "kv.heartbeat.interval");
    requirePositive(staleAfter, "kv.heartbeat.stale-after");
    requirePositive(supervisorCheckInterval, "kv.heartbeat.check-interval");
    requirePositive(requestTimeout, "kv.request-timeout");
    requirePositive(recoveryTimeout, "kv.recovery-timeout");
    if (staleAfter.compareTo(heartbeatInterval) <= 0) {
      throw new IllegalArgumentException(
          "kv.heartbeat.stale-after (" + staleAfter + ") must be longer than kv.heartbeat.interval ("
              + heartbeatInterval + ")");
    }
    if (!(compactionFactor >= 1.0)) {
      throw new IllegalArgumentException("kv.compaction-factor must be at least 1.0; was " + compactionFactor);
    }
    if (compactionMinLogBytes < 0) {
      throw new IllegalArgumentException("kv.compaction-min-log-bytes must not be negative");
    }
    if (maxKeyBytes < 1 || maxKeyBytes > RecordCodec.MAX_KEY_BYTES) {
      throw new IllegalArgumentException(
          "kv.max-key-bytes must be between 1 and " + RecordCodec.MAX_KEY_BYTES + "; was " + maxKeyBytes);
    }
    if (maxValueBytes < 0 || maxValueBytes > RecordCodec.MAX_VALUE_BYTES) {
      throw new IllegalArgumentException(
          "kv.max-value-bytes must be between 0 and " + RecordCodec.MAX_VALUE_BYTES + "; was " + maxValueBytes);
    }
    requireNonNull(lockWait, "kv.lock-wait is null");
    if (lockWait.isNegative()) {
      throw new IllegalArgumentException("kv.lock-wait must not be negative; was " + lockWait);
    }
    if (stashCapacity < 1) {
      throw new IllegalArgumentException("kv.stash-capacity must be positive");
    }
    requirePositive(expiryInterval, "kv.expiry.interval");
    if (expiryMaxKeysPerRound < 1) {
      throw new IllegalArgumentException("kv.expiry.max-keys-per-round must be positive; was "
          + expiryMaxKeysPerRound);
    }
  }

  /**
   * Reads the {@code kv} subtree of a full configuration (one that includes {@code reference.conf}).
   *
   * @param config the application's configuration
   * @return the settings
   */
  public static KvSettings create(Config config) {
    Config kv = config.getConfig("kv");
    return new KvSettings(
        Path.of(kv.getString("data-dir")),
        Durability.parse(kv.getString("durability")),
        kv.getDuration("heartbeat.interval"),
        kv.getDuration("heartbeat.stale-after"),
        kv.getDuration("heartbeat.check-interval"),
        kv.getDouble("compaction-factor"),
        kv.getBytes("compaction-min-log-bytes"),
        toInt(kv.getBytes("max-key-bytes"), "kv.max-key-bytes"),
        toInt(kv.getBytes("max-value-bytes"), "kv.max-value-bytes"),
        kv.getDuration("request-timeout"),
        kv.getDuration("recovery-timeout"),
        kv.getInt("stash-capacity"),
        kv.getDuration("lock-wait"),
        kv.getDuration("expiry.interval"),
        kv.getInt("expiry.max-keys-per-round"));
  }

  /**
   * The defaults from {@code reference.conf} with the given data directory.
   *
   * @param dataDir the data directory
   * @return the settings
   */
  public static KvSettings defaults(Path dataDir) {
    return create(ConfigFactory.load()).withDataDir(dataDir);
  }

  /**
   * These settings with another data directory.
   *
   * @param dir the data directory
   * @return the changed settings
   */
  public KvSettings withDataDir(Path dir) {
    return new KvSettings(dir, durability, heartbeatInterval, staleAfter, supervisorCheckInterval,
        compactionFactor, compactionMinLogBytes, maxKeyBytes, maxValueBytes, requestTimeout,
        recoveryTimeout, stashCapacity, lockWait, expiryInterval, expiryMaxKeysPerRound);
  }

  /**
   * These settings with another durability mode.
   *
   * @param mode when a change is acknowledged
   * @return the changed settings
   */
  public KvSettings withDurability(Durability mode) {
    return new KvSettings(dataDir, mode, heartbeatInterval, staleAfter, supervisorCheckInterval,
        compactionFactor, compactionMinLogBytes, maxKeyBytes, maxValueBytes, requestTimeout,
        recoveryTimeout, stashCapacity, lockWait, expiryInterval, expiryMaxKeysPerRound);
  }

  /**
   * These settings with another wait for the data directory's lock.
   *
   * @param wait how long to wait for another process to release the lock
   * @return the changed settings
   */
  public KvSettings withLockWait(Duration wait) {
    return new KvSettings(dataDir, durability, heartbeatInterval, staleAfter, supervisorCheckInterval,
        compactionFactor, compactionMinLogBytes, maxKeyBytes, maxValueBytes, requestTimeout,
        recoveryTimeout, stashCapacity, wait, expiryInterval, expiryMaxKeysPerRound);
  }

  /**
   * These settings as a {@code kv { ... }} configuration, to put in front of other configuration.
   *
   * @return the configuration
   */
  public Config toConfig() {
    Map<String, Object> kv = new HashMap<>();
    kv.put("kv.data-dir", dataDir.toString());
    kv.put("kv.durability", durability.configName());
    kv.put("kv.heartbeat.interval", millis(heartbeatInterval));
    kv.put("kv.heartbeat.stale-after", millis(staleAfter));
    kv.put("kv.heartbeat.check-interval", millis(supervisorCheckInterval));
    kv.put("kv.compaction-factor", compactionFactor);
    kv.put("kv.compaction-min-log-bytes", compactionMinLogBytes);
    kv.put("kv.max-key-bytes", maxKeyBytes);
    kv.put("kv.max-value-bytes", maxValueBytes);
    kv.put("kv.request-timeout", millis(requestTimeout));
    kv.put("kv.recovery-timeout", millis(recoveryTimeout));
    kv.put("kv.stash-capacity", stashCapacity);
    kv.put("kv.lock-wait", millis(lockWait));
    kv.put("kv.expiry.interval", millis(expiryInterval));
    kv.put("kv.expiry.max-keys-per-round", expiryMaxKeysPerRound);
    return ConfigFactory.parseMap(kv, "KvSettings");
  }

  private static String millis(Duration d) {
    return d.toMillis() + "ms";
  }

  private static void requirePositive(Duration d, String name) {
    requireNonNull(d, name + " is null");
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive; was " + d);
    }
  }

  private static int toInt(long bytes, String name) {
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(name + " is too large: " + bytes);
    }
    return (int) bytes;
  }
}
