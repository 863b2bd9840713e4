package dev.kvactors.server;

import org.junit.jupiter.api.Test;

/** The commands kv served before issue 10, against a real Redis 7.0, byte for byte. */
class BasicCommandsSideBySideTest extends SideBySideBase {

  @Test
  void answersPingAndEchoAsRedis() throws Exception {
    both.same("PING");
    both.same("PING", "hello");
    both.same("PING", "a", "b");
    both.same("ECHO", "x");
    both.same("ECHO");
  }

  @Test
  void answersGetSetDelAsRedis() throws Exception {
    both.same("GET", "k");
    both.same("SET", "k", "v");
    both.same("GET", "k");
    both.same("SET", "k", "w", "NX");
    both.same("SET", "k", "w", "XX");
    both.same("SET", "k", "x", "GET");
    both.same("SET", "k", "y", "NX", "XX");
    both.same("SET", "k", "y", "bogus");
    both.same("SET", "k");
    both.same("GET");
    both.same("GET", "a", "b");
    both.same("DEL", "k", "k", "nope");
    both.same("DEL");
  }

  @Test
  void answersMsetMgetExistsAsRedis() throws Exception {
    both.same("MSET", "a", "1", "b", "2");
    both.same("MSET", "a", "1", "b");
    both.same("MSET");
    both.same("MGET", "a", "x", "b");
    both.same("EXISTS", "a", "a", "x");
    both.same("EXISTS");
    both.same("DBSIZE");
    both.same("DBSIZE", "x");
  }

  @Test
  void answersUnknownCommandsAsRedis() throws Exception {
    both.same("NOSUCH");
    both.same("NOSUCH", "a", "b");
    both.same("nosuch", "a b", "c");
  }

  @Test
  void answersPipelinedInlineCommandsAsRedis() throws Exception {
    both.sameRaw("SET p 1\r\nGET p\r\nPING\r\n", 3);
  }
}
