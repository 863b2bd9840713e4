package dev.kvactors.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/** The input bytes the parser says each frame used, which the server counts against its memory limits. */
class RespParserSizesTest {
  private static final String INPUT = "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n\r\nPING\r\n*1\r\n$4\r\nPING\r\n";

  private static ByteString bytes(String s) {
    return ByteString.fromString(s, StandardCharsets.ISO_8859_1);
  }

  @Test
  void theFramesOfAnInputAccountForEveryOneOfItsBytesHoweverItIsSplit() {
    for (int split = 0; split <= INPUT.length(); split++) {
      RespParser parser = new RespParser(1024, 16, 4096, 256);
      List<RespParser.Sized> frames = new ArrayList<>(parser.parseSized(bytes(INPUT.substring(0, split))));
      frames.addAll(parser.parseSized(bytes(INPUT.substring(split))));
      assertEquals(List.of(20L, 8L, 14L), frames.stream().map(RespParser.Sized::bytes).toList(), "split at " + split);
      assertFalse(parser.midRequest());
    }
  }

  @Test
  void saysWhileARequestIsHalfRead() {
    RespParser parser = new RespParser(1024, 16, 4096, 256);
    assertTrue(parser.parseSized(bytes("*2\r\n$3\r\nGET\r\n")).isEmpty());
    assertTrue(parser.midRequest(), "between two arguments");
    assertEquals(1, parser.parseSized(bytes("$1\r\nk\r\n")).size());
    assertFalse(parser.midRequest());
  }

  @Test
  void refusesARequestLargerThanAConnectionMayHoldAsSoonAsItsHeaderSaysSo() {
    RespParser parser = new RespParser(1 << 20, 16, 1 << 21, 256, 1000);
    List<RespParser.Sized> frames = parser.parseSized(bytes("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$980\r\n"));
    assertEquals(1, frames.size());
    RespFrame.Malformed refused = assertInstanceOf(RespFrame.Malformed.class, frames.get(0).frame());
    assertEquals("request larger than the 1000 bytes a connection may hold (kv.server.max-client-memory)",
        refused.reason());
  }
}
