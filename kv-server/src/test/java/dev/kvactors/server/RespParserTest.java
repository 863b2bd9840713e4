package dev.kvactors.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class RespParserTest {
  private static final byte[] BINARY = {0, '\r', '\n', (byte) 0xFF, '$', '*', '\r'};

  private static RespParser parser() {
    return new RespParser(1024, 16, 4096, 256);
  }

  /** Commands as lists of strings (bytes as ISO-8859-1), a malformed frame as "!reason". */
  private static List<List<String>> describe(List<RespFrame> frames) {
    List<List<String>> out = new ArrayList<>();
    for (RespFrame frame : frames) {
      if (frame instanceof RespFrame.Command command) {
        out.add(command.args().stream().map(a -> new String(a, StandardCharsets.ISO_8859_1)).toList());
      } else {
        out.add(List.of("!" + ((RespFrame.Malformed) frame).reason()));
      }
    }
    return out;
  }

  private static List<List<String>> parseAll(String input) {
    return describe(parser().parse(ByteString.fromString(input, StandardCharsets.ISO_8859_1)));
  }

  private static byte[] pipelined() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$7\r\n".getBytes(StandardCharsets.ISO_8859_1));
    out.writeBytes(BINARY);
    out.writeBytes("\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPING\r\n\r\n*0\r\nECHO \"a b\" 'c'\n*1\r\n$0\r\n\r\n"
        .getBytes(StandardCharsets.ISO_8859_1));
    return out.toByteArray();
  }

  private static List<List<String>> expectedPipelined() {
    return List.of(
        List.of("SET", "k", new String(BINARY, StandardCharsets.ISO_8859_1)),
        List.of("GET", "k"),
        List.of("PING"),
        List.of("ECHO", "a b", "c"),
        List.of(""));
  }

  @Test
  void parsesPipelinedCommandsInOneChunk() {
    RespParser parser = parser();

    List<RespFrame> frames = parser.parse(ByteString.fromArray(pipelined()));

    assertEquals(expectedPipelined(), describe(frames));
  }

  @Test
  void parsesTheSameCommandsWhenSplitAtEveryByte() {
    byte[] input = pipelined();
    for (int split = 0; split <= input.length; split++) {
      RespParser parser = parser();
      List<RespFrame> frames = new ArrayList<>(parser.parse(ByteString.fromArray(input, 0, split)));
      frames.addAll(parser.parse(ByteString.fromArray(input, split, input.length - split)));
      assertEquals(expectedPipelined(), describe(frames), "split at byte " + split);
    }
  }

  @Test
  void parsesTheSameCommandsFedOneByteAtATime() {
    byte[] input = pipelined();
    RespParser parser = parser();
    List<RespFrame> frames = new ArrayList<>();
    for (int i = 0; i < input.length; i++) {
      frames.addAll(parser.parse(ByteString.fromArray(input, i, 1)));
    }
    assertEquals(expectedPipelined(), describe(frames));
  }

  @Test
  void waitsForTheRestOfAnIncompleteCommand() {
    RespParser parser = parser();

    assertEquals(List.of(), parser.parse(ByteString.fromString("*2\r\n$3\r\nGET\r\n$5\r\nabc")));
    assertEquals(List.of(List.of("GET", "abcde")), describe(parser.parse(ByteString.fromString("de\r\n"))));
  }

  @Test
  void splitsInlineCommandsWithRedisQuoting() {
    assertEquals(List.of(List.of("SET", "a\nb", "it's", "\u00ff", "x")),
        parseAll("SET \"a\\nb\" 'it\\'s' \"\\xff\" x\r\n"));
    assertEquals(List.of(List.of("PING")), parseAll("  PING  \n"));
  }

  @Test
  void rejectsAnUnexpectedTypeInsideAMultibulk() {
    assertEquals(List.of(List.of("!expected '$', got ':'")), parseAll("*2\r\n$3\r\nGET\r\n:1\r\n"));
  }

  @Test
  void rejectsInvalidLengths() {
    assertEquals(List.of(List.of("!invalid multibulk length")), parseAll("*x\r\n"));
    assertEquals(List.of(List.of("!invalid bulk length")), parseAll("*1\r\n$-5\r\n"));
    assertEquals(List.of(List.of("!invalid bulk length 2000 (at most 1024 bytes, kv.server.max-bulk-bytes)")),
        parseAll("*1\r\n$2000\r\n"));
    assertEquals(List.of(List.of("!invalid multibulk length 17 (at most 16, kv.server.max-arguments)")),
        parseAll("*17\r\n"));
    assertEquals(List.of(List.of("!request larger than 4096 bytes (kv.server.max-request-bytes)")),
        parseAll("*5\r\n$1000\r\n" + "x".repeat(1000) + "\r\n$1000\r\n" + "x".repeat(1000) + "\r\n$1000\r\n"
            + "x".repeat(1000) + "\r\n$1000\r\n" + "x".repeat(1000) + "\r\n$1000\r\n"));
  }

  @Test
  void rejectsABulkStringWithoutItsCrlf() {
    assertEquals(List.of(List.of("!expected CRLF after a bulk string of 3 bytes")), parseAll("*1\r\n$3\r\nGETXX"));
  }

  @Test
  void rejectsUnbalancedQuotesAndTooLongLines() {
    assertEquals(List.of(List.of("!unbalanced quotes in request")), parseAll("SET \"a b\r\n"));
    assertEquals(List.of(List.of("!unbalanced quotes in request")), parseAll("SET \"a\"b\r\n"));
    assertEquals(List.of(List.of("!too big inline request")), parseAll("x".repeat(300)));
    assertEquals(List.of(List.of("!too big mbulk count string")), parseAll("*" + "1".repeat(300)));
  }

  @Test
  void readsNothingAfterAProtocolError() {
    RespParser parser = parser();
    List<List<String>> first = describe(parser.parse(ByteString.fromString("PING\r\n*1\r\n:x\r\nPING\r\n")));

    assertEquals(List.of(List.of("PING"), List.of("!expected '$', got ':'")), first);
    assertTrue(parser.parse(ByteString.fromString("*1\r\n$4\r\nPING\r\n")).isEmpty());
  }

  @Test
  void keepsBinaryValuesByteForByte() {
    byte[] value = new byte[256];
    for (int i = 0; i < value.length; i++) {
      value[i] = (byte) i;
    }
    ByteString input = ByteString.fromString("*2\r\n$4\r\nECHO\r\n$256\r\n").concat(ByteString.fromArray(value))
        .concat(ByteString.fromString("\r\n"));
    RespFrame frame = parser().parse(input).get(0);
    assertTrue(Arrays.equals(value, assertInstanceOf(RespFrame.Command.class, frame).args().get(1)));
  }
}
