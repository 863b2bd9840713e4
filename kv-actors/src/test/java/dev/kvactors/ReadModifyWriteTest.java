package dev.kvactors;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvactors.KvException.OperationFailed.Reason;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The read-modify-write operations of {@link KvStore}: their results, errors, and that they survive a reopen. */
class ReadModifyWriteTest {
  @TempDir Path dir;
  private KvStore store;
  private KvStore.Blocking kv;

  @BeforeEach
  void open() {
    store = KvStore.open(KvSettings.defaults(dir));
    kv = store.blocking();
  }

  @AfterEach
  void close() {
    store.close();
  }

  private void reopen() {
    store.close();
    open();
  }

  private static Reason reasonOf(Runnable call) {
    return assertThrows(KvException.OperationFailed.class, call::run).reason();
  }

  @Test
  void incrementCountsFromZeroAndSurvivesAReopen() {
    assertEquals(1, kv.increment("n", 1));
    assertEquals(11, kv.increment("n", 10));
    assertEquals(-4, kv.increment("n", -15));
    reopen();
    assertEquals(Optional.of("-4"), kv.getString("n"));
  }

  @Test
  void incrementRefusesWhatRedisDoesNotTakeForAnInteger() {
    for (String bad : List.of("", " 1", "1 ", "+1", "01", "-0", "-", "1.0", "abc", "99999999999999999999",
        "9223372036854775808", "-9223372036854775809", "123456789012345678901")) {
      kv.set("n", bad);
      assertEquals(Reason.NOT_AN_INTEGER, reasonOf(() -> kv.increment("n", 1)), "value '" + bad + "'");
      assertEquals(Optional.of(bad), kv.getString("n"), "unchanged after the failure");
    }
    for (String good : List.of("0", "-1", "9223372036854775806", "-9223372036854775808", "00".substring(1))) {
      kv.set("n", good);
      assertEquals(Long.parseLong(good) + 1, kv.increment("n", 1), good);
    }
  }

  @Test
  void incrementRefusesAnOverflowAndChangesNothing() {
    kv.set("n", Long.toString(Long.MAX_VALUE));
    KvException.OperationFailed e = assertThrows(KvException.OperationFailed.class, () -> kv.increment("n", 1));
    assertEquals(Reason.OVERFLOW, e.reason());
    assertEquals("increment or decrement would overflow", e.getMessage());
    kv.set("n", Long.toString(Long.MIN_VALUE));
    assertEquals(Reason.OVERFLOW, reasonOf(() -> kv.increment("n", -1)));
    assertEquals(Optional.of(Long.toString(Long.MIN_VALUE)), kv.getString("n"));
    assertEquals(-1, kv.increment("n", Long.MAX_VALUE), "the largest increment that does not overflow");
  }

  @Test
  void incrementFloatAddsAndFormatsAsRedis() {
    kv.set("f", "10.50");
    assertEquals("10.6", kv.incrementFloat("f", 0.1));
    assertEquals("10.6", kv.getString("f").orElseThrow());
    kv.set("f", "5.0e3");
    assertEquals("5200", kv.execute(new Op.IncrementFloat("f", "2.0e2")));
    assertEquals("5200", kv.execute(new Op.IncrementFloat("f", "0")));
    assertEquals("3", kv.execute(new Op.IncrementFloat("g", "3.0")));
  }

  @Test
  void incrementFloatRefusesNonNumbersAndInfinity() {
    kv.set("f", "abc");
    assertEquals(Reason.NOT_A_FLOAT, reasonOf(() -> kv.incrementFloat("f", 1)));
    kv.set("f", "1");
    assertEquals(Reason.NOT_A_FLOAT, reasonOf(() -> kv.execute(new Op.IncrementFloat("f", " 1"))));
    assertEquals(Reason.NOT_A_FLOAT, reasonOf(() -> kv.execute(new Op.IncrementFloat("f", "nan"))));
    assertEquals(Reason.NAN_OR_INFINITY, reasonOf(() -> kv.execute(new Op.IncrementFloat("f", "inf"))));
    assertEquals(Reason.NAN_OR_INFINITY, reasonOf(() -> kv.incrementFloat("f", Double.POSITIVE_INFINITY)));
    assertEquals(Optional.of("1"), kv.getString("f"));
  }

