package dev.kvactors.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kvactors.internal.storage.Recovery;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MutexStoreTest {
  @TempDir
  Path dir;

  @Test
  void writesTheSameLogFormatAsKvActors() throws Exception {
    try (MutexStore store = MutexStore.create(dir)) {
      store.set("a", Scenarios.value(1));
      store.set("b", Scenarios.value(2));
      store.set("a", Scenarios.value(3));
      assertEquals(2, store.size());
    }
    Recovery.State state = Recovery.read(dir, Long.MAX_VALUE, false);
    assertEquals(3, state.recordsReplayed());
    assertArrayEquals(Scenarios.value(3), state.entries().get("a"));
    assertArrayEquals(Scenarios.value(2), state.entries().get("b"));
  }
}
