package dev.kvactors.system;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Debian PostgreSQL cluster ({@code pg_lsclusters}) that serves a JDBC URL's port, stopped and
 * started with {@code pg_ctlcluster}: found by port, so any version and cluster name work. Needs
 * Debian's {@code postgresql-common} and the right to run {@code pg_ctlcluster} (root).
 */
final class PostgresCluster {
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(90);
  private static final Pattern PORT = Pattern.compile("//[^/:]+(?::(\\d+))?/");

  private final String version;
  private final String name;
  private final int port;

  private PostgresCluster(String version, String name, int port) {
    this.version = version;
    this.name = name;
    this.port = port;
  }

  /** The cluster listening on the port of {@code jdbcUrl} (5432 when it names none); fails when there is none. */
  static PostgresCluster serving(String jdbcUrl) {
    Matcher m = PORT.matcher(jdbcUrl);
    int port = m.find() && m.group(1) != null ? Integer.parseInt(m.group(1)) : 5432;
    for (String line : run("pg_lsclusters", "-h").outLines()) {
      // Ver Cluster Port Status Owner Data-directory Log-file
      String[] f = line.trim().split("\\s+");
      if (f.length >= 4 && f[2].equals(Integer.toString(port))) {
        return new PostgresCluster(f[0], f[1], port);
      }
    }
    fail("no PostgreSQL cluster in `pg_lsclusters` listens on port " + port + " (of " + jdbcUrl + "); start it "
        + "with `kv-cluster/postgres-setup.sh` (./test does)");
    throw new AssertionError("unreachable");
  }

  @Override
  public String toString() {
    return version + "/" + name + " (port " + port + ")";
  }

  /** Whether {@code pg_lsclusters} shows it online. */
  boolean online() {
    for (String line : run("pg_lsclusters", "-h").outLines()) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 4 && f[0].equals(version) && f[1].equals(name)) {
        return f[3].startsWith("online");
      }
    }
    return false;
  }

  /** A hard stop: {@code pg_ctlcluster V NAME stop -m immediate} (every backend killed, no checkpoint). */
  void stopImmediately() {
    expectSuccess(run("pg_ctlcluster", version, name, "stop", "-m", "immediate"), "stop -m immediate");
  }

  /** {@code pg_ctlcluster V NAME start} (crash recovery included), then waits until {@code jdbcUrl} accepts a login. */
  void start(String jdbcUrl) throws InterruptedException {
    if (!online()) {
      expectSuccess(run("pg_ctlcluster", version, name, "start"), "start");
    }
    long deadline = System.nanoTime() + COMMAND_TIMEOUT.toNanos();
    String why = "";
    while (System.nanoTime() < deadline) {
      try (Connection c = DriverManager.getConnection(jdbcUrl, "kv", "kv")) {
        if (c.isValid(5)) {
          return;
        }
        why = "the connection was not valid";
      } catch (SQLException e) {
        why = e.getMessage();
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
    fail("PostgreSQL " + this + " did not accept a login within " + COMMAND_TIMEOUT.toSeconds() + " s of its start: "
        + why);
  }

  private void expectSuccess(KvProgram.Result result, String what) {
    if (result.exitCode() != 0) {
      fail("pg_ctlcluster " + version + " " + name + " " + what + " failed (are the tests run as root?): "
          + result.describe());
    }
  }

  private static KvProgram.Result run(String... command) {
    try {
      return KvProgram.run(List.of(command), null, new byte[0], COMMAND_TIMEOUT);
    } catch (UncheckedIOException e) {
      fail("cannot run " + command[0] + " (Debian's postgresql-common; `kv-cluster/postgres-setup.sh` installs "
          + "nothing, ./test installs postgresql): " + e.getMessage());
      throw new AssertionError("unreachable");
    }
  }
}
