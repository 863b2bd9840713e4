package dev.kvactors.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeedRewriteStoreTest {
  @TempDir
  Path dir;

  @Test
  void rewritesTheWholeMapAsJsonOnEverySetAndReadsItBack() throws Exception {
    try (SeedRewriteStore store = SeedRewriteStore.open(dir)) {
      assertNull(store.get("a").join());
      store.putAll(Map.of("a", bytes("1"), "b", bytes("2")));
      store.set("c", bytes("3")).join();
      store.set("a", bytes("one")).join();
      JsonNode file = new ObjectMapper().readTree(dir.resolve("data.json").toFile());
      assertEquals(3, file.size());
    }
    try (SeedRewriteStore reopened = SeedRewriteStore.open(dir)) {
      assertArrayEquals(bytes("one"), reopened.get("a").join());
      assertArrayEquals(bytes("2"), reopened.get("b").join());
      assertArrayEquals(bytes("3"), reopened.get("c").join());
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
