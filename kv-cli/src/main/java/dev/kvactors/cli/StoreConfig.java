package dev.kvactors.cli;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The configuration one run of {@code kv} opens its store with. Precedence, highest first:
 * {@code --data-dir}; the environment variable {@code KV_DATA_DIR} (for the data directory);
 * system properties; {@code --config FILE}; {@code $KV_HOME/config/application.conf} where
 * {@code KV_HOME} is the system property {@code kv.home} set by the {@code ./kv} launcher; the
 * classpath's {@code application.conf}; {@code reference.conf}.
 *
 * <p>A relative data directory given with {@code --data-dir} or {@code KV_DATA_DIR} is relative
 * to the working directory; one from a configuration file is relative to {@code KV_HOME} when
 * that is set (so {@code ./kv} finds its {@code data/} from anywhere), else to the working
 * directory.
 *
 * <p>Before the store opens, {@link #load()} sets the system property {@code kv.log.dir} to the
 * data directory, where {@code config/logback.xml} writes {@code kv.log}, and {@code kv.pid} to this
 * process's id, which it prints on each line.
 */
final class StoreConfig {
  static final String DATA_DIR_ENV = "KV_DATA_DIR";
  static final String HOME_PROPERTY = "kv.home";
  static final String LOG_DIR_PROPERTY = "kv.log.dir";
  static final String PID_PROPERTY = "kv.pid";

  private final Path dataDirOption;
  private final Path configFile;
  private final Map<String, String> env;

  StoreConfig(Path dataDirOption, Path configFile, Map<String, String> env) {
    this.dataDirOption = dataDirOption;
    this.configFile = configFile;
    this.env = requireNonNull(env, "env is null");
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

    Path dataDir = dataDir(config, home);
    try {
      Files.createDirectories(dataDir);
    } catch (IOException | RuntimeException e) {
      // the store reports why it cannot use the directory
    }
    System.setProperty(LOG_DIR_PROPERTY, dataDir.toString());
    System.setProperty(PID_PROPERTY, Long.toString(ProcessHandle.current().pid()));
    return ConfigFactory.empty()
        .withValue("kv.data-dir", ConfigValueFactory.fromAnyRef(dataDir.toString(), "kv data directory"))
        .withFallback(config);
  }

  private Path dataDir(Config config, String home) {
    if (dataDirOption != null) {
      return absolute(dataDirOption, null);
    }
    String fromEnv = env.get(DATA_DIR_ENV);
    if (fromEnv != null && !fromEnv.isEmpty()) {
      return absolute(Path.of(fromEnv), null);
    }
    return absolute(Path.of(config.getString("kv.data-dir")), home);
  }

  private static Path absolute(Path dir, String base) {
    Path resolved = base == null ? dir : Path.of(base).resolve(dir);
    return resolved.toAbsolutePath().normalize();
  }

  private static Config parse(Path file) {
    return ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
  }
}
