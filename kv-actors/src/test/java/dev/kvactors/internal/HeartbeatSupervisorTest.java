package dev.kvactors.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class HeartbeatSupervisorTest {
  static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString(
      "one-thread { type = Dispatcher, executor = thread-pool-executor,"
          + " thread-pool-executor.fixed-pool-size = 1, throughput = 1 }"));
  static final Duration STALE_AFTER = Duration.ofMillis(500);
  static final Duration CHECK = Duration.ofMillis(100);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void resetsAKindThatFallsSilentExactlyOnce() {
    TestProbe<HeartbeatSupervisor.Stale> router = testKit.createTestProbe();
    ActorRef<HeartbeatSupervisor.Command> supervisor =
        testKit.spawn(HeartbeatSupervisor.create(router.ref(), STALE_AFTER, CHECK));
    HeartbeatSupervisor.Stale reset = LoggingTestKit.warn("No heartbeat from the writer").withOccurrences(1)
        .expect(testKit.system(), () -> {
          supervisor.tell(new HeartbeatSupervisor.Beat(ActorKind.WRITER));
          // stale-after plus one check interval, with room for a slow machine
          return router.expectMessageClass(HeartbeatSupervisor.Stale.class, STALE_AFTER.plus(CHECK).plusSeconds(2));
        });
    assertEquals(ActorKind.WRITER, reset.kind());
    // forgotten until it beats again: no second reset for the same silence
    router.expectNoMessage(STALE_AFTER.multipliedBy(3));
  }

  @Test
  void leavesAKindAloneWhileItBeats() {
    TestProbe<HeartbeatSupervisor.Stale> router = testKit.createTestProbe();
    ActorRef<HeartbeatSupervisor.Command> supervisor =
        testKit.spawn(HeartbeatSupervisor.create(router.ref(), STALE_AFTER, CHECK));
    for (int i = 0; i < 15; i++) {
      supervisor.tell(new HeartbeatSupervisor.Beat(ActorKind.STORE));
      router.expectNoMessage(Duration.ofMillis(100));
    }
    testKit.stop(supervisor);
  }

  @Test
  void aPauseOfTheWholeProcessIsNotCountedAsSilence() {
    TestProbe<HeartbeatSupervisor.Stale> router = testKit.createTestProbe();
    // The supervisor shares its only thread with an actor that blocks it, as a long GC pause
    // would stop every thread: when its check finally runs, the silence is the pause's.
    Props oneThread = DispatcherSelector.fromConfig("one-thread");
    ActorRef<HeartbeatSupervisor.Command> supervisor =
        testKit.spawn(HeartbeatSupervisor.create(router.ref(), STALE_AFTER, CHECK), "paused", oneThread);
    ActorRef<String> blocker = testKit.spawn(Behaviors.receiveMessage(ms -> {
      Thread.sleep(Long.parseLong(ms));
      return Behaviors.same();
    }), "blocker", oneThread);
    supervisor.tell(new HeartbeatSupervisor.Beat(ActorKind.WRITER));
    LoggingTestKit.info("the JVM paused").expect(testKit.system(), () -> {
      blocker.tell("1500");
      return null;
    });
    router.expectNoMessage(Duration.ofMillis(200));
    // after the pause the writer stays silent, and that silence is its own: one reset
    assertEquals(ActorKind.WRITER, router.expectMessageClass(HeartbeatSupervisor.Stale.class, Duration.ofSeconds(3)).kind());
  }

  @Test
  void neverResetsAKindThatNeverBeat() {
    TestProbe<HeartbeatSupervisor.Stale> router = testKit.createTestProbe();
    testKit.spawn(HeartbeatSupervisor.create(router.ref(), STALE_AFTER, CHECK));
    router.expectNoMessage(STALE_AFTER.multipliedBy(3));
  }

  @Test
  void resetsAgainAfterTheKindBeatsAndFallsSilentAgain() {
    TestProbe<HeartbeatSupervisor.Stale> router = testKit.createTestProbe();
    ActorRef<HeartbeatSupervisor.Command> supervisor =
        testKit.spawn(HeartbeatSupervisor.create(router.ref(), STALE_AFTER, CHECK));
    supervisor.tell(new HeartbeatSupervisor.Beat(ActorKind.STORE));
    assertEquals(ActorKind.STORE, router.expectMessageClass(HeartbeatSupervisor.Stale.class, Duration.ofSeconds(3)).kind());
    supervisor.tell(new HeartbeatSupervisor.Beat(ActorKind.STORE));
    assertEquals(ActorKind.STORE, router.expectMessageClass(HeartbeatSupervisor.Stale.class, Duration.ofSeconds(3)).kind());
  }
}
