package dev.kvactors.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.kvactors.KeyValueStore;
import dev.kvactors.Router;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Three cluster nodes as three actor systems in one JVM on loopback, on the tests' PostgreSQL
 * database: every key written through one node is read through every node, and after the whole
 * cluster stops, a new node alone recovers every key from the journal.
 */
@Tag(TestDatabase.TAG)
class ThreeNodesInOneJvmTest {
  private static final Duration ASK = Duration.ofSeconds(30);
  private final List<ActorSystem<Void>> nodes = new ArrayList<>();

  @AfterEach
  void stopNodes() {
    for (ActorSystem<Void> node : nodes) {
      node.terminate();
    }
    for (ActorSystem<Void> node : nodes) {
      node.getWhenTerminated().toCompletableFuture().join();
    }
  }

  @Test
  void everyNodeServesEveryKeyAndTheJournalKeepsThemAll() throws Exception {
    TestDatabase.requireEmpty(ConfigFactory.load());
    int[] ports = freePorts(3);
    String seed = "127.0.0.1:" + ports[0];
    for (int port : ports) {
      nodes.add(startNode(port, seed));
    }
    awaitUp(nodes, 3);

    int keys = 300;
    List<CompletableFuture<KeyValueStore.Stored>> writes = new ArrayList<>();
    for (int i = 0; i < keys; i++) {
      String key = "key:" + i;
      String value = "value-" + i;
      writes.add(ask(nodes.get(i % 3), to -> KeyValueStore.Set.of(key, value, to)));
    }
    for (CompletableFuture<KeyValueStore.Stored> write : writes) {
      assertTrue(write.get(ASK.toSeconds(), TimeUnit.SECONDS).applied());
    }
    List<CompletableFuture<KeyValueStore.Deleted>> deletes = new ArrayList<>();
    for (int i = 0; i < keys; i += 10) {
      String key = "key:" + i;
      deletes.add(ask(nodes.get((i + 1) % 3), to -> new KeyValueStore.Delete(key, to)));
    }
    for (CompletableFuture<KeyValueStore.Deleted> delete : deletes) {
      assertTrue(delete.get(ASK.toSeconds(), TimeUnit.SECONDS).existed());
    }
    assertEveryKeyReadThroughEveryNode(nodes, keys);
    for (ActorSystem<Void> node : nodes) {
      String info = ClusterInfo.lines(node).toCompletableFuture().get(ASK.toSeconds(), TimeUnit.SECONDS);
      assertTrue(info.contains("kv_cluster_members:3\r\n"), info);
      assertTrue(info.contains("kv_cluster_unreachable:0\r\n"), info);
    }

    stopNodes();
    nodes.clear();
    ActorSystem<Void> alone = startNode(freePorts(1)[0], null);
    nodes.add(alone);
    awaitUp(nodes, 1);
    assertEveryKeyReadThroughEveryNode(nodes, keys);
  }

  @Test
  void conditionalSetsAndDeletesOfMissingKeysWriteNothing() throws Exception {
    TestDatabase.requireEmpty(ConfigFactory.load());
    nodes.add(startNode(freePorts(1)[0], null));
    awaitUp(nodes, 1);
    ActorSystem<Void> node = nodes.get(0);
    KeyValueStore.Stored absent = ThreeNodesInOneJvmTest.<KeyValueStore.Stored>ask(node, to -> KeyValueStore.Set.of("k", "v",
        KeyValueStore.Condition.IF_PRESENT, to)).get(ASK.toSeconds(), TimeUnit.SECONDS);
    assertFalse(absent.applied());
    assertTrue(ThreeNodesInOneJvmTest.<KeyValueStore.Stored>ask(node, to -> KeyValueStore.Set.of("k", "v1", KeyValueStore.Condition.IF_ABSENT, to))
        .get(ASK.toSeconds(), TimeUnit.SECONDS).applied());
    KeyValueStore.Stored again = ThreeNodesInOneJvmTest.<KeyValueStore.Stored>ask(node, to -> KeyValueStore.Set.of("k", "v2",
        KeyValueStore.Condition.IF_ABSENT, to)).get(ASK.toSeconds(), TimeUnit.SECONDS);
    assertFalse(again.applied());
    assertEquals("v1", new String(again.previous().orElseThrow(), java.nio.charset.StandardCharsets.UTF_8));
    assertFalse(ThreeNodesInOneJvmTest.<KeyValueStore.Deleted>ask(node, to -> new KeyValueStore.Delete("missing", to))
        .get(ASK.toSeconds(), TimeUnit.SECONDS).existed());
  }

