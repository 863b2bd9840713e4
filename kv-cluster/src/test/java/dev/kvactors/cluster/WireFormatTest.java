package dev.kvactors.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.kvactors.KeyValueStore;
import dev.kvactors.KvException;
import dev.kvactors.Op;
import java.lang.reflect.Array;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Everything that crosses nodes or goes to the journal, through the serializer a cluster node
 * really uses (Pekko's {@code jackson-cbor}, with kv-cluster's {@code reference.conf}): every
 * {@link Op} in a bucket's command, every answer on its way back (values, numbers, errors of every
 * kind), the events and the snapshot, and the previous version's snapshot. No database needed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WireFormatTest {
  private static final byte[] BINARY = {0, 1, (byte) 0xff, '\r', '\n', (byte) 0x80};

  private ActorSystem<Void> system;
  private Serialization serialization;
  private ActorRef<KeyBucket.Reply> replyTo;

  @BeforeAll
  void startSystem() {
    // A cluster node's configuration (the cluster provider, so ActorRefs serialize), never joined.
    system = ActorSystem.create(Behaviors.empty(), KvCluster.SYSTEM_NAME, KvCluster.systemConfig(
        ConfigFactory.parseString("kv.cluster.port = 0").withFallback(ConfigFactory.load())));
    serialization = SerializationExtension.get(system.classicSystem());
    replyTo = system.systemActorOf(Behaviors.ignore(), "reply-to", Props.empty());
  }

  @AfterAll
  void stopSystem() {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().join();
  }

  @Test
  void everyOpCrossesInABucketsCommand() {
    List<Op<?>> ops = List.of(
        new Op.Get("k"),
        new Op.Set("k", BINARY),
        new Op.Set("k", BINARY, KeyValueStore.Condition.IF_ABSENT, KeyValueStore.Expiry.NONE),
        new Op.Set("k", BINARY, KeyValueStore.Condition.IF_PRESENT, KeyValueStore.Expiry.KEEP),
        new Op.Set("k", BINARY, KeyValueStore.Condition.ALWAYS, KeyValueStore.Expiry.after(Duration.ofMillis(1500))),
        new Op.Set("k", new byte[0], KeyValueStore.Condition.ALWAYS, KeyValueStore.Expiry.atMillis(1_800_000_000_123L)),
        new Op.Delete("k"),
        new Op.Increment("k", Long.MIN_VALUE),
        new Op.IncrementFloat("k", "-3.0e3"),
        new Op.Append("k", BINARY),
        new Op.SetRange("k", 7, BINARY),
        new Op.GetAndSet("k", BINARY),
        new Op.GetAndDelete("k"),
        new Op.Rename("{t}a", "{t}b", true),
        new Op.Copy("{t}a", "{t}b", false),
        new Op.SetAll(List.of(Map.entry("{t}a", BINARY), Map.entry("{t}b", "2".getBytes(StandardCharsets.UTF_8)),
            Map.entry("{t}a", new byte[0]))),
        new Op.SetAllIfAbsent(List.of(Map.entry("{t}c", BINARY))),
        new Op.Expire("k", KeyValueStore.Expiry.after(Duration.ofSeconds(-5)), KeyValueStore.ExpireCondition.IF_LATER),
        new Op.Expire("k", KeyValueStore.Expiry.atMillis(-1), KeyValueStore.ExpireCondition.IF_DEADLINE_AND_EARLIER),
        new Op.Persist("k"),
        new Op.Ttl("k"));
    assertEquals(Op.class.getPermittedSubclasses().length, ops.stream().map(Object::getClass).distinct().count(),
        "every Op type is in this test");
    KeyBucket.Evaluate evaluate = new KeyBucket.Evaluate(ops, "pekko://kv@h:1#42#7", "2a-7f", replyTo);

    KeyBucket.Evaluate back = roundTrip(evaluate);

    assertDeepEquals(evaluate, back);
    assertEquals(replyTo, back.replyTo());
    Op.SetAll setAll = (Op.SetAll) back.ops().get(15);
    assertEquals(List.of("{t}a", "{t}b", "{t}a"), setAll.keys(), "entries keep their order and repeats");
  }

  @Test
  void watchesCrossInABucketsCommand() {
    assertDeepEquals(new KeyBucket.Watch("n#1", List.of("{t}a", "{t}b"), replyTo),
        roundTrip(new KeyBucket.Watch("n#1", List.of("{t}a", "{t}b"), replyTo)));
    assertDeepEquals(new KeyBucket.Unwatch("n#1", null), roundTrip(new KeyBucket.Unwatch("n#1", null)));
    assertDeepEquals(new KeyBucket.Evaluate(List.of(), null, null, replyTo),
        roundTrip(new KeyBucket.Evaluate(List.of(), null, null, replyTo)));
  }

  @Test
  void everyAnswerAndErrorCrossesBackToTheRouter() {
    List<StatusReply<?>> replies = List.of(
        StatusReply.success(new KeyValueStore.Value("k", Optional.of(BINARY))),
        StatusReply.success(new KeyValueStore.Value("k", Optional.empty())),
        StatusReply.success(new KeyValueStore.Stored("k", true, Optional.of(BINARY))),
        StatusReply.success(new KeyValueStore.Stored("k", false, Optional.empty())),
        StatusReply.success(new KeyValueStore.Deleted("k", true)),
        StatusReply.success(new KeyValueStore.DeadlineChanged("k", true)),
        StatusReply.success(new KeyValueStore.TimeToLive("k", true, 1_800_000_000_000L, 99_500)),
        StatusReply.success(Long.MAX_VALUE),
        StatusReply.success("10.6"),
        StatusReply.success(Boolean.TRUE),
        StatusReply.success(KeyValueStore.Done.INSTANCE),
        StatusReply.error(new KvException.OperationFailed(KvException.OperationFailed.Reason.NOT_AN_INTEGER)),
        StatusReply.error(new KvException.OperationFailed(KvException.OperationFailed.Reason.VALUE_TOO_LARGE)),
        StatusReply.error(new KvException.InvalidRequest("key must not be empty")),
        StatusReply.error(new KvException.Unavailable("retry")),
        StatusReply.error(new KvException.CrossSlot()),
        StatusReply.error(new KvException.TransactionAborted()),
        StatusReply.error(new KvException("something else", true)));
    List<Outcome> outcomes = replies.stream().map(Outcome::of).toList();

    KeyBucket.Evaluated back = roundTrip(new KeyBucket.Evaluated(false, outcomes));

    assertDeepEquals(new KeyBucket.Evaluated(false, outcomes), back);
    for (int i = 0; i < replies.size(); i++) {
      StatusReply<?> sent = replies.get(i);
      StatusReply<?> received = back.outcomes().get(i).toReply();
      assertEquals(sent.isSuccess(), received.isSuccess(), "reply " + i);
      if (sent.isSuccess()) {
        assertDeepEquals(sent.getValue(), received.getValue());
      } else {
        assertEquals(sent.getError().getClass(), received.getError().getClass(), "reply " + i);
        assertEquals(sent.getError().getMessage(), received.getError().getMessage(), "reply " + i);
        assertEquals(((KvException) sent.getError()).isRetryable(), ((KvException) received.getError()).isRetryable());
      }
    }
    KvException.OperationFailed failed = (KvException.OperationFailed) back.outcomes().get(11).toReply().getError();
    assertEquals(KvException.OperationFailed.Reason.NOT_AN_INTEGER, failed.reason());
    assertTrue(roundTrip(new KeyBucket.Evaluated(true, List.of())).aborted());
  }

  @Test
  void eventsAndSnapshotsKeepValuesDeadlinesAndRememberedAnswers() {
    List<Outcome> answer = List.of(new Outcome.Stored("a", true, BINARY), new Outcome.Int(7));
    KeyBucket.Changed changed = new KeyBucket.Changed(List.of(new KeyBucket.Change("a", BINARY, 1_800_000_000_000L),
        new KeyBucket.Change("b", new byte[0], 0), new KeyBucket.Change("c", null, 0)), "2a-7f", 1_700_000_000_000L,
        answer);
    assertDeepEquals(changed, roundTrip(changed));
    KeyBucket.Changed expiryRound = new KeyBucket.Changed(List.of(new KeyBucket.Change("c", null, 0)), null, 0, null);
    assertDeepEquals(expiryRound, roundTrip(expiryRound));
    assertDeepEquals(new KeyBucket.ValueSet("a", BINARY), roundTrip(new KeyBucket.ValueSet("a", BINARY)));
    assertDeepEquals(new KeyBucket.ValueDeleted("a"), roundTrip(new KeyBucket.ValueDeleted("a")));
    Map<String, byte[]> values = new LinkedHashMap<>();
    values.put("a", BINARY);
    values.put("b", new byte[0]);
    KeyBucket.Snapshot snapshot = new KeyBucket.Snapshot(values, Map.of("a", 1_800_000_000_000L),
        List.of(new KeyBucket.Remembered("2a-7f", 1_700_000_000_000L, answer)));
    assertDeepEquals(snapshot, roundTrip(snapshot));
  }

  /** The previous version's snapshot: one field, the values; read as a snapshot without deadlines. */
  record PreviousSnapshot(Map<String, byte[]> values) implements CborSerializable {}

  @Test
  void aSnapshotOfThePreviousVersionIsReadWithoutDeadlines() {
    Object old = new PreviousSnapshot(Map.of("a", BINARY));
    Serializer serializer = serialization.findSerializerFor(old);
    byte[] bytes = serialization.serialize(old).get();

    Object read = serialization.deserialize(bytes, serializer.identifier(), KeyBucket.Snapshot.class.getName()).get();

    KeyBucket.Snapshot snapshot = assertInstanceOf(KeyBucket.Snapshot.class, read);
    assertArrayEquals(BINARY, snapshot.values().get("a"));
    assertNull(snapshot.deadlines());
    assertNull(snapshot.answers());
  }

  @SuppressWarnings("unchecked")
  private <T> T roundTrip(T message) {
    Serializer serializer = serialization.findSerializerFor(message);
    assertEquals("org.apache.pekko.serialization.jackson.JacksonCborSerializer", serializer.getClass().getName(),
        message.getClass().getSimpleName() + " is bound to jackson-cbor");
    byte[] bytes = serialization.serialize(message).get();
    String manifest = Serializers.manifestFor(serializer, message);
    return (T) serialization.deserialize(bytes, serializer.identifier(), manifest).get();
  }

  /** Records compared component by component, arrays by content, lists and map entries element by element. */
  private static void assertDeepEquals(Object expected, Object actual) {
    List<String> differences = new ArrayList<>();
    compare("", expected, actual, differences);
    assertTrue(differences.isEmpty(), String.join("\n", differences));
  }

  private static void compare(String path, Object a, Object b, List<String> differences) {
    if (a == null || b == null) {
      if (a != b) {
        differences.add(path + ": " + a + " != " + b);
      }
    } else if (a.getClass().isArray()) {
      if (!b.getClass().isArray() || Array.getLength(a) != Array.getLength(b)) {
        differences.add(path + ": array lengths differ");
        return;
      }
      for (int i = 0; i < Array.getLength(a); i++) {
        compare(path + "[" + i + "]", Array.get(a, i), Array.get(b, i), differences);
      }
    } else if (a instanceof List<?> la && b instanceof List<?> lb) {
      if (la.size() != lb.size()) {
        differences.add(path + ": sizes " + la.size() + " != " + lb.size());
        return;
      }
      for (int i = 0; i < la.size(); i++) {
        compare(path + "[" + i + "]", la.get(i), lb.get(i), differences);
      }
    } else if (a instanceof Map<?, ?> ma && b instanceof Map<?, ?> mb) {
      if (!ma.keySet().equals(mb.keySet())) {
        differences.add(path + ": keys " + ma.keySet() + " != " + mb.keySet());
        return;
      }
      for (Object k : ma.keySet()) {
        compare(path + "." + k, ma.get(k), mb.get(k), differences);
      }
    } else if (a instanceof Map.Entry<?, ?> ea && b instanceof Map.Entry<?, ?> eb) {
      compare(path + ".key", ea.getKey(), eb.getKey(), differences);
      compare(path + ".value", ea.getValue(), eb.getValue(), differences);
    } else if (a instanceof Optional<?> oa && b instanceof Optional<?> ob) {
      compare(path + ".get", oa.orElse(null), ob.orElse(null), differences);
    } else if (a.getClass().isRecord()) {
      if (a.getClass() != b.getClass()) {
        differences.add(path + ": " + a.getClass().getName() + " != " + b.getClass().getName());
        return;
      }
      for (RecordComponent c : a.getClass().getRecordComponents()) {
        try {
          compare(path + "." + c.getName(), c.getAccessor().invoke(a), c.getAccessor().invoke(b), differences);
        } catch (ReflectiveOperationException e) {
          throw new AssertionError(e);
        }
      }
    } else if (!a.equals(b)) {
      differences.add(path + ": " + a + " != " + b);
    }
  }
}
