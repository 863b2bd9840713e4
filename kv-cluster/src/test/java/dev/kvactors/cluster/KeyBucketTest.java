package dev.kvactors.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeyBucketTest {

  @Test
  void keysWithTheSameHashTagShareABucket() {
    assertEquals(KeyBucket.entityId("{user1}.name", 1024), KeyBucket.entityId("{user1}.email", 1024));
    assertEquals(KeyBucket.entityId("{user1}.name", 1024), KeyBucket.entityId("user1", 1024));
  }

  @Test
  void anEmptyHashTagHashesTheWholeKey() {
    assertEquals(KeyBucket.entityId("{}.a", 1024), Integer.toString(Math.floorMod("{}.a".hashCode(), 1024)));
  }

  @Test
  void keysSpreadOverTheBuckets() {
    Set<String> used = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      used.add(KeyBucket.entityId("key:" + i, 64));
    }
    assertEquals(64, used.size());
    assertNotEquals(KeyBucket.entityId("a", 1024), KeyBucket.entityId("b", 1024));
  }

  @Test
  void rejectsASeedNodeWithoutAPort() {
    assertThrows(IllegalArgumentException.class, () -> ClusterSettings.parseHostPort("localhost"));
    assertThrows(IllegalArgumentException.class, () -> ClusterSettings.parseHostPort("localhost:x"));
    assertEquals(new ClusterSettings.HostPort("h", 1), ClusterSettings.parseHostPort("h:1"));
  }
}
