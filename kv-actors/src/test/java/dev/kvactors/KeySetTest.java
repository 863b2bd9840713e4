package dev.kvactors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeySetTest {

  @Test
  void isPersistentAVersionHandedOutNeverChanges() {
    KeySet before = KeySet.of(List.of("a", "b"));
    KeySet after = before.with("c").without("a");
    assertEquals(List.of("a", "b"), before.sorted(""));
    assertEquals(List.of("b", "c"), after.sorted(""));
    assertEquals(2, after.size());
    assertEquals(after.size(), after.with("b").size(), "adding a present key changes nothing");
  }

  @Test
  void aScanInStepsReturnsEveryKeyPresentThroughoutExactlyOnceWhileKeysComeAndGo() {
    KeySet keys = KeySet.EMPTY;
    for (int i = 0; i < 5_000; i++) {
      keys = keys.with("stable:" + i);
    }
    for (int i = 0; i < 2_000; i++) {
      keys = keys.with("moving:" + i);
    }
    Map<String, Integer> seen = new HashMap<>();
    long cursor = 0;
    int steps = 0;
    int added = 0;
    do {
      KeySet.Page page = keys.scan(cursor, 37, key -> true);
      assertTrue(page.keys().size() <= 40, "a step looks at about COUNT keys: " + page.keys().size());
      page.keys().forEach(k -> seen.merge(k, 1, Integer::sum));
      cursor = page.next();
      // Between steps other clients add and delete keys.
      keys = keys.without("moving:" + steps).with("new:" + added++);
      steps++;
    } while (cursor != 0);
    for (int i = 0; i < 5_000; i++) {
      assertEquals(1, seen.get("stable:" + i), "stable:" + i);
    }
    assertTrue(steps >= 7_000 / 37, "steps " + steps);
    seen.values().forEach(n -> assertEquals(1, n));
  }

  @Test
  void aScanStepFiltersWhatItLooksAtAndMayReturnNothing() {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      names.add("k" + i);
    }
    KeySet keys = KeySet.of(names);
    Set<String> matched = new HashSet<>();
    long cursor = 0;
    int emptySteps = 0;
    do {
      KeySet.Page page = keys.scan(cursor, 10, "k7"::equals);
      emptySteps += page.keys().isEmpty() ? 1 : 0;
      matched.addAll(page.keys());
      cursor = page.next();
    } while (cursor != 0);
    assertEquals(Set.of("k7"), matched);
    assertTrue(emptySteps > 0);
  }

  @Test
  void aCursorBeyondEveryHashEndsTheScan() {
    KeySet keys = KeySet.of(List.of("a"));
    assertEquals(new KeySet.Page(0, List.of()), keys.scan(-1L, 10, k -> true));
    assertEquals(new KeySet.Page(0, List.of()), keys.scan(1L << 62, 10, k -> true));
  }
}
