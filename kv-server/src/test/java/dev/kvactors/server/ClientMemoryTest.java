package dev.kvactors.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ClientMemoryTest {

  private static boolean granted(java.util.concurrent.CompletionStage<Void> reservation) {
    return reservation.toCompletableFuture().isDone();
  }

  @Test
  void aConnectionAtItsLimitWaitsUntilItsRepliesAreWritten() {
    ClientMemory memory = new ClientMemory(100, 40);
    ClientMemory.Account a = memory.open();
    assertTrue(granted(a.reserve(30, false)));
    assertTrue(granted(a.reserve(20, false)), "below its limit a connection may read one more chunk");
    CompletableFuture<Void> third = a.reserve(10, false).toCompletableFuture();
    assertFalse(third.isDone(), "at its limit it reads nothing more");
    a.release(30);
    assertTrue(third.isDone());
    assertEquals(30, a.held());
    assertEquals(30, memory.held());
  }

  @Test
  void connectionsWaitForTheTotalAndResumeOldestFirstWhenBytesComeBack() {
    ClientMemory memory = new ClientMemory(100, 100);
    ClientMemory.Account a = memory.open();
    ClientMemory.Account b = memory.open();
    ClientMemory.Account c = memory.open();
    assertTrue(granted(a.reserve(90, false)));
    CompletableFuture<Void> bWaits = b.reserve(20, false).toCompletableFuture();
    CompletableFuture<Void> cWaits = c.reserve(20, false).toCompletableFuture();
    assertFalse(bWaits.isDone());
    assertFalse(cWaits.isDone());
    a.release(20);
    assertTrue(bWaits.isDone());
    assertFalse(cWaits.isDone());
    a.close();
    assertTrue(cWaits.isDone());
    assertEquals(40, memory.held());
  }

  @Test
  void oneConnectionInTheMiddleOfARequestMayGoPastTheTotalSoHalfReadRequestsCannotWaitForever() {
    ClientMemory memory = new ClientMemory(100, 80);
    ClientMemory.Account a = memory.open();
    ClientMemory.Account b = memory.open();
    assertTrue(granted(a.reserve(50, false)));
    assertTrue(granted(b.reserve(50, false)));
    // both have read half a request and need more to finish it: one of them may go on
    assertTrue(granted(a.reserve(20, true)), "the first one in the middle of a request gets the overdraft");
    CompletableFuture<Void> bWaits = b.reserve(20, true).toCompletableFuture();
    assertFalse(bWaits.isDone(), "only one connection at a time goes past the total");
    a.requestsComplete();
    assertTrue(bWaits.isDone(), "the overdraft passes on once the first request is complete");
    assertEquals(140, memory.held());
  }

  @Test
  void repliesAreCountedEvenPastTheLimitsAndStopTheConnectionReading() {
    ClientMemory memory = new ClientMemory(100, 50);
    ClientMemory.Account a = memory.open();
    a.add(500);
    CompletableFuture<Void> next = a.reserve(10, false).toCompletableFuture();
    assertFalse(next.isDone());
    a.release(500);
    assertTrue(next.isDone());
  }

  @Test
  void closingAConnectionGivesBackAllItHeldAndEndsItsWait() {
    ClientMemory memory = new ClientMemory(100, 100);
    ClientMemory.Account a = memory.open();
    assertTrue(granted(a.reserve(100, false)));
    CompletableFuture<Void> waits = a.reserve(10, false).toCompletableFuture();
    a.close();
    assertTrue(waits.isDone());
    assertEquals(0, memory.held());
    a.release(100);
    assertEquals(0, memory.held());
  }
}
