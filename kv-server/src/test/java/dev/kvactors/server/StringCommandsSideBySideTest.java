package dev.kvactors.server;

import org.junit.jupiter.api.Test;

/** TYPE, TOUCH, UNLINK, STRLEN, GETRANGE and the read-modify-write commands against a real Redis 7.0, byte for byte. */
class StringCommandsSideBySideTest extends SideBySideBase {

  @Test
  void answersKeyspaceBasicsAsRedis() throws Exception {
    both.same("TYPE", "k");
    both.same("SET", "k", "hello");
    both.same("TYPE", "k");
    both.same("TYPE");
    both.same("TOUCH", "k", "k", "nope");
    both.same("TOUCH");
    both.same("EXISTS", "k", "nope", "k");
    both.same("STRLEN", "k");
    both.same("STRLEN", "nope");
    both.same("STRLEN");
    both.same("SET", "j", "x");
    both.same("UNLINK", "k", "j", "nope");
    both.same("UNLINK");
    both.same("RANDOMKEY");
    both.same("RANDOMKEY", "x");
    both.same("SET", "only", "1");
    both.same("RANDOMKEY");
  }

  @Test
  void answersGetrangeAsRedis() throws Exception {
    both.same("GETRANGE", "nope", "0", "-1");
    both.same("SET", "s", "Hello World");
    String[][] ranges = {{"0", "4"}, {"-5", "-1"}, {"0", "-1"}, {"-1", "-5"}, {"5", "3"}, {"-100", "100"},
        {"100", "200"}, {"0", "0"}, {"-1", "-1"}, {"3", "-3"}, {"-3", "3"}, {"10", "10"}, {"11", "11"},
        {"-9223372036854775808", "9223372036854775807"}};
    for (String[] range : ranges) {
      both.same("GETRANGE", "s", range[0], range[1]);
    }
    both.same("GETRANGE", "s", "a", "1");
    both.same("GETRANGE", "s", "0", "1.5");
    both.same("GETRANGE", "s", "0");
    both.same("SET", "e", "");
    both.same("GETRANGE", "e", "0", "-1");
  }

  @Test
  void answersIncrementsAsRedis() throws Exception {
    both.same("INCR", "n");
    both.same("INCRBY", "n", "41");
    both.same("DECR", "n");
    both.same("DECRBY", "n", "-10");
    both.same("DECRBY", "n", "-9223372036854775808");
    both.same("INCRBY", "n", "x");
    both.same("INCRBY", "n", "9223372036854775807");
    both.same("SET", "big", "9223372036854775807");
    both.same("INCR", "big");
    both.same("SET", "small", "-9223372036854775808");
    both.same("DECR", "small");
    both.same("SET", "t", "abc");
    both.same("INCR", "t");
    both.same("SET", "sp", " 1");
    both.same("INCR", "sp");
    both.same("INCR");
    both.same("INCRBY", "n");
    both.same("INCRBYFLOAT", "f", "10.5");
    both.same("INCRBYFLOAT", "f", "0.1");
    both.same("INCRBYFLOAT", "f", "-5.0e3");
    both.same("INCRBYFLOAT", "f", "abc");
    both.same("INCRBYFLOAT", "t", "1");
    both.same("INCRBYFLOAT", "f", "inf");
    both.same("SET", "g", "3.0");
    both.same("INCRBYFLOAT", "g", "1");
    both.same("GET", "g");
  }

  @Test
  void answersAppendSetrangeGetsetGetdelAsRedis() throws Exception {
    both.same("APPEND", "a", "Hello");
    both.same("APPEND", "a", " World");
    both.same("GET", "a");
    both.same("SETRANGE", "a", "6", "Redis");
    both.same("GET", "a");
    both.same("SETRANGE", "z", "3", "x");
    both.same("GET", "z");
    both.same("SETRANGE", "none", "5", "");
    both.same("EXISTS", "none");
    both.same("SETRANGE", "a", "-1", "x");
    both.same("SETRANGE", "a", "x", "x");
    both.same("GETSET", "a", "new");
    both.same("GETSET", "fresh", "v");
    both.same("GETDEL", "a");
    both.same("GETDEL", "a");
    both.same("GETDEL");
  }

  @Test
  void answersConditionalSetsRenameAndCopyAsRedis() throws Exception {
    both.same("SETNX", "c", "1");
    both.same("SETNX", "c", "2");
    both.same("GET", "c");
    both.same("MSETNX", "m1", "a", "m2", "b");
    both.same("MSETNX", "m2", "x", "m3", "y");
    both.same("MGET", "m1", "m2", "m3");
    both.same("MSETNX", "m1", "a", "m2");
    both.same("RENAME", "m1", "r1");
    both.same("RENAME", "nope", "r2");
    both.same("RENAME", "r1", "r1");
    both.same("RENAMENX", "r1", "m2");
    both.same("RENAMENX", "r1", "r3");
    both.same("RENAMENX", "r3", "r3");
    both.same("RENAMENX", "nope", "x");
    both.same("COPY", "r3", "cp");
    both.same("COPY", "r3", "cp");
    both.same("COPY", "r3", "cp", "REPLACE");
    both.same("COPY", "nope", "cp2");
    both.same("COPY", "r3", "r3");
    both.same("COPY", "r3", "cp", "DB", "0", "REPLACE");
    both.same("COPY", "r3", "cp", "BOGUS");
    both.same("COPY", "r3", "cp", "DB", "x");
    both.same("COPY", "r3", "cp", "DB");
    both.differs("kv has one database", "-ERR DB index is out of range\r\n", "COPY", "r3", "cp", "DB", "1");
    both.same("COPY", "r3", "cp", "DB", "99");
  }

  @Test
  void answersMsetAsRedis() throws Exception {
    both.same("MSET", "a", "1", "b", "2", "a", "3");
    both.same("MGET", "a", "b");
  }
}
