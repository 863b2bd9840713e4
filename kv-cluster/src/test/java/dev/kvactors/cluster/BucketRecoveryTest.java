package dev.kvactors.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.kvactors.KeyValueStore;
import dev.kvactors.KeyValueStore.Condition;
import dev.kvactors.KeyValueStore.Expiry;
import dev.kvactors.Op;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A bucket that starts again (its node stopped, a new one recovering it from the journal) keeps
 * every value and every deadline, through snapshots and events; a key whose deadline passed
 * meanwhile stays gone, and its removal by the expiry is itself persisted; a journal written by
 * the previous version (events without deadlines, a snapshot without them) still recovers.
 */
@Tag(TestDatabase.TAG)
class BucketRecoveryTest {
  /** Snapshots early, so recovery reads a snapshot and the events after it. */
  private static final String SNAPSHOT_OFTEN = "kv.cluster.snapshot-every = 3";
  private final TestNode.Clock clock = new TestNode.Clock();
  private final List<TestNode> nodes = new ArrayList<>();

  @BeforeEach
  void emptyJournal() {
    TestDatabase.requireEmpty(ConfigFactory.load());
  }

  @AfterEach
  void stopNodes() {
    nodes.forEach(TestNode::close);
  }

  private TestNode startNode() throws Exception {
    nodes.forEach(TestNode::close);
    nodes.clear();
    TestNode node = TestNode.start(ThreeNodesInOneJvmTest.freePorts(1)[0], null, clock, SNAPSHOT_OFTEN);
    nodes.add(node);
    TestNode.awaitUp(nodes);
    return node;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Optional<String> get(TestNode node, String key) throws Exception {
    return node.<KeyValueStore.Value>ask(to -> new KeyValueStore.Get(key, to)).asString();
  }

  private static KeyValueStore.TimeToLive ttl(TestNode node, String key) throws Exception {
    return node.ask(to -> new KeyValueStore.Ttl(key, to));
  }

  @Test
  void aRecoveredBucketKeepsItsValuesAndDeadlines() throws Exception {
    TestNode node = startNode();
    long at = System.currentTimeMillis() + 3_600_000;
    node.<KeyValueStore.Stored>ask(to -> new KeyValueStore.Set("{r}ex", bytes("1"), Condition.ALWAYS,
        Expiry.after(Duration.ofSeconds(100)), to));
    node.<KeyValueStore.Stored>ask(to -> KeyValueStore.Set.of("{r}plain", "2", to));
    for (int i = 0; i < 7; i++) { // past two snapshots
      String value = "n" + i;
      node.<KeyValueStore.Stored>ask(to -> KeyValueStore.Set.of("{r}n", value, to));
    }
    node.<KeyValueStore.Stored>ask(to -> new KeyValueStore.Set("{r}at", bytes("3"), Condition.ALWAYS,
        Expiry.atMillis(at), to));
    node.<KeyValueStore.DeadlineChanged>ask(to -> new KeyValueStore.Expire("{r}plain2", Expiry.atMillis(at), to));
    long exDeadline = ttl(node, "{r}ex").pexpireTime();
    assertTrue(node.eventsOfBucketOf("{r}") >= 10);

    node = startNode();

    assertEquals(Optional.of("1"), get(node, "{r}ex"));
    assertEquals(exDeadline, ttl(node, "{r}ex").pexpireTime(), "the deadline from the snapshot");
    assertEquals(Optional.of("2"), get(node, "{r}plain"));
    assertEquals(-1, ttl(node, "{r}plain").pttl());
    assertEquals(Optional.of("n6"), get(node, "{r}n"));
    assertEquals(at, ttl(node, "{r}at").pexpireTime(), "the deadline from an event after the snapshot");
    assertEquals(-2, ttl(node, "{r}plain2").pttl());
  }

  @Test
  void aWriteSentAgainIsAppliedOnceAlsoByTheBucketRecoveredFromSnapshotAndEvents() throws Exception {
    TestNode node = startNode();
    Op.Increment increment = new Op.Increment("{d}n", 1);
    assertEquals(new Outcome.Int(1), node.evaluate("r-1", increment).outcomes().get(0));
    long events = node.eventsOfBucketOf("{d}");
    assertEquals(new Outcome.Int(1), node.evaluate("r-1", increment).outcomes().get(0), "the first answer again");
    assertEquals(events, node.eventsOfBucketOf("{d}"), "not applied again");
    for (int i = 2; i <= 5; i++) { // past a snapshot (every 3 events): r-1's answer is in it
      assertEquals(new Outcome.Int(i), node.evaluate("r-" + i, increment).outcomes().get(0));
    }
    assertEquals(new Outcome.Int(6), node.evaluate("r-6", increment).outcomes().get(0));

    node = startNode(); // recovers from the snapshot and the events after it

    assertEquals(new Outcome.Int(1), node.evaluate("r-1", increment).outcomes().get(0), "remembered in the snapshot");
    assertEquals(new Outcome.Int(6), node.evaluate("r-6", increment).outcomes().get(0), "remembered in an event");
    assertEquals(new Outcome.Int(7), node.evaluate("r-7", increment).outcomes().get(0), "a new id applies");
    assertEquals(Optional.of("7"), get(node, "{d}n"));
  }

  @Test
  void anExpiredKeyIsNotResurrectedOnRecoveryAndItsRemovalIsPersisted() throws Exception {
    TestNode node = startNode();
    node.<KeyValueStore.Stored>ask(to -> new KeyValueStore.Set("{e}k", bytes("v"), Condition.ALWAYS,
        Expiry.after(Duration.ofSeconds(10)), to));
    node.<KeyValueStore.Stored>ask(to -> KeyValueStore.Set.of("{e}keep", "v", to));
    long written = node.eventsOfBucketOf("{e}");

    clock.advance(Duration.ofSeconds(20)); // the deadline passes while no node runs the bucket
    node = startNode();

    assertEquals(Optional.empty(), get(node, "{e}k"));
    assertEquals(-2, ttl(node, "{e}k").pttl());
    assertEquals(Optional.empty(), node.<KeyValueStore.Value>ask(to -> new KeyValueStore.Execute<>(
        new Op.Get("{e}k"), to)).value(), "an op sees no value either");
    // The expiry round removes the key and persists its removal: one more event.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (node.eventsOfBucketOf("{e}") == written) {
      assertTrue(System.nanoTime() < deadline, "no expiry round removed {e}k within 30 s");
      Thread.sleep(50);
    }

    clock.reset(); // back before the deadline: only a persisted removal keeps the key gone
    node = startNode();

    assertEquals(Optional.empty(), get(node, "{e}k"));
    assertEquals(Optional.of("v"), get(node, "{e}keep"));
  }