  @Test
  void incrementsThroughEveryNodeLoseNothingAndAnswersCrossNodes() throws Exception {
    TestDatabase.requireEmpty(ConfigFactory.load());
    int[] ports = freePorts(3);
    String seed = "127.0.0.1:" + ports[0];
    for (int port : ports) {
      nodes.add(startNode(port, seed));
    }
    awaitUp(nodes, 3);

    // 8 callers, each 100 increments one after another, through the three nodes.
    List<CompletableFuture<Long>> callers = new ArrayList<>();
    for (int c = 0; c < 8; c++) {
      ActorSystem<Void> node = nodes.get(c % 3);
      CompletableFuture<Long> chain = CompletableFuture.completedFuture(0L);
      for (int i = 0; i < 100; i++) {
        chain = chain.thenCompose(previous -> ThreeNodesInOneJvmTest.<Long>ask(node,
            to -> new KeyValueStore.Execute<>(new dev.kvactors.Op.Increment("counter", 1), to)));
      }
      callers.add(chain);
    }
    for (CompletableFuture<Long> caller : callers) {
      caller.get(5 * ASK.toSeconds(), TimeUnit.SECONDS);
    }
    for (ActorSystem<Void> node : nodes) {
      assertEquals(Optional.of("800"), ThreeNodesInOneJvmTest.<KeyValueStore.Value>ask(node,
          to -> new KeyValueStore.Get("counter", to)).get(ASK.toSeconds(), TimeUnit.SECONDS).asString());
    }

    // Errors and transactions answered by a bucket on another node arrive as they left it.
    for (ActorSystem<Void> node : nodes) {
      ThreeNodesInOneJvmTest.<KeyValueStore.Stored>ask(node, to -> KeyValueStore.Set.of("{t}text", "x", to))
          .get(ASK.toSeconds(), TimeUnit.SECONDS);
      java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
          java.util.concurrent.ExecutionException.class, () -> ThreeNodesInOneJvmTest.<Long>ask(node,
              to -> new KeyValueStore.Execute<>(new dev.kvactors.Op.Increment("{t}text", 1), to))
              .get(ASK.toSeconds(), TimeUnit.SECONDS));
      dev.kvactors.KvException.OperationFailed failed = org.junit.jupiter.api.Assertions.assertInstanceOf(
          dev.kvactors.KvException.OperationFailed.class, e.getCause());
      assertEquals(dev.kvactors.KvException.OperationFailed.Reason.NOT_AN_INTEGER, failed.reason());
      KeyValueStore.Executed executed = ThreeNodesInOneJvmTest.<KeyValueStore.Executed>ask(node,
          to -> new KeyValueStore.Transaction(List.of(new dev.kvactors.Op.Set("{t}a", "1".getBytes()),
              new dev.kvactors.Op.Increment("{t}a", 1), new dev.kvactors.Op.Ttl("{t}a")), null, to))
          .get(ASK.toSeconds(), TimeUnit.SECONDS);
      assertEquals(2L, executed.results().get(1).getValue());
      assertEquals(-1L, ((KeyValueStore.TimeToLive) executed.results().get(2).getValue()).pttl());
    }
    // A watch through one node, a change through another: the transaction through the first aborts.
    KeyValueStore.Watcher watcher = KeyValueStore.Watcher.next();
    ThreeNodesInOneJvmTest.<KeyValueStore.Done>ask(nodes.get(0),
        to -> new KeyValueStore.Watch(watcher, List.of("{t}a"), to)).get(ASK.toSeconds(), TimeUnit.SECONDS);
    ThreeNodesInOneJvmTest.<KeyValueStore.Stored>ask(nodes.get(1), to -> KeyValueStore.Set.of("{t}a", "5", to))
        .get(ASK.toSeconds(), TimeUnit.SECONDS);
    assertTrue(ThreeNodesInOneJvmTest.<KeyValueStore.Executed>ask(nodes.get(0), to -> new KeyValueStore.Transaction(
        List.of(new dev.kvactors.Op.Increment("{t}a", 1)), watcher, to)).get(ASK.toSeconds(), TimeUnit.SECONDS)
        .aborted());
    assertEquals(Optional.of("5"), ThreeNodesInOneJvmTest.<KeyValueStore.Value>ask(nodes.get(2),
        to -> new KeyValueStore.Get("{t}a", to)).get(ASK.toSeconds(), TimeUnit.SECONDS).asString());
  }

  private static void assertEveryKeyReadThroughEveryNode(List<ActorSystem<Void>> nodes, int keys) throws Exception {
    for (ActorSystem<Void> node : nodes) {
      List<CompletableFuture<KeyValueStore.Value>> reads = new ArrayList<>();
      for (int i = 0; i < keys; i++) {
        String key = "key:" + i;
        reads.add(ask(node, to -> new KeyValueStore.Get(key, to)));
      }
      for (int i = 0; i < keys; i++) {
        Optional<String> expected = i % 10 == 0 ? Optional.empty() : Optional.of("value-" + i);
        assertEquals(expected, reads.get(i).get(ASK.toSeconds(), TimeUnit.SECONDS).asString(),
            "key:" + i + " read through " + Cluster.get(node).selfMember().address());
      }
    }
  }

  static ActorSystem<Void> startNode(int port, String seed) {
    Config config = ConfigFactory.parseString("kv.cluster.port = " + port + "\n"
            + "kv.cluster.seed-nodes = [\"" + (seed != null ? seed : "127.0.0.1:" + port) + "\"]\n")
        .withFallback(ConfigFactory.load());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), KvCluster.SYSTEM_NAME,
        KvCluster.systemConfig(config));
    KvCluster.get(system);
    return system;
  }

  static void awaitUp(List<ActorSystem<Void>> nodes, int members) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (ActorSystem<Void> node : nodes) {
      while (upMembers(node) < members) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(Cluster.get(node).selfMember().address() + " sees " + upMembers(node)
              + " members up, not " + members + ", after 60 s");
        }
        Thread.sleep(50);
      }
    }
    // Every region registered with the shard coordinator: no shard is then allocated to a subset
    // of the nodes and moved (rebalanced) while the test's first requests are on their way.
    for (ActorSystem<Void> node : nodes) {
      while (regions(node) < members) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("the shard coordinator knows " + regions(node) + " regions, not " + members);
        }
        Thread.sleep(50);
      }
    }
  }

  private static int regions(ActorSystem<Void> node) {
    try {
      return AskPattern.<org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery,
              org.apache.pekko.cluster.sharding.ShardRegion.ClusterShardingStats>ask(
              org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding.get(node).shardState(),
              to -> new org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats(KeyBucket.TYPE_KEY,
                  Duration.ofSeconds(3), to), Duration.ofSeconds(5), node.scheduler())
          .toCompletableFuture().get(10, TimeUnit.SECONDS).getRegions().size();
    } catch (Exception e) {
      return 0;
    }
  }

  private static long upMembers(ActorSystem<Void> node) {
    int n = 0;
    for (org.apache.pekko.cluster.Member m : Cluster.get(node).state().getMembers()) {
      if (m.status().equals(MemberStatus.up())) {
        n++;
      }
    }
    return n;
  }

  static <T> CompletableFuture<T> ask(ActorSystem<Void> node,
      org.apache.pekko.japi.function.Function<ActorRef<org.apache.pekko.pattern.StatusReply<T>>, Router.Command> request) {
    return AskPattern.askWithStatus(KvCluster.get(node).router(), request, ASK, node.scheduler()).toCompletableFuture();
  }

  static int[] freePorts(int n) throws IOException {
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
