package dev.kvactors.bench;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PostgreSQL database the cluster scenarios' nodes journal to: its own ({@code kv_bench} by
 * default, created when missing and the user may), never the {@code kv} database a user keeps data
 * in, since its journal tables are emptied before every scenario. Plain JDBC, blocking; one short
 * connection per call, so that no connection of ours is open while the nodes run.
 */
final class BenchDatabase {
  /** The default: PostgreSQL as {@code kv-cluster/postgres-setup.sh} starts it, the bench's own database. */
  static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/kv_bench";
  /** What a user does to get one: the one line printed when PostgreSQL is not there. */
  static final String HOW_TO_GET_ONE = "start it with kv-cluster/postgres-setup.sh (as root), then"
      + " runuser -u postgres -- createdb -O kv kv_bench";

  /** The plugin's tables (pekko-persistence-jdbc's PostgreSQL script). */
  private static final List<String> JOURNAL_TABLES = List.of("event_journal", "event_tag", "snapshot", "durable_state");
  private static final Pattern URL = Pattern.compile("jdbc:postgresql://([^/]+)/([^?]+)(\\?.*)?");
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  /** SQLSTATE invalid_catalog_name: the database does not exist. */
  private static final String NO_DATABASE = "3D000";

  private final String url;
  private final String user;
  private final String password;

  /** How the database was reached, or why not. */
  static final class Unavailable extends Exception {
    private static final long serialVersionUID = 1L;

    Unavailable(String message) {
      super(message);
    }
  }

  /**
   * Events written to the journal over some interval, and the transactions that carried them: the
   * journal's group commit.
   *
   * @param events rows inserted into {@code event_journal}
   * @param transactions distinct inserting transactions ({@code xmin}) of those rows
   */
  record Batching(long events, long transactions) {
    double eventsPerCommit() {
      return transactions == 0 ? Double.NaN : (double) events / transactions;
    }
  }

  private BenchDatabase(String url, String user, String password) {
    this.url = url;
    this.user = user;
    this.password = password;
  }

  /**
   * The database of {@code url}, after a first connection (the database created when missing and
   * the user may create one). The URL's database must be named {@code *bench*}: its tables are emptied.
   *
   * @throws Unavailable with a one-line reason when PostgreSQL cannot be reached or has no such database
   */
  static BenchDatabase connect(String url, String user, String password) throws Unavailable {
    requireNonNull(url, "url is null");
    requireNonNull(user, "user is null");
    requireNonNull(password, "password is null");
    String name = databaseName(url);
    if (!name.contains("bench")) {
      throw new Unavailable("the bench empties the journal tables of its database, so its name must contain"
          + " 'bench'; not " + name + " (" + url + ")");
    }
    BenchDatabase db = new BenchDatabase(url, user, password);
    try (Connection c = db.open()) {
      return db;
    } catch (SQLException e) {
      if (!NO_DATABASE.equals(e.getSQLState())) {
        throw new Unavailable("PostgreSQL is not reachable at " + url + " as user " + user + " (" + oneLine(e) + ")");
      }
    }
    db.create(name);
    return db;
  }

  /** The database name of a {@code jdbc:postgresql://HOST[:PORT]/NAME[?...]} URL. */
  static String databaseName(String url) {
    return parse(url).group(2);
  }

  /** The URL's host, to tell whether the database's processes are on this machine. */
  static String host(String url) {
    String hostPort = parse(url).group(1);
    int colon = hostPort.lastIndexOf(':');
    return colon < 0 || hostPort.endsWith("]") ? hostPort : hostPort.substring(0, colon);
  }

  private static Matcher parse(String url) {
    Matcher m = URL.matcher(url);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a jdbc:postgresql://HOST[:PORT]/DATABASE URL: " + url);
    }
    return m;
  }

  String url() {
    return url;
  }

  String user() {
    return user;
  }

  String password() {
    return password;
  }

  private void create(String name) throws Unavailable {
    if (!name.matches("[a-z_][a-z0-9_]*")) {
      throw new Unavailable("no database " + name + " at " + url + ", and its name is not one the bench creates");
    }
    String maintenance = url.replaceFirst("/" + Pattern.quote(name) + "(\\?|$)", "/postgres$1");
    try (Connection c = DriverManager.getConnection(maintenance, properties()); Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new Unavailable("PostgreSQL at " + url + " has no database " + name + " and user " + user
          + " may not create it (" + oneLine(e) + ")");
    }
  }

  /** Empties the journal's tables (those that exist: the first node creates them). */
  void truncate() throws SQLException {
    try (Connection c = open(); Statement st = c.createStatement()) {
      List<String> present = new ArrayList<>();
      try (ResultSet rs = st.executeQuery("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")) {
        while (rs.next()) {
          if (JOURNAL_TABLES.contains(rs.getString(1))) {
            present.add(rs.getString(1));
          }
        }
      }
      if (!present.isEmpty()) {
        st.execute("TRUNCATE " + String.join(", ", present));
      }
    }
  }

  /** The {@code ordering} (a sequence) of the journal's newest event; 0 when it has none. */
  long lastOrdering() throws SQLException {
    try (Connection c = open(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT coalesce(max(ordering), 0) FROM event_journal")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * The events written after {@code afterOrdering} and the transactions they were inserted by: rows
   * one transaction inserted share its {@code xmin}, so the count of distinct {@code xmin}s is the
   * number of commits that carried them (pekko-persistence-jdbc writes a batch in one transaction).
   */
  Batching batchingSince(long afterOrdering) throws SQLException {
    try (Connection c = open(); PreparedStatement st = c.prepareStatement(
        "SELECT count(*), count(DISTINCT xmin::text) FROM event_journal WHERE ordering > ?")) {
      st.setLong(1, afterOrdering);
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return new Batching(rs.getLong(1), rs.getLong(2));
      }
    }
  }

  /** {@code 15.14} and the like: the server's version. */
  String serverVersion() throws SQLException {
    try (Connection c = open(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SHOW server_version")) {
      rs.next();
      return rs.getString(1).split(" ")[0];
    }
  }

  /**
   * The process ids of the other sessions on this database (the nodes' connection pools), when
   * PostgreSQL runs on this machine (a loopback URL); empty otherwise.
   */
  List<Long> backendPids() throws SQLException {
    String host = host(url);
    if (!Map.of("127.0.0.1", 1, "localhost", 1, "[::1]", 1).containsKey(host)) {
      return List.of();
    }
    List<Long> pids = new ArrayList<>();
    try (Connection c = open(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")) {
      while (rs.next()) {
        pids.add(rs.getLong(1));
      }
    }
    return pids;
  }

  /** The CPU time (user + system) these processes have used so far; empty if the OS does not tell for one. */
  static Optional<Duration> cpu(List<Long> pids) {
    Duration total = Duration.ZERO;
    for (long pid : pids) {
      Optional<Duration> d = ProcessHandle.of(pid).flatMap(p -> p.info().totalCpuDuration());
      if (d.isEmpty()) {
        return Optional.empty();
      }
      total = total.plus(d.get());
    }
    return Optional.of(total);
  }

  private Connection open() throws SQLException {
    return DriverManager.getConnection(url, properties());
  }

  private Properties properties() {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password);
    p.setProperty("connectTimeout", Long.toString(CONNECT_TIMEOUT.toSeconds()));
    p.setProperty("socketTimeout", "60");
    return p;
  }

  private static String oneLine(SQLException e) {
    String m = e.getMessage() == null ? e.toString() : e.getMessage();
    return m.strip().lines().findFirst().orElse(m);
  }
}