  @Test
  void aJournalOfThePreviousVersionStillRecovers() throws Exception {
    TestNode node = startNode();
    // Events as the previous version wrote them, under the bucket's own persistence id.
    String bucket = node.bucketOf("{old}");
    ActorRef<PreviousVersion.Write> writer = node.system.systemActorOf(new PreviousVersion(
        PersistenceId.of(KeyBucket.TYPE_KEY.name(), bucket)), "previous-version",
        org.apache.pekko.actor.typed.Props.empty());
    AskPattern.<PreviousVersion.Write, Done>ask(writer, to -> new PreviousVersion.Write(List.of(
            new KeyBucket.ValueSet("{old}a", bytes("1")), new KeyBucket.ValueSet("{old}b", bytes("2")),
            new KeyBucket.ValueDeleted("{old}a"), new KeyBucket.ValueSet("{old}c", bytes("3"))), to),
        TestNode.ASK, node.system.scheduler()).toCompletableFuture().get(60, TimeUnit.SECONDS);
    // A snapshot as the previous version saved it (its values only), for another bucket.
    String snapshotBucket = node.bucketOf("{olds}");
    Serialization serialization = SerializationExtension.get(node.system.classicSystem());
    byte[] payload = serialization.serialize(new WireFormatTest.PreviousSnapshot(Map.of("{olds}x", bytes("9"))))
        .get();
    int serializerId = serialization.findSerializerFor(new WireFormatTest.PreviousSnapshot(Map.of())).identifier();
    try (Connection c = DriverManager.getConnection(node.settings.postgresUrl(), node.settings.postgresUser(),
        node.settings.postgresPassword()); PreparedStatement st = c.prepareStatement("INSERT INTO snapshot "
        + "(persistence_id, sequence_number, created, snapshot_ser_id, snapshot_ser_manifest, snapshot_payload) "
        + "VALUES (?, 5, ?, ?, ?, ?)")) {
      st.setString(1, KeyBucket.TYPE_KEY.name() + "|" + snapshotBucket);
      st.setLong(2, System.currentTimeMillis());
      st.setInt(3, serializerId);
      st.setString(4, KeyBucket.Snapshot.class.getName());
      st.setBytes(5, payload);
      st.executeUpdate();
    }
    node = startNode(); // no bucket of this node ran before the journal was written

    assertEquals(Optional.empty(), get(node, "{old}a"));
    assertEquals(Optional.of("2"), get(node, "{old}b"));
    assertEquals(Optional.of("3"), get(node, "{old}c"));
    assertEquals(-1, ttl(node, "{old}c").pttl());
    assertEquals(Optional.of("9"), get(node, "{olds}x"));
    assertEquals(-1, ttl(node, "{olds}x").pttl());
    // and they take new events after the old ones
    assertEquals(3L, node.<Long>ask(to -> new KeyValueStore.Execute<>(new dev.kvactors.Op.Increment("{old}b", 1), to)));
    assertEquals(10L, node.<Long>ask(to -> new KeyValueStore.Execute<>(new dev.kvactors.Op.Increment("{olds}x", 1), to)));
    assertFalse(node.eventsOfBucketOf("{olds}") < 6, "the first new event follows the old snapshot");
    node = startNode();
    assertEquals(Optional.of("3"), get(node, "{old}b"));
    assertEquals(Optional.of("10"), get(node, "{olds}x"));
  }

  /** Writes events as the previous version's buckets did. */
  static final class PreviousVersion
      extends EventSourcedBehavior<PreviousVersion.Write, KeyBucket.Event, Integer> {
    record Write(List<KeyBucket.Event> events, ActorRef<Done> replyTo) {}

    PreviousVersion(PersistenceId id) {
      super(id);
    }

    @Override
    public Integer emptyState() {
      return 0;
    }

    @Override
    public CommandHandler<Write, KeyBucket.Event, Integer> commandHandler() {
      return newCommandHandlerBuilder().forAnyState().onCommand(Write.class,
          write -> Effect().persist(write.events()).thenStop().thenReply(write.replyTo(), s -> Done.getInstance()))
          .build();
    }

    @Override
    public EventHandler<Integer, KeyBucket.Event> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent((state, event) -> state + 1);
    }
  }
}
