package dev.kvactors.cluster;

import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.Config;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The tests' PostgreSQL database ({@code kv_test}): required, never skipped. A test that needs it
 * fails with this class's message when it cannot be reached; a developer without PostgreSQL runs
 * every other test with {@code -DexcludedGroups=postgres}.
 */
final class TestDatabase {
  static final String TAG = "postgres";

  private TestDatabase() {}

  /** Checks the database is there, creates the journal's tables and empties them. */
  static ClusterSettings requireEmpty(Config config) {
    ClusterSettings settings = ClusterSettings.create(config);
    try (Connection c = DriverManager.getConnection(settings.postgresUrl(), settings.postgresUser(),
        settings.postgresPassword())) {
      c.isValid(5);
    } catch (SQLException e) {
      fail("PostgreSQL is not reachable at " + settings.postgresUrl() + " as user " + settings.postgresUser()
          + " (" + e.getMessage() + "). Start it with `sudo kv-cluster/postgres-setup.sh` (./test does), "
          + "or run the tests that do not need it: ./mvnw verify -DexcludedGroups=postgres");
    }
    try {
      JournalSchema.createIfMissing(settings);
      try (Connection c = DriverManager.getConnection(settings.postgresUrl(), settings.postgresUser(),
          settings.postgresPassword()); Statement st = c.createStatement()) {
        st.execute("TRUNCATE event_journal, event_tag, snapshot");
      }
    } catch (Exception e) {
      throw new AssertionError("cannot prepare the journal's tables in " + settings.postgresUrl(), e);
    }
    return settings;
  }
}
