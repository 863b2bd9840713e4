package dev.kvactors.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class InfoFieldsTest {
  /** What {@code INFO cluster} answered on a node of three (ClusterInfo's fields). */
  private static final String THREE_UP = "# Cluster\r\n"
      + "cluster_enabled:0\r\n"
      + "kv_cluster_self:pekko://kv@127.0.0.1:25611\r\n"
      + "kv_cluster_self_status:Up\r\n"
      + "kv_cluster_leader:pekko://kv@127.0.0.1:25611\r\n"
      + "kv_cluster_members:3\r\n"
      + "kv_cluster_members_list:pekko://kv@127.0.0.1:25611=Up,pekko://kv@127.0.0.1:25612=Up,"
      + "pekko://kv@127.0.0.1:25613=Up\r\n"
      + "kv_cluster_unreachable:0\r\n"
      + "kv_cluster_unreachable_list:\r\n"
      + "kv_cluster_local_shards:1\r\n";

  @Test
  void readsTheFieldsOfAnInfoReplyAndSkipsSectionHeaders() {
    Map<String, String> fields = InfoFields.parse(THREE_UP);

    assertEquals("3", fields.get("kv_cluster_members"));
    assertEquals("pekko://kv@127.0.0.1:25611", fields.get("kv_cluster_self"));
    assertEquals("", fields.get("kv_cluster_unreachable_list"));
    assertFalse(fields.containsKey("# Cluster"));
  }

  @Test
  void threeMembersAllUpAreReady() {
    assertTrue(InfoFields.allUp(InfoFields.parse(THREE_UP), 3));
  }

  @Test
  void aMemberStillJoiningIsNotReady() {
    String joining = THREE_UP.replace("25613=Up", "25613=Joining");

    assertFalse(InfoFields.allUp(InfoFields.parse(joining), 3));
  }

  @Test
  void fewerMembersThanStartedIsNotReady() {
    String two = THREE_UP.replace("kv_cluster_members:3", "kv_cluster_members:2")
        .replace(",pekko://kv@127.0.0.1:25613=Up", "");

    assertFalse(InfoFields.allUp(InfoFields.parse(two), 3));
  }

  @Test
  void anUnreachableMemberIsNotReady() {
    String unreachable = THREE_UP.replace("kv_cluster_unreachable:0", "kv_cluster_unreachable:1");

    assertFalse(InfoFields.allUp(InfoFields.parse(unreachable), 3));
  }
}
