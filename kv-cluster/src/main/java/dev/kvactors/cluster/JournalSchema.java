package dev.kvactors.cluster;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Creates the journal's tables with pekko-persistence-jdbc's own script for PostgreSQL
 * ({@code schema/postgres/postgres-create-schema.sql} in its jar), statement by statement. Safe
 * to run from several nodes at once (a PostgreSQL advisory lock serializes them) and again on an
 * existing schema (an object that already exists is skipped). Blocking: call it before the actor
 * system starts, never on an actor's thread.
 */
public final class JournalSchema {
  /** The plugin's script, on the classpath from its jar. */
  public static final String SCRIPT = "schema/postgres/postgres-create-schema.sql";

  private static final long LOCK_ID = 0x6b762d636c757374L; // "kv-clust"
  // duplicate_table (a table or index), duplicate_object
  private static final Set<String> ALREADY_EXISTS = Set.of("42P07", "42710");

  private JournalSchema() {}

  /**
   * Connects with {@code settings}' PostgreSQL URL and user and creates what is missing.
   *
   * @param settings the cluster's settings
   * @throws SQLException when the database cannot be reached or a statement fails
   * @throws IOException when the plugin's script is not on the classpath
   */
  public static void createIfMissing(ClusterSettings settings) throws SQLException, IOException {
    requireNonNull(settings, "settings is null");
    List<String> statements = statements(script());
    try (Connection connection = DriverManager.getConnection(settings.postgresUrl(), settings.postgresUser(),
        settings.postgresPassword())) {
      connection.setAutoCommit(true); // CREATE INDEX CONCURRENTLY cannot run in a transaction
      try (Statement st = connection.createStatement()) {
        st.execute("SELECT pg_advisory_lock(" + LOCK_ID + ")");
        try {
          for (String sql : statements) {
            try {
              st.execute(sql);
            } catch (SQLException e) {
              if (!ALREADY_EXISTS.contains(e.getSQLState())) {
                throw e;
              }
            }
          }
        } finally {
          st.execute("SELECT pg_advisory_unlock(" + LOCK_ID + ")");
        }
      }
    }
  }

  static String script() throws IOException {
    try (InputStream in = JournalSchema.class.getClassLoader().getResourceAsStream(SCRIPT)) {
      if (in == null) {
        throw new IOException(SCRIPT + " is not on the classpath (it comes with pekko-persistence-jdbc's jar)");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** The script's statements: split at semicolons, comments and blank ones dropped. */
  static List<String> statements(String script) {
    List<String> statements = new ArrayList<>();
    for (String part : script.split(";")) {
      StringBuilder sql = new StringBuilder();
      for (String line : part.split("\n")) {
        if (!line.strip().startsWith("--")) {
          sql.append(line).append('\n');
        }
      }
      if (!sql.toString().isBlank()) {
        statements.add(sql.toString().strip());
      }
    }
    return statements;
  }
}
