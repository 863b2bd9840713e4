package dev.kvactors.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import org.junit.jupiter.api.Test;

/** COMMAND, AUTH, SELECT, SCAN's cursor and INFO against a real Redis 7.0, byte for byte. */
class IntrospectionSideBySideTest extends SideBySideBase {

  @Test
  void describesEveryAcceptedCommandAsRedisDoes() throws Exception {
    for (CommandTable.Spec spec : CommandTable.COMMANDS) {
      String name = spec.name().toLowerCase(Locale.ROOT);
      if (spec.subcommands().isEmpty()) {
        both.same("COMMAND", "INFO", name);
        both.same("COMMAND", "DOCS", name);
      }
      for (CommandTable.Spec sub : spec.subcommands().values()) {
        both.same("COMMAND", "INFO", sub.fullName());
        both.same("COMMAND", "DOCS", sub.fullName());
      }
    }
  }

  @Test
  void answersCommandSubcommandsAsRedis() throws Exception {
    both.same("COMMAND", "INFO", "nosuch");
    both.same("COMMAND", "INFO", "get", "nosuch", "set");
    both.same("COMMAND", "DOCS", "nosuch");
    both.same("COMMAND", "LIST", "bad_arg");
    both.same("COMMAND", "LIST", "FILTERBY", "bogus", "x");
    both.same("COMMAND", "LIST", "FILTERBY", "pattern");
    both.same("COMMAND", "LIST", "FILTERBY", "module", "x");
    both.same("COMMAND", "LIST", "FILTERBY", "aclcat", "nosuch");
    both.same("COMMAND", "COUNT", "x");
    both.same("COMMAND", "NOSUCH");
    both.same("CONFIG", "GET");
    both.same("CONFIG");
    both.same("CLIENT", "GETNAME", "x");
    both.same("CLIENT", "NOSUCH");
  }

  @Test
  void countsAndListsExactlyTheAcceptedCommands() throws Exception {
    String count = both.kv("COMMAND", "COUNT");
    assertEquals(":" + CommandTable.COMMANDS.size() + "\r\n", count);
    String list = both.kv("COMMAND", "LIST");
    assertTrue(list.contains("$3\r\nget\r\n") && list.contains("$10\r\nconfig|get\r\n"), list);
    String strings = both.kv("COMMAND", "LIST", "FILTERBY", "pattern", "mset*");
    assertEquals("*2\r\n$6\r\nmsetnx\r\n$4\r\nmset\r\n", strings); // table order
    String all = both.kv("COMMAND");
    assertTrue(all.startsWith("*" + CommandTable.COMMANDS.size() + "\r\n"), all);
  }

  @Test
  void describesAContainerWithOnlyTheSubcommandsItAccepts() throws Exception {
    String redisConfig = both.redis("COMMAND", "INFO", "config");
    String kvConfig = both.kv("COMMAND", "INFO", "config");
    assertTrue(redisConfig.contains("config|set") && !kvConfig.contains("config|set"), kvConfig);
    assertTrue(kvConfig.contains("config|get"), kvConfig);
    String kvDocs = both.kv("COMMAND", "DOCS", "client");
    assertTrue(kvDocs.contains("client|setname") && !kvDocs.contains("client|kill"), kvDocs);
  }

  @Test
  void answersAuthAsRedisWithNoPasswordSet() throws Exception {
    both.same("AUTH", "a", "b", "c");
    both.same("AUTH", "x");
    both.same("AUTH", "default", "x");
    both.same("AUTH", "someone", "x");
    both.same("AUTH");
  }

  @Test
  void answersSelectAsRedis() throws Exception {
    both.same("SELECT", "0");
    both.same("SELECT", "abc");
    both.same("SELECT", "-1");
    both.same("SELECT", "01");
    both.same("SELECT", "+0");
    both.same("SELECT", "2147483648");
    both.same("SELECT", "99999999999999999999");
    both.same("SELECT", "0", "1");
    both.differs("kv has one database", "-ERR DB index is out of range\r\n", "SELECT", "1");
  }

  @Test
  void readsScanCursorsAsRedis() throws Exception {
    both.same("SCAN", "-1");
    both.same("SCAN", "");
    both.same("SCAN", "+0");
    both.same("SCAN", "18446744073709551615");
    both.same("SCAN", "18446744073709551616");
    both.same("SCAN", " 1");
    both.same("SCAN", "1x");
    both.same("SCAN", "0", "COUNT", "0");
    both.same("SCAN", "0", "COUNT", "x");
    both.same("SCAN", "0", "COUNT");
  }

  @Test
  void answersInfoForAnUnknownSectionAsRedis() throws Exception {
    both.same("INFO", "nosuchsection");
  }

  @Test
  void reportsMemoryCpuAndCommandstatsInInfo() throws Exception {
    both.kv("GET", "k");
    both.kv("GET", "k");
    both.kv("GET");
    String info = both.kv("INFO", "memory", "cpu", "commandstats");
    assertTrue(info.contains("# Memory\r\nused_memory:"), info);
    assertTrue(info.matches("(?s).*\r\nused_cpu_user:[0-9]+\\.[0-9]{6}\r\n.*"), info);
    assertTrue(info.contains("\r\ncmdstat_get:calls=2,usec="), info);
    assertTrue(info.matches("(?s).*cmdstat_get:calls=2,usec=[0-9]+,usec_per_call=[0-9.]+,rejected_calls=1,failed_calls=0\r\n.*"),
        info);
    assertTrue(!both.kv("INFO").contains("# Commandstats"), "commandstats only when asked for, as Redis");
    long usedMemory = Long.parseLong(info.replaceAll("(?s).*used_memory:([0-9]+).*", "$1"));
    assertTrue(usedMemory > 0, info);
  }
}
