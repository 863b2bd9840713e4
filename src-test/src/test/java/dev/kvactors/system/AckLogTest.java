package dev.kvactors.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The crash checker itself: it must flag every state the acknowledged writes do not allow. */
class AckLogTest {
  @TempDir Path dir;

  private AckLog log(String... lines) throws IOException {
    Path file = dir.resolve("acks.log");
    Files.writeString(file, String.join("\n", lines) + "\n");
    return AckLog.read(file);
  }

  @Test
  void anAcknowledgedSetThatIsMissingIsALoss() throws IOException {
    AckLog log = log("I 0 0 set k a", "A 0 0");
    assertTrue(log.violation("k", Optional.empty()).isPresent());
    assertEquals(Optional.empty(), log.violation("k", Optional.of("a")));
    assertEquals(1, log.acknowledged);
  }

  @Test
  void aValueNeverWrittenIsFlagged() throws IOException {
    AckLog log = log("I 0 0 set k a", "A 0 0");
    assertTrue(log.violation("k", Optional.of("b")).orElseThrow().contains("never written"));
  }

  @Test
  void anOlderValueAfterALaterAcknowledgedWriteIsALoss() throws IOException {
    AckLog log = log("I 0 0 set k a", "A 0 0", "I 1 0 set k b", "A 1 0");
    assertTrue(log.violation("k", Optional.of("a")).isPresent());
    assertEquals(Optional.empty(), log.violation("k", Optional.of("b")));
  }

  @Test
  void concurrentWritesMayEndInEitherOrder() throws IOException {
    AckLog log = log("I 0 0 set k a", "I 1 0 set k b", "A 1 0", "A 0 0");
    assertEquals(Optional.empty(), log.violation("k", Optional.of("a")));
    assertEquals(Optional.empty(), log.violation("k", Optional.of("b")));
    assertTrue(log.violation("k", Optional.empty()).isPresent());
  }

  @Test
  void aWriteInFlightMayOrMayNotBeThere() throws IOException {
    AckLog log = log("I 0 0 set k a", "A 0 0", "I 0 1 set k b", "I 0 2 del j");
    assertEquals(Optional.empty(), log.violation("k", Optional.of("a")));
    assertEquals(Optional.empty(), log.violation("k", Optional.of("b")));
    assertEquals(Optional.empty(), log.violation("j", Optional.empty()));
  }

  @Test
  void anAcknowledgedDeleteAfterTheSetExplainsAMissingKey() throws IOException {
    AckLog log = log("I 0 0 set k a", "A 0 0", "I 0 1 del k", "A 0 1");
    assertEquals(Optional.empty(), log.violation("k", Optional.empty()));
    assertTrue(log.violation("k", Optional.of("a")).isPresent(), "the delete was acknowledged after the set");
  }

  @Test
  void aLineCutByTheKillIsARequestNeverSent() throws IOException {
    Path file = dir.resolve("cut.log");
    Files.writeString(file, "I 0 0 set k a\nA 0 0\nI 0 1 set k bbb");
    AckLog log = AckLog.read(file);
    assertTrue(log.violation("k", Optional.of("bbb")).isPresent());
    assertTrue(log.violation("k", Optional.of("b")).isPresent());
  }
}
