package dev.kvactors.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RespReaderTest {

  private static Reply roundTrip(Reply reply) throws IOException {
    return RespReader.read(new ByteArrayInputStream(RespWriter.encode(reply).toArray()));
  }

  @Test
  void readsBackEveryReplyTheWriterWrites() throws IOException {
    assertEquals(new Reply.Simple("OK"), roundTrip(Reply.OK));
    assertEquals(new Reply.Error("ERR no"), roundTrip(Reply.err("no")));
    assertEquals(new Reply.Int(-42), roundTrip(new Reply.Int(-42)));
    assertInstanceOf(Reply.NullBulk.class, roundTrip(Reply.NULL_BULK));
    assertInstanceOf(Reply.NullArray.class, roundTrip(new Reply.NullArray()));
    byte[] binary = {0, '\r', '\n', (byte) 0xff};
    Reply multi = roundTrip(new Reply.Multi(List.of(new Reply.Bulk(binary), Reply.EMPTY_ARRAY)));
    List<Reply> elements = ((Reply.Multi) multi).elements();
    assertArrayEquals(binary, ((Reply.Bulk) elements.get(0)).value());
    assertEquals(Reply.EMPTY_ARRAY, elements.get(1));
  }

  @Test
  void writesACommandAsAnArrayOfBulkStrings() {
    assertEquals("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", new String(RespReader.command("GET", "k"), StandardCharsets.UTF_8));
  }

  @Test
  void rejectsATruncatedReply() {
    assertThrows(EOFException.class, () -> RespReader.read(new ByteArrayInputStream("$5\r\nab".getBytes(StandardCharsets.US_ASCII))));
    assertThrows(EOFException.class, () -> RespReader.read(new ByteArrayInputStream(new byte[0])));
    assertThrows(IOException.class, () -> RespReader.read(new ByteArrayInputStream("?x\r\n".getBytes(StandardCharsets.US_ASCII))));
  }
}
