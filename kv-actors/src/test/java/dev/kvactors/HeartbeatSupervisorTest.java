package dev.kvactors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class HeartbeatSupervisorTest {
  static final ActorTestKit testKit = ActorTestKit.create();
  static final Duration STALE_AFTER = Duration.ofMillis(500);
  static final Duration CHECK = Duration.ofMillis(100);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void resetsAKindThatFallsSilentExactlyOnce() {
    TestProbe<Router.Command> router = testKit.createTestProbe();
    ActorRef<HeartbeatSupervisor.Command> supervisor =
        testKit.spawn(HeartbeatSupervisor.create(router.ref(), STALE_AFTER, CHECK));
    Router.Reset reset = LoggingTestKit.warn("No heartbeat from the writer").withOccurrences(1)
        .expect(testKit.system(), () -> {
          supervisor.tell(new HeartbeatSupervisor.Beat(ActorKind.WRITER));
          // stale-after plus one check interval, with room for a slow machine
          return router.expectMessageClass(Router.Reset.class, STALE_AFTER.plus(CHECK).plusSeconds(2));
        });
    assertEquals(ActorKind.WRITER, reset.kind());
    // forgotten until it beats again: no second reset for the same silence
    router.expectNoMessage(STALE_AFTER.multipliedBy(3));
  }

  @Test
  void leavesAKindAloneWhileItBeats() {
    TestProbe<Router.Command> router = testKit.createTestProbe();
    ActorRef<HeartbeatSupervisor.Command> supervisor =
        testKit.spawn(HeartbeatSupervisor.create(router.ref(), STALE_AFTER, CHECK));
    for (int i = 0; i < 15; i++) {
      supervisor.tell(new HeartbeatSupervisor.Beat(ActorKind.STORE));
      router.expectNoMessage(Duration.ofMillis(100));
    }
    testKit.stop(supervisor);
  }

  @Test
  void neverResetsAKindThatNeverBeat() {
    TestProbe<Router.Command> router = testKit.createTestProbe();
    testKit.spawn(HeartbeatSupervisor.create(router.ref(), STALE_AFTER, CHECK));
    router.expectNoMessage(STALE_AFTER.multipliedBy(3));
  }

  @Test
  void resetsAgainAfterTheKindBeatsAndFallsSilentAgain() {
    TestProbe<Router.Command> router = testKit.createTestProbe();
    ActorRef<HeartbeatSupervisor.Command> supervisor =
        testKit.spawn(HeartbeatSupervisor.create(router.ref(), STALE_AFTER, CHECK));
    supervisor.tell(new HeartbeatSupervisor.Beat(ActorKind.STORE));
    assertEquals(ActorKind.STORE, router.expectMessageClass(Router.Reset.class, Duration.ofSeconds(3)).kind());
    supervisor.tell(new HeartbeatSupervisor.Beat(ActorKind.STORE));
    assertEquals(ActorKind.STORE, router.expectMessageClass(Router.Reset.class, Duration.ofSeconds(3)).kind());
  }
}
