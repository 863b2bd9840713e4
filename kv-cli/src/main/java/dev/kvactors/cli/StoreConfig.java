package dev.kvactors.cli;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The configuration one run of {@code kv} opens its store with. Precedence, highest first:
 * {@code --data-dir}; the environment variable {@code KV_DATA_DIR} (for the data directory);
 * {@code --lock-wait}; system properties; {@code --config FILE};
 * {@code $KV_HOME/config/application.conf} where {@code KV_HOME} is the system property
 * {@code kv.home} set by the {@code ./kv} launcher; the classpath's {@code application.conf};
 * {@code reference.conf}.
 *
 * <p>One rule for a relative data directory: it is relative to where it was written. Given on the
 * command line ({@code --data-dir}), in {@code KV_DATA_DIR} or as a system property, that is the
 * working directory, as for any path a shell passes; written in a configuration file, it is the
 * directory holding that file, so a file names the same data directory whatever the working
 * directory (as paths in a docker-compose file or git's {@code include.path} do). A value from the
 * classpath has no directory and is relative to the working directory.
 *
 * <p>Loading changes nothing on disk: whether a missing data directory is created is the command's
 * choice ({@link DataDir}). {@link #load()} sets the system property {@code kv.log.dir} to the
 * data directory, where {@code config/logback.xml} writes {@code kv.log}, and {@code kv.pid} to
 * this process's id, which it prints on each line; logging must not start before.
 */
final class StoreConfig {
  static final String DATA_DIR_ENV = "KV_DATA_DIR";
  static final String HOME_PROPERTY = "kv.home";
  static final String LOG_DIR_PROPERTY = "kv.log.dir";
  static final String PID_PROPERTY = "kv.pid";

  private final Path dataDirOption;
  private final Path configFile;
  private final Map<String, String> env;
  private final Duration lockWait;

  StoreConfig(Path dataDirOption, Path configFile, Map<String, String> env) {
    this(dataDirOption, configFile, env, null);
  }

  /** {@code lockWait}, if not null, overrides {@code kv.lock-wait}. */
  StoreConfig(Path dataDirOption, Path configFile, Map<String, String> env, Duration lockWait) {
    this.dataDirOption = dataDirOption;
    this.configFile = configFile;
    this.env = requireNonNull(env, "env is null");
    this.lockWait = lockWait;
  }

  /** The resolved configuration, with {@code kv.data-dir} an absolute path. */
  Config load() {
    String home = System.getProperty(HOME_PROPERTY);
    Config files = ConfigFactory.empty();
    if (configFile != null) {
      if (!Files.isRegularFile(configFile)) {
        throw new IllegalArgumentException("configuration file " + configFile + " does not exist");
      }
      files = parse(configFile);
    }
    if (home != null) {
      Path homeConf = Path.of(home, "config", "application.conf");
      if (Files.isRegularFile(homeConf)) {
        files = files.withFallback(parse(homeConf));
      }
    }
    Config config = ConfigFactory.load(files.withFallback(ConfigFactory.defaultApplication()));

    Path dataDir = dataDir(config);
    if (lockWait != null) {
      config = ConfigFactory.empty()
          .withValue("kv.lock-wait", ConfigValueFactory.fromAnyRef(lockWait.toMillis() + "ms", "--lock-wait"))
          .withFallback(config);
    }
    System.setProperty(LOG_DIR_PROPERTY, dataDir.toString());
    System.setProperty(PID_PROPERTY, Long.toString(ProcessHandle.current().pid()));
    return ConfigFactory.empty()
        .withValue("kv.data-dir", ConfigValueFactory.fromAnyRef(dataDir.toString(), "kv data directory"))
        .withFallback(config);
  }

  private Path dataDir(Config config) {
    if (dataDirOption != null) {
      return absolute(dataDirOption, null);
    }
    String fromEnv = env.get(DATA_DIR_ENV);
    if (fromEnv != null && !fromEnv.isEmpty()) {
      return absolute(Path.of(fromEnv), null);
    }
    ConfigValue value = config.getValue("kv.data-dir");
    String file = value.origin().filename();
    Path base = file == null ? null : Path.of(file).toAbsolutePath().getParent();
    return absolute(Path.of(config.getString("kv.data-dir")), base);
  }

  private static Path absolute(Path dir, Path base) {
    Path resolved = base == null ? dir : base.resolve(dir);
    return resolved.toAbsolutePath().normalize();
  }

  private static Config parse(Path file) {
    return ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
  }
}
