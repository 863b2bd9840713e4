package dev.kvactors.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * PostgreSQL itself killed under load: three {@code kv serve --cluster} processes on loopback, a
 * known set of keys written first, then eight RESP clients spread over the nodes, each setting its
 * own keys and reading its own and the known keys, while the journal's PostgreSQL cluster is
 * stopped hard ({@code pg_ctlcluster V NAME stop -m immediate}: every backend killed, no
 * checkpoint) for {@code -Dkv.pgkill.outage-seconds} (default 8) and started again.
 *
 * <p>Checked: no write is acknowledged while the database is down; every write that fails then gets
 * an error reply naming the journal's database and saying to retry; reads of keys loaded before
 * go on; once PostgreSQL is back, every key is written successfully again within a bounded time;
 * afterwards every acknowledged write (before, during, after) is readable through every node with
 * its acknowledged or a later attempted value, and no value that was never written appears. The
 * figures (outage, writes acknowledged/failed and reads served during it, time until writes succeed
 * again) are printed.
 *
 * <p>The cluster is the one {@code pg_lsclusters} shows on the port of {@code -Dkv.test.pg.url}
 * (default the tests' {@code kv_test} on 5432): this test needs root to stop and start it, and
 * always starts it again, also when it fails. Fails, never skips, without PostgreSQL.
 */
@Tag("postgres")
class PostgresKillSystemTest {
  private static final String PG_URL = System.getProperty("kv.test.pg.url",
      "jdbc:postgresql://127.0.0.1:5432/kv_test");
  private static final int NODES = 3;
  private static final int CLIENTS = 8;
  private static final int KEYS_PER_CLIENT = 40;
  private static final int KNOWN_KEYS = 100;
  private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(120);

  @TempDir
  Path dir;

  /** One client's key: only that client writes it, so its sequence numbers only grow. */
  private static final class KeyState {
    volatile long acked = -1;
    volatile long attempted = -1;
    /** Whether a write of it was acknowledged before PostgreSQL was stopped (its bucket is loaded then). */
    volatile boolean loaded;
    /** When the first write of this key started after PostgreSQL was back was acknowledged (0: not yet). */
    volatile long writableAgainAt;
  }

  /** One request a client made: when it started and ended, what it was, and its error if it failed. */
  private record Op(long start, long end, Kind kind, String error) {
    boolean ok() {
      return error == null;
    }

    boolean startedWithin(long from, long until) {
      return start >= from && start < until;
    }
  }

  private enum Kind { WRITE, READ_OWN, READ_OWN_NEW, READ_KNOWN }

  /** The moments the main thread marks: PostgreSQL down from {@code downFrom} until {@code downUntil}. */
  private static final class Clock {
    volatile long downFrom = Long.MAX_VALUE;
    volatile long downUntil = Long.MAX_VALUE;
    volatile long upAt = Long.MAX_VALUE;
  }

  @Test
  void killingPostgresUnderLoadFailsWritesClearlyAndLosesNothingAcknowledged() throws Exception {
    PostgresCluster postgres = PostgresCluster.serving(PG_URL);
    emptyJournal();
    long outageMillis = TimeUnit.SECONDS.toMillis(Long.getLong("kv.pgkill.outage-seconds", 8));
    int[] nodePorts = freePorts(NODES);
    List<String> seeds = new ArrayList<>();
    for (int p : nodePorts) {
      seeds.add("127.0.0.1:" + p);
    }
    ClusterNodeProcess[] nodes = new ClusterNodeProcess[NODES];
    Thread restartOnExit = new Thread(() -> startQuietly(postgres), "restart-postgres");
    try {
      nodes[0] = start(0, nodePorts[0], seeds);
      List<Process> others = new ArrayList<>();
      for (int i = 1; i < NODES; i++) {
        others.add(ClusterNodeProcess.launch(dir.resolve("node-" + i), stderr(i), nodePorts[i], seeds, PG_URL));
      }
      for (int i = 1; i < NODES; i++) {
        nodes[i] = ClusterNodeProcess.awaitListening(others.get(i - 1), nodePorts[i], stderr(i));
      }
      for (ClusterNodeProcess node : nodes) {
        awaitInfo(node, "kv_cluster_members:" + NODES + "\r\n");
      }
      writeKnownKeys(nodes);

      KeyState[][] keys = new KeyState[CLIENTS][KEYS_PER_CLIENT];
      List<List<Op>> ops = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        for (int k = 0; k < KEYS_PER_CLIENT; k++) {
          keys[c][k] = new KeyState();
        }
        ops.add(new ArrayList<>());
      }
      Clock clock = new Clock();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong acks = new AtomicLong();
      List<String> violations = Collections.synchronizedList(new ArrayList<>());
      List<Thread> clients = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        int client = c;
        Thread t = new Thread(() -> clientLoop(client, nodes[client % NODES], keys[client], clock, stop, acks,
            ops.get(client), violations), "client-" + c);
        t.start();
        clients.add(t);
      }

      long loadDeadline = System.nanoTime() + DEADLINE_NANOS;
      while (acks.get() < 300) {
        if (System.nanoTime() > loadDeadline) {
          fail("the cluster acknowledged only " + acks.get() + " writes in 120 s before the outage");
        }
        Thread.sleep(20);
      }
      long acksBefore = acks.get();
      Runtime.getRuntime().addShutdownHook(restartOnExit); // a JVM cut short must not leave it down
      long killAt = System.nanoTime();
      postgres.stopImmediately();
      clock.downFrom = System.nanoTime();
      Thread.sleep(outageMillis);
      clock.downUntil = System.nanoTime();
      postgres.start(PG_URL);
      clock.upAt = System.nanoTime();
      Runtime.getRuntime().removeShutdownHook(restartOnExit);
      System.out.printf("PostgreSQL %s stopped (-m immediate) after %d acknowledged writes; stop took %d ms; down "
          + "%d ms; start took %d ms%n", postgres, acksBefore, millis(clock.downFrom - killAt),
          millis(clock.downUntil - clock.downFrom), millis(clock.upAt - clock.downUntil));

      long writableDeadline = clock.upAt + DEADLINE_NANOS;
      while (!everyKeyWritableAgain(keys)) {
        if (System.nanoTime() > writableDeadline) {
          fail("120 s after PostgreSQL was back, some keys could still not be written");
        }
        Thread.sleep(50);
      }
      Thread.sleep(1000); // a little more load once everything is writable again
      stop.set(true);
      for (Thread t : clients) {
        t.join(TimeUnit.SECONDS.toMillis(60));
      }

      Outage outage = Outage.of(ops, clock);
      System.out.println(outage.describe(clock, keys));
      outage.errors.forEach((message, count) -> System.out.println("  during the outage " + count + " x: " + message));

      for (ClusterNodeProcess node : nodes) {
        check(node, keys, violations);
      }
      System.out.printf("after the outage: %d acknowledged writes in all; every key and every known key read "
          + "through all %d nodes; violations: %d%n", acks.get(), NODES, violations.size());

      assertEquals(List.of(), violations.subList(0, Math.min(20, violations.size())), "lost or invented values");
      assertEquals(0, outage.writesAckedWhileDown, "writes acknowledged while PostgreSQL was down");
      assertEquals(List.of(), outage.unclearErrors(), "error replies during the outage that do not say the journal's "
          + "database is unavailable and to retry");
      assertEquals(0, outage.knownReadsFailed, "reads of known keys (loaded before, never written since) that "
          + "failed while PostgreSQL was down");
      assertEquals(0, outage.ownReadsFailed, "reads of keys written before the stop (their buckets loaded, and "
          + "written during the outage) that failed while PostgreSQL was down");
      if (outage.writesFailed == 0 || outage.knownReadsOk == 0) {
        fail("no write or no read of a known key was even tried while PostgreSQL was down: the outage did not meet "
            + "the load");
      }
      for (ClusterNodeProcess node : nodes) {
        node.stop();
      }
    } finally {
      try {
        for (ClusterNodeProcess node : nodes) {
          if (node != null) {
            node.close();
          }
        }
      } finally {
        // Other tests (and ./test's later steps) need it: start it whatever happened above.
        try {
          Runtime.getRuntime().removeShutdownHook(restartOnExit);
        } catch (IllegalStateException e) {
          // the JVM is already shutting down: the hook runs
        }
        postgres.start(PG_URL);
      }
    }
  }

  /**
   * What happened to the requests that started while PostgreSQL was down (after its stop returned,
   * before its start began). A write among them acknowledged before the start began is one
   * acknowledged while the database was down.
   */
  private static final class Outage {
    long writesAckedWhileDown;
    long writesAckedAfterStart;
    long writesFailed;
    final List<Long> failedWriteMillis = new ArrayList<>();
    long knownReadsOk;
    long knownReadsFailed;
    long ownReadsOk;
    long ownReadsFailed;
    long newReadsOk;
    long newReadsFailed;
    /** Error texts with their numbers normalized, and how often each came. */
    final TreeMap<String, Integer> errors = new TreeMap<>();
    long firstAckAfterStart = Long.MAX_VALUE;

    static Outage of(List<List<Op>> ops, Clock clock) {
      Outage o = new Outage();
      for (List<Op> client : ops) {
        for (Op op : client) {
          if (op.kind() == Kind.WRITE && op.ok() && op.start() >= clock.upAt) {
            o.firstAckAfterStart = Math.min(o.firstAckAfterStart, op.end());
          }
          if (!op.startedWithin(clock.downFrom, clock.downUntil)) {
            continue;
          }
          if (!op.ok()) {
            o.errors.merge(op.error().replaceAll("\\d+", "N"), 1, Integer::sum);
          }
          switch (op.kind()) {
            case WRITE -> {
              if (op.ok() && op.end() < clock.downUntil) {
                o.writesAckedWhileDown++;
              } else if (op.ok()) {
                o.writesAckedAfterStart++;
              } else {
                o.writesFailed++;
                o.failedWriteMillis.add(millis(op.end() - op.start()));
              }
            }
            case READ_KNOWN -> {
              if (op.ok()) {
                o.knownReadsOk++;
              } else {
                o.knownReadsFailed++;
              }
            }
            case READ_OWN -> {
              if (op.ok()) {
                o.ownReadsOk++;
              } else {
                o.ownReadsFailed++;
              }
            }
            case READ_OWN_NEW -> {
              if (op.ok()) {
                o.newReadsOk++;
              } else {
                o.newReadsFailed++;
              }
            }
            default -> throw new IllegalStateException(op.kind().toString());
          }
        }
      }
      return o;
    }

    /** The error texts that do not name the journal's database as unavailable and say to retry. */
    List<String> unclearErrors() {
      List<String> unclear = new ArrayList<>();
      for (String message : errors.keySet()) {
        String m = message.toLowerCase(Locale.ROOT);
        if (!(m.contains("database") && m.contains("unavailable") && m.contains("retry"))) {
          unclear.add(message);
        }
      }
      return unclear;
    }

    String describe(Clock clock, KeyState[][] keys) {
      long everyKey = 0;
      for (KeyState[] row : keys) {
        for (KeyState key : row) {
          everyKey = Math.max(everyKey, key.writableAgainAt);
        }
      }
      Collections.sort(failedWriteMillis);
      String latency = failedWriteMillis.isEmpty() ? "-"
          : "median " + failedWriteMillis.get(failedWriteMillis.size() / 2)
          + " ms, max " + failedWriteMillis.get(failedWriteMillis.size() - 1) + " ms";
      return String.format("requests started during the %d ms outage: writes acknowledged while down %d, "
          + "acknowledged once it was back %d, failed %d (time to the error: %s); reads of known keys (written "
          + "before, never since) ok %d, failed %d; reads of the clients' own keys (buckets being written): "
          + "acknowledged before the stop ok %d, failed %d, not written before it ok %d, failed %d. After the "
          + "start: first write acknowledged %d ms after PostgreSQL was back, every key written successfully "
          + "again %d ms after", millis(clock.downUntil - clock.downFrom), writesAckedWhileDown,
          writesAckedAfterStart, writesFailed, latency, knownReadsOk, knownReadsFailed, ownReadsOk,
          ownReadsFailed, newReadsOk, newReadsFailed, millis(firstAckAfterStart - clock.upAt),
          millis(everyKey - clock.upAt));
    }
  }

  /**
   * One client through one node: sets its keys in turn, and after each set reads that key (it must
   * see at least the last acknowledged value) and one known key (it must see its value). Errors
   * are recorded, and the client goes on.
   */
  private static void clientLoop(int client, ClusterNodeProcess node, KeyState[] keys, Clock clock,
      AtomicBoolean stop, AtomicLong acks, List<Op> ops, List<String> violations) {
    Random random = new Random(client);
    Jedis jedis = null;
    long seq = 0;
    try {
      while (!stop.get()) {
        for (int k = 0; k < keys.length && !stop.get(); k++) {
          KeyState key = keys[k];
          if (jedis == null) {
            jedis = new Jedis("127.0.0.1", node.port(), 15_000);
          }
          seq++;
          key.attempted = seq;
          long start = System.nanoTime();
          String error = null;
          try {
            String reply = jedis.set(key(client, k), value(client, seq));
            if ("OK".equals(reply)) {
              key.acked = seq;
              acks.incrementAndGet();
              if (System.nanoTime() < clock.downFrom) {
                key.loaded = true;
              }
              if (start >= clock.upAt && key.writableAgainAt == 0) {
                key.writableAgainAt = System.nanoTime();
              }
            } else {
              error = "unexpected reply " + reply;
            }
          } catch (JedisException e) {
            error = describe(e);
            jedis = reconnectUnlessDataError(jedis, e);
          }
          ops.add(new Op(start, System.nanoTime(), Kind.WRITE, error));
          if (jedis == null) {
            continue;
          }

          long acked = key.acked;
          Kind kind = key.loaded ? Kind.READ_OWN : Kind.READ_OWN_NEW;
          start = System.nanoTime();
          try {
            String read = jedis.get(key(client, k));
            String violation = violation(client, acked, key.attempted, read);
            if (violation != null) {
              violations.add(key(client, k) + " read under load: " + violation);
            }
            error = null;
          } catch (JedisException e) {
            error = describe(e);
            jedis = reconnectUnlessDataError(jedis, e);
          }
          ops.add(new Op(start, System.nanoTime(), kind, error));
          if (jedis == null) {
            continue;
          }

          int known = random.nextInt(KNOWN_KEYS);
          start = System.nanoTime();
          try {
            String read = jedis.get(knownKey(known));
            if (!knownValue(known).equals(read)) {
              violations.add(knownKey(known) + " read under load: '" + read + "', not " + knownValue(known));
            }
            error = null;
          } catch (JedisException e) {
            error = describe(e);
            jedis = reconnectUnlessDataError(jedis, e);
          }
          ops.add(new Op(start, System.nanoTime(), Kind.READ_KNOWN, error));
        }
      }
    } finally {
      if (jedis != null) {
        jedis.close();
      }
    }
  }

  private static String describe(JedisException e) {
    return e instanceof JedisDataException ? e.getMessage() : "no reply: " + e;
  }

  /** An error reply keeps the connection; anything else (a timeout, a closed socket) drops it. */
  private static Jedis reconnectUnlessDataError(Jedis jedis, JedisException e) {
    if (e instanceof JedisDataException) {
      return jedis;
    }
    jedis.close();
    return null;
  }

  private static boolean everyKeyWritableAgain(KeyState[][] keys) {
    for (KeyState[] row : keys) {
      for (KeyState key : row) {
        if (key.writableAgainAt == 0) {
          return false;
        }
      }
    }
    return true;
  }

  /** Sets every known key (retrying until acknowledged) through the nodes in turn; reads each through every node. */
  private static void writeKnownKeys(ClusterNodeProcess[] nodes) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE_NANOS;
    for (int i = 0; i < KNOWN_KEYS; i++) {
      while (true) {
        try (Jedis jedis = new Jedis("127.0.0.1", nodes[i % nodes.length].port(), 15_000)) {
          if ("OK".equals(jedis.set(knownKey(i), knownValue(i)))) {
            break;
          }
        } catch (JedisException e) {
          if (System.nanoTime() > deadline) {
            fail("the cluster did not take " + knownKey(i) + " within 120 s: " + e.getMessage());
          }
          Thread.sleep(200);
        }
      }
    }
    for (ClusterNodeProcess node : nodes) {
      try (Jedis jedis = new Jedis("127.0.0.1", node.port(), 15_000)) {
        for (int i = 0; i < KNOWN_KEYS; i++) {
          assertEquals(knownValue(i), jedis.get(knownKey(i)), knownKey(i) + " through cluster port " + node.nodePort());
        }
      }
    }
  }

  /** Reads every client key and known key through {@code node} (retrying errors until the deadline) and checks it. */
  private static void check(ClusterNodeProcess node, KeyState[][] keys, List<String> violations)
      throws InterruptedException {
    for (int c = 0; c < CLIENTS; c++) {
      for (int k = 0; k < KEYS_PER_CLIENT; k++) {
        String violation = violation(c, keys[c][k].acked, keys[c][k].attempted, read(node, key(c, k)));
        if (violation != null) {
          violations.add(key(c, k) + " through cluster port " + node.nodePort() + ": " + violation);
        }
      }
    }
    for (int i = 0; i < KNOWN_KEYS; i++) {
      String value = read(node, knownKey(i));
      if (!knownValue(i).equals(value)) {
        violations.add(knownKey(i) + " through cluster port " + node.nodePort() + ": '" + value + "'");
      }
    }
  }

  private static String read(ClusterNodeProcess node, String key) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE_NANOS;
    while (true) {
      try (Jedis jedis = new Jedis("127.0.0.1", node.port(), 15_000)) {
        return jedis.get(key);
      } catch (JedisException e) {
        if (System.nanoTime() > deadline) {
          fail("node on cluster port " + node.nodePort() + " did not serve " + key + ": " + e.getMessage());
        }
        Thread.sleep(100);
      }
    }
  }

  /** Null when {@code value} is the acknowledged one or a later attempted one of {@code client}'s key. */
  private static String violation(int client, long acked, long attempted, String value) {
    if (value == null) {
      return acked < 0 ? null : "missing, acknowledged seq " + acked;
    }
    String prefix = "c" + client + ":";
    long seq;
    try {
      seq = value.startsWith(prefix) ? Long.parseLong(value.substring(prefix.length())) : -1;
    } catch (NumberFormatException e) {
      seq = -1;
    }
    if (seq < 0 || seq > attempted) {
      return "value '" + value + "' was never written to it (last attempted seq " + attempted + ")";
    }
    if (seq < acked) {
      return "value seq " + seq + " is older than the acknowledged seq " + acked;
    }
    return null;
  }

  private static String key(int client, int k) {
    return "c" + client + ":k" + k;
  }

  private static String value(int client, long seq) {
    return "c" + client + ":" + seq;
  }

  private static String knownKey(int i) {
    return "known:" + i;
  }

  private static String knownValue(int i) {
    return "known-value-" + i;
  }

  private static long millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  private ClusterNodeProcess start(int i, int nodePort, List<String> seeds) {
    Process process = ClusterNodeProcess.launch(dir.resolve("node-" + i), stderr(i), nodePort, seeds, PG_URL);
    return ClusterNodeProcess.awaitListening(process, nodePort, stderr(i));
  }

  private Path stderr(int i) {
    return dir.resolve("node-" + i + ".err");
  }

  /** Waits until {@code INFO cluster} through {@code node} shows {@code line}. */
  private static void awaitInfo(ClusterNodeProcess node, String line) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE_NANOS;
    String info = "";
    while (!info.contains(line)) {
      if (System.nanoTime() > deadline) {
        fail("INFO cluster through cluster port " + node.nodePort() + " never showed " + line.strip() + ": " + info);
      }
      try (Jedis jedis = new Jedis("127.0.0.1", node.port(), 15_000)) {
        info = jedis.info("cluster");
      } catch (JedisException e) {
        info = e.toString();
      }
      if (!info.contains(line)) {
        Thread.sleep(200);
      }
    }
  }

  private static void startQuietly(PostgresCluster postgres) {
    try {
      postgres.start(PG_URL);
    } catch (Throwable e) {
      System.err.println("could not start PostgreSQL " + postgres + " again: " + e);
    }
  }

  /** Fails with how to get PostgreSQL when it is not there; empties the journal of earlier runs. */
  private static void emptyJournal() {
    try (Connection c = DriverManager.getConnection(PG_URL, "kv", "kv"); Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT to_regclass('public.event_journal') IS NOT NULL")) {
        rs.next();
        if (rs.getBoolean(1)) {
          st.execute("TRUNCATE event_journal, event_tag, snapshot");
        }
      }
    } catch (SQLException e) {
      fail("PostgreSQL is not reachable at " + PG_URL + " as user kv (" + e.getMessage() + "). Start it with "
          + "`sudo kv-cluster/postgres-setup.sh` (./test does), or run the tests that do not need it: "
          + "./mvnw verify -DexcludedGroups=postgres");
    }
  }

  private static int[] freePorts(int n) throws IOException {
    int[] ports = new int[n];
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0);
        sockets.add(s);
        ports[i] = s.getLocalPort();
      }
    } finally {
      for (ServerSocket s : sockets) {
        s.close();
      }
    }
    return ports;
  }
}
