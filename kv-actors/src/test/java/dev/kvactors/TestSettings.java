package dev.kvactors;

import java.nio.file.Path;
import java.time.Duration;

/** Settings for the tests that provoke a heartbeat reset: a short stale-after, so a stall shows quickly. */
final class TestSettings {
  /** Silence after which the reset tests expect a reset (the default is longer). */
  static final Duration STALE_AFTER = Duration.ofMillis(500);

  private TestSettings() {}

  /** The defaults with {@code dir} and a stale-after of {@link #STALE_AFTER}. */
  static KvSettings resettable(Path dir) {
    KvSettings d = KvSettings.defaults(dir);
    return new KvSettings(d.dataDir(), d.durability(), d.heartbeatInterval(), STALE_AFTER,
        d.supervisorCheckInterval(), d.compactionFactor(), d.compactionMinLogBytes(), d.maxKeyBytes(),
        d.maxValueBytes(), d.requestTimeout(), d.recoveryTimeout(), d.stashCapacity(), d.lockWait(),
        d.expiryInterval(), d.expiryMaxKeysPerRound());
  }
}
