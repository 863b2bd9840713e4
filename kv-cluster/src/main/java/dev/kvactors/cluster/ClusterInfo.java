package dev.kvactors.cluster;

import dev.kvactors.internal.Futures;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The {@code cluster} section of INFO on a cluster node: this node, the members and their status,
 * the unreachable ones, and how many shards (and buckets) run on this node. Fields are
 * {@code kv_cluster_*}; {@code cluster_enabled} stays 0, as the Redis Cluster protocol is not
 * spoken (any node serves every key).
 */
public final class ClusterInfo {
  private ClusterInfo() {}

  /**
   * The section's lines, once this node's shard region has answered.
   *
   * @param system a cluster node's actor system (with {@link KvCluster} started)
   * @return the {@code field:value} lines, each ending in CRLF
   */
  public static CompletionStage<String> lines(ActorSystem<?> system) {
    Cluster cluster = Cluster.get(system);
    ClusterEvent.CurrentClusterState state = cluster.state();
    List<Member> members = StreamSupport.stream(state.getMembers().spliterator(), false)
        .sorted(Comparator.comparing(m -> m.address().toString())).toList();
    List<String> unreachable = state.getUnreachable().stream().map(m -> m.address().toString()).sorted().toList();
    Duration timeout = Duration.ofSeconds(3);
    return Futures.direct(AskPattern.<org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery,
            ShardRegion.CurrentShardRegionState>ask(ClusterSharding.get(system).shardState(),
            to -> new GetShardRegionState(KeyBucket.TYPE_KEY, to), timeout, system.scheduler()))
        .handle((regionState, error) -> {
          StringBuilder out = new StringBuilder()
              .append("cluster_enabled:0\r\n")
              .append("kv_cluster_self:").append(cluster.selfMember().address()).append("\r\n")
              .append("kv_cluster_self_status:").append(cluster.selfMember().status()).append("\r\n")
              .append("kv_cluster_leader:").append(state.getLeader() == null ? "" : state.getLeader()).append("\r\n")
              .append("kv_cluster_members:").append(members.size()).append("\r\n")
              .append("kv_cluster_members_list:").append(String.join(",", members.stream()
                  .map(m -> m.address() + "=" + m.status()).toList())).append("\r\n")
              .append("kv_cluster_unreachable:").append(unreachable.size()).append("\r\n")
              .append("kv_cluster_unreachable_list:").append(String.join(",", unreachable)).append("\r\n");
          if (regionState != null) {
            int buckets = regionState.getShards().stream().mapToInt(s -> s.getEntityIds().size()).sum();
            out.append("kv_cluster_local_shards:").append(regionState.getShards().size()).append("\r\n")
                .append("kv_cluster_local_buckets:").append(buckets).append("\r\n");
          } else {
            out.append("kv_cluster_local_shards:?\r\n");
          }
          return out.toString();
        });
  }
}
