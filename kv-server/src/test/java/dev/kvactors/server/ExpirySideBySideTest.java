package dev.kvactors.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SET's expiry options and the expiry commands against a real Redis 7.0, byte for byte. */
class ExpirySideBySideTest extends SideBySideBase {
  /** A deadline far enough ahead for every test, the same on both servers. */
  private static final long FUTURE_SECONDS = System.currentTimeMillis() / 1000 + 100_000;

  @Test
  void answersSetWithEveryCombinationOfOptionsAsRedis() throws Exception {
    List<String[]> options = List.of(new String[] {"NX"}, new String[] {"XX"}, new String[] {"GET"},
        new String[] {"KEEPTTL"}, new String[] {"EX", "1000"}, new String[] {"PX", "1000000"},
        new String[] {"EXAT", Long.toString(FUTURE_SECONDS)},
        new String[] {"PXAT", Long.toString(FUTURE_SECONDS * 1000)});
    List<List<String[]>> combinations = new ArrayList<>();
    for (String[] a : options) {
      combinations.add(List.<String[]>of(a));
      for (String[] b : options) {
        combinations.add(List.of(a, b));
        for (String[] c : options) {
          combinations.add(List.of(a, b, c));
        }
      }
    }
    int checked = 0;
    for (List<String[]> combination : combinations) {
      for (String before : new String[] {"absent", "plain", "expiring"}) {
        both.same("DEL", "k");
        if (before.equals("plain")) {
          both.same("SET", "k", "old");
        } else if (before.equals("expiring")) {
          both.same("SET", "k", "old", "EX", "5000");
        }
        List<String> command = new ArrayList<>(List.of("SET", "k", "new"));
        for (String[] option : combination) {
          command.addAll(List.of(option));
        }
        both.same(command.toArray(String[]::new));
        both.same("GET", "k");
        both.sameTtlKind("k");
        if ((command.contains("EXAT") || command.contains("PXAT")) && !before.equals("expiring")) {
          // (an "expiring" key's deadline was set relative to each server's clock: it may differ by a second)
          both.same("EXPIRETIME", "k");
        }
        checked++;
      }
    }
    assertTrue(checked > 1000, "checked " + checked);
  }

  @Test
  void answersBadSetTimesAsRedis() throws Exception {
    for (String unit : new String[] {"EX", "PX", "EXAT", "PXAT"}) {
      for (String time : new String[] {"0", "-1", "abc", "1.5", "9223372036854775807", "9223372036854775"}) {
        both.same("SET", "k", "v", unit, time);
      }
      both.same("SET", "k", "v", unit);
      both.same("SET", "k", "v", unit, "10", "KEEPTTL");
    }
    both.same("SET", "k", "v", "EX", "10", "PX", "10");
  }

  @Test
  void answersSetexPsetexGetexAsRedis() throws Exception {
    both.same("SETEX", "k", "100", "v");
    both.same("TTL", "k");
    both.same("SETEX", "k", "0", "v");
    both.same("SETEX", "k", "-5", "v");
    both.same("SETEX", "k", "x", "v");
    both.same("SETEX", "k", "100");
    both.same("PSETEX", "k", "100000", "v");
    both.same("TTL", "k");
    both.same("PSETEX", "k", "0", "v");
    both.same("GETEX", "k");
    both.same("GETEX", "k", "PERSIST");
    both.same("TTL", "k");
    both.same("GETEX", "k", "EX", "200");
    both.same("TTL", "k");
    both.same("GETEX", "k", "EXAT", Long.toString(FUTURE_SECONDS));
    both.same("EXPIRETIME", "k");
    both.same("GETEX", "k", "PXAT", Long.toString(FUTURE_SECONDS * 1000 + 5));
    both.same("PEXPIRETIME", "k");
    both.same("GETEX", "k", "EX", "0");
    both.same("GETEX", "k", "EX", "10", "PX", "10");
    both.same("GETEX", "k", "PERSIST", "EX", "10");
    both.same("GETEX", "k", "KEEPTTL");
    both.same("GETEX", "k", "EX");
    both.same("GETEX", "nope", "EX", "10");
    both.same("GETEX", "k", "PXAT", "1");
    both.same("EXISTS", "k");
  }

  @Test
  void answersExpireFamilyAsRedis() throws Exception {
    for (String command : new String[] {"EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"}) {
      boolean seconds = !command.startsWith("P");
      boolean absolute = command.endsWith("AT");
      long base = absolute ? (seconds ? FUTURE_SECONDS : FUTURE_SECONDS * 1000) : 0;
      String k = "k-" + command;
      String small = Long.toString(base + (seconds ? 1000 : 1_000_000));
      String large = Long.toString(base + (seconds ? 2000 : 2_000_000));
      both.same(command, "nope", small);
      both.same("SET", k, "v");
      for (String option : new String[] {"XX", "GT", "LT"}) {
        both.same(command, k, small, option);
      }
      both.same("TTL", k);
      both.same(command, k, large, "NX");
      both.same(command, k, small, "NX");
      both.same(command, k, small, "GT");
      both.same(command, k, small, "LT");
      both.same(command, k, large, "XX", "GT");
      both.same(command, k, small, "XX", "LT");
      both.same("TTL", k);
      both.same(command, k, small, "NX", "XX");
      both.same(command, k, small, "GT", "LT");
      both.same(command, k, small, "BOGUS");
      both.same(command, k, "abc");
      both.same(command, k, "9223372036854775807");
      both.same(command, k, "-9223372036854775808");
      both.same(command, k);
      both.same("PERSIST", k);
      both.same("PERSIST", k);
      both.same(command, k, "-1");
      both.same("EXISTS", k);
    }
  }

  @Test
  void answersTtlFamilyAsRedis() throws Exception {
    for (String command : new String[] {"TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"}) {
      both.same(command, "nope");
      both.same("SET", "k", "v");
      both.same(command, "k");
      both.same(command);
      both.same(command, "a", "b");
    }
    both.same("EXPIREAT", "k", Long.toString(FUTURE_SECONDS));
    both.same("EXPIRETIME", "k");
    both.same("PEXPIRETIME", "k");
    both.same("TTL", "k");
    both.same("PERSIST", "nope");
    both.same("PERSIST");
  }

  @Test
  void keepsAndClearsDeadlinesAsRedis() throws Exception {
    both.same("SET", "k", "1", "EX", "1000");
    both.same("INCR", "k");
    both.sameTtlKind("k");
    both.same("APPEND", "k", "0");
    both.sameTtlKind("k");
    both.same("SETRANGE", "k", "0", "9");
    both.sameTtlKind("k");
    both.same("RENAME", "k", "r");
    both.sameTtlKind("r");
    both.same("COPY", "r", "c");
    both.sameTtlKind("c");
    both.same("GETSET", "r", "x");
    both.sameTtlKind("r");
    both.same("SET", "c", "y");
    both.sameTtlKind("c");
    both.same("SET", "m", "1", "EX", "1000");
    both.same("MSET", "m", "2");
    both.sameTtlKind("m");
    both.same("PEXPIRE", "m", "-1");
    both.same("GET", "m");
  }
}
