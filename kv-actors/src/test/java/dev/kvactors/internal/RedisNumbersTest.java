package dev.kvactors.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Redis 7.0's number rules; every expected answer was taken from a real redis-server 7.0 (INCR, INCRBYFLOAT). */
class RedisNumbersTest {

  private static String incrByFloat(String value, String by) {
    BigDecimal sum = RedisNumbers.addLongDouble(RedisNumbers.parseLongDouble(value), RedisNumbers.parseLongDouble(by));
    return sum == null ? null : RedisNumbers.formatLongDouble(sum);
  }

  @Test
  void incrementsByAFloatAsRedisDoes() {
    assertEquals("10.6", incrByFloat("10.50", "0.1"));
    assertEquals("5200", incrByFloat("5.0e3", "2.0e2"));
    assertEquals("3", incrByFloat("0", "3.0"));
    assertEquals("1", incrByFloat("1", "0.0000000000000000001"));
    assertEquals("0", incrByFloat("3", "-3"));
    assertEquals("0.3", incrByFloat("0.1", "0.2"));
    assertEquals("-4.5", incrByFloat("-5", "0.5"));
    assertEquals("123456789012345679", incrByFloat("123456789012345678", "1"));
    assertEquals("1.00000000000000001", incrByFloat("1", "1e-17"));
    assertEquals("-0.1", incrByFloat("0", "-0.1"));
    assertEquals("2000000000000000000017994648159118387741047888546581495876520164642531293192361871511698304167500"
        + "994380700745017228549671807185112369345967826192521041497292574654271283687306588168510215212033579453305"
        + "864740061102765895241989080589545563779241212358535223254194821301134374772211380178849830208012288",
        incrByFloat("1e300", "1e300"));
    assertEquals("1.25", incrByFloat("1", "0x1p-2"));
    assertEquals("1.5", incrByFloat("1", "0x.8"));
    assertEquals("-15", incrByFloat("1", "-0X1P+4"));
    assertEquals("17", incrByFloat("1", "0x10"));
    assertEquals("1.5", incrByFloat("1", ".5"));
    assertEquals("6", incrByFloat("1", "5."));
    assertEquals("1", incrByFloat("1", "1e-4940"));
  }

  @Test
  void aHugeSumIsPrintedInFullAsRedisDoes() throws Exception {
    String sum = incrByFloat("0", "1.5e4000");
    // redis-cli's output of INCRBYFLOAT f 1.5e4000 (4,001 digits and a newline), by its MD5
    byte[] md5 = MessageDigest.getInstance("MD5").digest((sum + "\n").getBytes(StandardCharsets.US_ASCII));
    assertEquals("f1599f39fe43ae60e1fdef75bcdc0326", HexFormat.of().formatHex(md5));
  }

  @Test
  void refusesWhatRedisDoesNotTakeForAFloat() {
    for (String bad : new String[] {"abc", "", " 1", "1 ", "1e", "nan", "-nan", "infinit", "1e-4960", "1e4933", ".",
        "0x", "1.5.5"}) {
      assertNull(RedisNumbers.parseLongDouble(bad), bad);
    }
    assertSame(RedisNumbers.INFINITE_POSITIVE, RedisNumbers.parseLongDouble("INF"));
    assertSame(RedisNumbers.INFINITE_NEGATIVE, RedisNumbers.parseLongDouble("-Infinity"));
    assertNull(RedisNumbers.addLongDouble(BigDecimal.ONE, RedisNumbers.INFINITE_POSITIVE));
    assertNull(incrByFloat("1.1e4932", "1.1e4932"), "overflow to infinity");
  }

  @Test
  void readsIntegersAsRedisString2llDoes() {
    assertEquals(0L, RedisNumbers.parseLong(bytes("0")));
    assertEquals(-1L, RedisNumbers.parseLong(bytes("-1")));
    assertEquals(Long.MAX_VALUE, RedisNumbers.parseLong(bytes("9223372036854775807")));
    assertEquals(Long.MIN_VALUE, RedisNumbers.parseLong(bytes("-9223372036854775808")));
    for (String bad : new String[] {"", "-", "-0", "01", "+1", " 1", "1 ", "1a", "9223372036854775808",
        "-9223372036854775809", "99999999999999999999", "123456789012345678901", "1.0"}) {
      assertNull(RedisNumbers.parseLong(bytes(bad)), bad);
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