  @Test
  void appendAndSetRangeBuildTheValue() {
    assertEquals(5, kv.append("s", "Hello".getBytes(UTF_8)));
    assertEquals(11, kv.append("s", " World".getBytes(UTF_8)));
    assertEquals(11, kv.setRange("s", 6, "Redis".getBytes(UTF_8)));
    assertEquals(Optional.of("Hello Redis"), kv.getString("s"));
    assertEquals(8, kv.setRange("pad", 5, "abc".getBytes(UTF_8)));
    assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 'a', 'b', 'c'}, kv.get("pad").orElseThrow());
    assertEquals(0, kv.setRange("missing", 3, new byte[0]));
    assertEquals(Optional.empty(), kv.get("missing"), "an empty setRange creates no key");
    assertEquals(11, kv.setRange("s", 100, new byte[0]));
    reopen();
    assertEquals(Optional.of("Hello Redis"), kv.getString("s"));
  }

  @Test
  void appendAndSetRangePastTheValueLimitAreRefused() {
    int max = store.settings().maxValueBytes();
    assertEquals(Reason.VALUE_TOO_LARGE, reasonOf(() -> kv.setRange("s", max, new byte[] {1})));
    kv.set("s", new byte[max]);
    assertEquals(Reason.VALUE_TOO_LARGE, reasonOf(() -> kv.append("s", new byte[] {1})));
    assertEquals(max, kv.get("s").orElseThrow().length);
  }

  @Test
  void getAndSetAndGetAndDeleteAnswerThePreviousValue() {
    assertEquals(Optional.empty(), kv.getAndSet("k", "a".getBytes(UTF_8)));
    assertArrayEquals("a".getBytes(UTF_8), kv.getAndSet("k", "b".getBytes(UTF_8)).orElseThrow());
    assertArrayEquals("b".getBytes(UTF_8), kv.getAndDelete("k").orElseThrow());
    assertEquals(Optional.empty(), kv.getAndDelete("k"));
    assertEquals(Optional.empty(), kv.get("k"));
  }

  @Test
  void renameMovesTheValueAndRefusesAMissingSource() {
    kv.set("a", "1");
    kv.set("b", "2");
    kv.rename("a", "b");
    assertEquals(Optional.empty(), kv.get("a"));
    assertEquals(Optional.of("1"), kv.getString("b"));
    KvException.OperationFailed e = assertThrows(KvException.OperationFailed.class, () -> kv.rename("a", "c"));
    assertEquals("no such key", e.getMessage());
    kv.rename("b", "b");
    assertEquals(Optional.of("1"), kv.getString("b"), "a rename to itself changes nothing");
    assertFalse(kv.renameIfAbsent("b", "b"));
    kv.set("c", "3");
    assertFalse(kv.renameIfAbsent("b", "c"));
    assertTrue(kv.renameIfAbsent("b", "d"));
    assertEquals(List.of("c", "d"), kv.keys(""));
    reopen();
    assertEquals(Optional.of("1"), kv.getString("d"));
    assertEquals(Optional.empty(), kv.get("b"));
  }

  @Test
  void copyCopiesUnlessTheTargetExistsWithoutReplace() {
    kv.set("a", "1");
    assertTrue(kv.copy("a", "b", false));
    kv.set("a", "2");
    assertFalse(kv.copy("a", "b", false));
    assertEquals(Optional.of("1"), kv.getString("b"));
    assertTrue(kv.copy("a", "b", true));
    assertEquals(Optional.of("2"), kv.getString("b"));
    assertFalse(kv.copy("missing", "b", true));
    assertEquals(Reason.SAME_OBJECT, reasonOf(() -> kv.copy("a", "a", true)));
  }

  @Test
  void setAllIfAbsentSetsAllOrNone() {
    List<Map.Entry<String, byte[]>> entries = List.of(Map.entry("x", "1".getBytes(UTF_8)),
        Map.entry("y", "2".getBytes(UTF_8)));
    assertTrue(kv.execute(new Op.SetAllIfAbsent(entries)));
    kv.delete("x");
    assertFalse(kv.execute(new Op.SetAllIfAbsent(List.of(Map.entry("x", "9".getBytes(UTF_8)),
        Map.entry("y", "9".getBytes(UTF_8))))));
    assertEquals(Optional.empty(), kv.get("x"));
    assertEquals(Optional.of("2"), kv.getString("y"));
  }

  @Test
  void setAllSetsEveryKeyOrNoneWhenOneIsInvalid() {
    java.util.Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
    entries.put("m1", "1".getBytes(UTF_8));
    entries.put("m2", "2".getBytes(UTF_8));
    kv.setAll(entries);
    assertEquals(List.of("m1", "m2"), kv.keys("m"));
    entries.put("m3", "3".getBytes(UTF_8));
    entries.put("", "empty key".getBytes(UTF_8));
    assertThrows(KvException.InvalidRequest.class, () -> kv.setAll(entries));
    assertEquals(List.of("m1", "m2"), kv.keys("m"), "none of the refused set");
  }

  @Test
  void invalidKeysAreRefusedAsInvalidRequests() {
    assertThrows(KvException.InvalidRequest.class, () -> kv.increment("", 1));
    assertThrows(KvException.InvalidRequest.class, () -> kv.rename("a", ""));
  }

  @Test
  void sixteenConcurrentIncrementersLoseNoIncrement() {
    int callers = 16;
    int each = 200;
    List<CompletableFuture<Void>> done = new ArrayList<>();
    for (int c = 0; c < callers; c++) {
      done.add(CompletableFuture.runAsync(() -> {
        try (KvStore own = KvStore.attach(storeSystem())) {
          for (int i = 0; i < each; i++) {
            own.blocking().increment("counter", 1);
          }
        }
      }));
    }
    done.forEach(CompletableFuture::join);
    assertEquals(callers * each, kv.increment("counter", 0));
    reopen();
    assertEquals(Optional.of(Integer.toString(callers * each)), kv.getString("counter"));
  }

  private org.apache.pekko.actor.typed.ActorSystem<?> storeSystem() {
    return systemOf(store);
  }

  private static org.apache.pekko.actor.typed.ActorSystem<?> systemOf(KvStore store) {
    try {
      var field = KvStore.class.getDeclaredField("system");
      field.setAccessible(true);
      return (org.apache.pekko.actor.typed.ActorSystem<?>) field.get(store);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aTransactionAppliesInOrderAndKeepsGoingPastAFailedOp() {
    kv.set("text", "abc");
    List<Object> results = kv.commit(store.transaction()
        .set("a", "1").increment("a", 5).increment("text", 1).append("text", "d".getBytes(UTF_8)).get("a"));
    assertEquals(5, results.size());
    assertInstanceOf(KeyValueStore.Stored.class, results.get(0));
    assertEquals(6L, results.get(1));
    assertEquals(Reason.NOT_AN_INTEGER, ((KvException.OperationFailed) results.get(2)).reason());
    assertEquals(4L, results.get(3));
    assertEquals(Optional.of("6"), ((KeyValueStore.Value) results.get(4)).asString());
    reopen();
    assertEquals(Optional.of("abcd"), kv.getString("text"));
    assertEquals(Optional.of("6"), kv.getString("a"));
  }

  @Test
  void aWatchedTransactionIsAbortedByAChangeOfAWatchedKeyAndNotOtherwise() {
    kv.set("balance", "10");
    KvStore.Transaction untouched = store.transaction();
    kv.watch(untouched, "balance");
    kv.set("other", "x"); // not watched
    assertEquals(List.of(15L), kv.commit(untouched.increment("balance", 5)));

    KvStore.Transaction touched = store.transaction();
    kv.watch(touched, "balance");
    kv.set("balance", "100"); // by another caller, or this one: the same to WATCH
    assertThrows(KvException.TransactionAborted.class, () -> kv.commit(touched.increment("balance", 5)));
    assertEquals(Optional.of("100"), kv.getString("balance"), "nothing of the aborted transaction applied");

    for (Runnable change : List.<Runnable>of(() -> kv.delete("balance"), () -> kv.increment("balance", 1),
        () -> kv.rename("balance", "moved"), () -> kv.clear())) {
      kv.set("balance", "1");
      KvStore.Transaction tx = store.transaction();
      kv.watch(tx, "balance");
      change.run();
      assertThrows(KvException.TransactionAborted.class, () -> kv.commit(tx.set("balance", "2")));
    }
  }

  @Test
  void aClearAbortsOnlyTransactionsWatchingAKeyThatExisted() {
    KvStore.Transaction tx = store.transaction();
    kv.watch(tx, "never-set");
    kv.set("something", "x");
    kv.clear();
    assertEquals(1, kv.commit(tx.set("never-set", "1")).size());
  }

  @Test
  void aFailedIncrementWritesNothingToTheLog() throws Exception {
    kv.set("text", "abc");
    long before = logBytes();
    assertThrows(KvException.OperationFailed.class, () -> kv.increment("text", 1));
    assertEquals(before, logBytes());
  }

  private long logBytes() throws java.io.IOException {
    try (var files = java.nio.file.Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".kvl")).mapToLong(f -> f.toFile().length()).sum();
    }
  }
}
