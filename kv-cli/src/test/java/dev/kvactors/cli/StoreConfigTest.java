package dev.kvactors.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreConfigTest {
  @TempDir
  Path home;

  private String savedHome;

  @BeforeEach
  void pointKvHomeAtATempDir() throws IOException {
    savedHome = System.getProperty(StoreConfig.HOME_PROPERTY);
    System.setProperty(StoreConfig.HOME_PROPERTY, home.toString());
    Files.createDirectories(home.resolve("config"));
    Files.writeString(home.resolve("config/application.conf"), "kv { data-dir = \"../home-data\", durability = flush }\n");
  }

  @AfterEach
  void restoreKvHome() {
    if (savedHome == null) {
      System.clearProperty(StoreConfig.HOME_PROPERTY);
    } else {
      System.setProperty(StoreConfig.HOME_PROPERTY, savedHome);
    }
  }

  private static Path dataDir(Config config) {
    return Path.of(config.getString("kv.data-dir"));
  }

  @Test
  void aRelativeDataDirInKvHomesConfigurationIsRelativeToItsConfigDirectory() {
    Config config = new StoreConfig(null, null, Map.of()).load();

    assertEquals(home.resolve("home-data"), dataDir(config));
    assertEquals("flush", config.getString("kv.durability"));
    assertEquals(home.resolve("home-data").toString(), System.getProperty(StoreConfig.LOG_DIR_PROPERTY));
  }

  @Test
  void theEnvironmentBeatsTheConfigurationFiles() {
    Path env = home.resolve("from-env");

    Config config = new StoreConfig(null, null, Map.of("KV_DATA_DIR", env.toString())).load();

    assertEquals(env, dataDir(config));
  }

  @Test
  void theDataDirOptionBeatsTheEnvironmentAndIsRelativeToTheWorkingDirectory() {
    Config config = new StoreConfig(Path.of("rel"), null, Map.of("KV_DATA_DIR", "/elsewhere")).load();

    assertEquals(Path.of("rel").toAbsolutePath(), dataDir(config));
  }

  @Test
  void aConfigFileOverridesKvHomesApplicationConf() throws IOException {
    Path file = home.resolve("extra.conf");
    Files.writeString(file, "kv.durability = async\n");

    Config config = new StoreConfig(null, file, Map.of()).load();

    assertEquals("async", config.getString("kv.durability"));
    assertEquals(home.resolve("home-data"), dataDir(config));
  }

  @Test
  void aRelativeDataDirInAConfigFileIsRelativeToThatFilesDirectoryNotTheWorkingDirectory() throws IOException {
    Path project = Files.createDirectories(home.resolve("somewhere/project"));
    Path file = Files.writeString(project.resolve("kv.conf"), "kv.data-dir = store\n");

    Config config = new StoreConfig(null, file, Map.of()).load();

    assertEquals(project.resolve("store"), dataDir(config));
  }

  @Test
  void aRelativeDataDirFromASystemPropertyIsRelativeToTheWorkingDirectory() {
    System.setProperty("kv.data-dir", "from-property");
    com.typesafe.config.ConfigFactory.invalidateCaches();
    try {
      Config config = new StoreConfig(null, null, Map.of()).load();

      assertEquals(Path.of("from-property").toAbsolutePath(), dataDir(config));
    } finally {
      System.clearProperty("kv.data-dir");
      com.typesafe.config.ConfigFactory.invalidateCaches();
    }
  }

  @Test
  void theLockWaitOptionOverridesTheConfiguration() {
    Config config = new StoreConfig(null, null, Map.of(), java.time.Duration.ofMillis(1500)).load();

    assertEquals(java.time.Duration.ofMillis(1500), config.getDuration("kv.lock-wait"));
  }

  @Test
  void loadingTheConfigurationCreatesNoDirectory() {
    Config config = new StoreConfig(home.resolve("not-yet"), null, Map.of()).load();

    assertEquals(home.resolve("not-yet"), dataDir(config));
    assertFalse(Files.exists(home.resolve("not-yet")));
  }

  @Test
  void aMissingConfigFileIsAnError() {
    assertThrows(IllegalArgumentException.class,
        () -> new StoreConfig(null, home.resolve("nope.conf"), Map.of()).load());
  }
}
