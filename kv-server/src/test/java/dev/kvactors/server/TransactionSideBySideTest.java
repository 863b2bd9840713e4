package dev.kvactors.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** MULTI/EXEC/DISCARD/WATCH/UNWATCH against a real Redis 7.0, byte for byte. */
class TransactionSideBySideTest extends SideBySideBase {

  @Test
  void queuesAndExecutesAsRedis() throws Exception {
    both.same("MULTI");
    both.same("SET", "a", "1");
    both.same("INCR", "a");
    both.same("INCRBY", "a", "x");
    both.same("SET", "b", "text");
    both.same("INCR", "b");
    both.same("GET", "a");
    both.same("MSET", "c", "1", "d", "2");
    both.same("DEL", "c", "d", "nope");
    both.same("PING");
    both.same("ECHO", "hi");
    both.same("SET", "k", "v", "bogus");
    both.same("EXPIRE", "a", "100");
    both.same("TTL", "a");
    both.same("EXEC");
    both.same("GET", "a");
    both.same("MGET", "c", "d");
  }

  @Test
  void answersEmptyAndMisplacedTransactionCommandsAsRedis() throws Exception {
    both.same("EXEC");
    both.same("DISCARD");
    both.same("MULTI");
    both.same("EXEC");
    both.same("MULTI");
    both.same("MULTI");
    both.same("WATCH", "x");
    both.same("SET", "x", "1");
    both.same("EXEC");
    both.same("GET", "x");
    both.same("MULTI", "extra");
    both.same("EXEC", "extra");
    both.same("WATCH", "x");
    both.same("MULTI");
    both.same("SET", "x", "2");
    both.same("EXEC", "extra");
    both.same("EXEC");
    both.same("GET", "x");
  }

  @Test
  void abortsOnAQueueTimeErrorAsRedis() throws Exception {
    both.same("MULTI");
    both.same("SET", "q", "1");
    both.same("NOSUCH", "x");
    both.same("SET", "q2", "2");
    both.same("EXEC");
    both.same("EXISTS", "q", "q2");
    both.same("MULTI");
    both.same("SET", "q");
    both.same("GET", "q");
    both.same("EXEC");
    both.same("EXISTS", "q");
    both.same("MULTI");
    both.same("CONFIG", "NOSUCH");
    both.same("EXEC");
  }

  @Test
  void answersAPipelinedTransactionAsRedis() throws Exception {
    StringBuilder raw = new StringBuilder("MULTI\r\n");
    for (int i = 0; i < 1000; i++) {
      raw.append("SET p").append(i).append(' ').append(i).append("\r\n");
    }
    raw.append("INCR p7\r\nGET p999\r\nEXEC\r\nDBSIZE\r\n");
    both.sameRaw(raw.toString(), 1 + 1000 + 2 + 1 + 1);
    both.sameRaw("MULTI\r\nSET x 1\r\nNOSUCH\r\nEXEC\r\nEXISTS x\r\n", 5);
  }

  @Test
  void discardsAsRedis() throws Exception {
    both.same("MULTI");
    both.same("SET", "d", "1");
    both.same("DISCARD");
    both.same("EXISTS", "d");
    both.same("EXEC");
  }

  @Test
  void watchAbortsTheTransactionWhenAWatchedKeyChanged() throws Exception {
    both.same("SET", "w", "1");
    both.same("WATCH", "w");
    // another connection changes w
    try (SideBySide other = new SideBySide(redis.port, kvPort())) {
      other.same("SET", "w", "2");
    }
    both.same("MULTI");
    both.same("SET", "w", "3");
    assertEquals("*-1\r\n", both.same("EXEC"));
    both.same("GET", "w");
  }

  @Test
  void watchLetsTheTransactionRunWhenNothingChanged() throws Exception {
    both.same("SET", "w", "1");
    both.same("WATCH", "w", "other");
    both.same("MULTI");
    both.same("INCR", "w");
    both.same("EXEC");
    both.same("WATCH", "w");
    both.same("UNWATCH");
    try (SideBySide other = new SideBySide(redis.port, kvPort())) {
      other.same("SET", "w", "9");
    }
    both.same("MULTI");
    both.same("INCR", "w");
    both.same("EXEC");
    both.same("WATCH", "w");
    both.same("MULTI");
    both.same("DISCARD");
    try (SideBySide other = new SideBySide(redis.port, kvPort())) {
      other.same("SET", "w", "20");
    }
    both.same("MULTI");
    both.same("INCR", "w");
    both.same("EXEC");
    both.same("WATCH");
    both.same("UNWATCH", "x");
  }

  @Test
  void watchSeesAnExpiryAndAnOwnWriteAsRedis() throws Exception {
    both.same("SET", "w", "1");
    both.same("WATCH", "w");
    both.same("SET", "w", "2");
    both.same("MULTI");
    both.same("GET", "w");
    both.same("EXEC");
  }

  @Test
  void refusesCommandsItCannotQueueSoNothingRuns() throws Exception {
    both.same("MULTI");
    both.same("SET", "r", "1");
    both.differs("KEYS, SCAN, DBSIZE, FLUSHDB, INFO, ... are not queued in MULTI by kv: the transaction is discarded",
        "-ERR 'keys' inside MULTI is not supported by kv serve; the transaction will be discarded\r\n", "KEYS", "*");
    both.differs("as above: EXEC then answers EXECABORT where Redis runs the transaction",
        "-EXECABORT Transaction discarded because of previous errors.\r\n", "EXEC");
    both.kv("SET", "r", "x");
    both.redis("SET", "r", "x");
  }
}
