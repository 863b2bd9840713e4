package dev.kvactors.server;

import java.nio.charset.StandardCharsets;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/** Encodes {@link Reply} values as RESP2. */
public final class RespWriter {
  private static final byte[] CRLF = {'\r', '\n'};

  private RespWriter() {}

  public static ByteString encode(Reply reply) {
    ByteStringBuilder out = new ByteStringBuilder();
    write(reply, out);
    return out.result();
  }

  public static void write(Reply reply, ByteStringBuilder out) {
    if (reply instanceof Reply.Simple simple) {
      line(out, '+', oneLine(simple.text()));
    } else if (reply instanceof Reply.Error error) {
      line(out, '-', oneLine(error.message()));
    } else if (reply instanceof Reply.Int integer) {
      line(out, ':', Long.toString(integer.value()));
    } else if (reply instanceof Reply.Bulk bulk) {
      line(out, '$', Integer.toString(bulk.value().length));
      out.append(ByteString.fromArrayUnsafe(bulk.value()));
      out.putBytes(CRLF);
    } else if (reply instanceof Reply.NullBulk) {
      line(out, '$', "-1");
    } else if (reply instanceof Reply.Multi multi) {
      line(out, '*', Integer.toString(multi.elements().size()));
      for (Reply element : multi.elements()) {
        write(element, out);
      }
    } else if (reply instanceof Reply.NullArray) {
      line(out, '*', "-1");
    } else {
      throw new IllegalArgumentException("unknown reply " + reply);
    }
  }

  private static void line(ByteStringBuilder out, char type, String text) {
    out.putByte((byte) type);
    out.putBytes(text.getBytes(StandardCharsets.UTF_8));
    out.putBytes(CRLF);
  }

  /** Simple strings and errors cannot hold CR or LF. */
  static String oneLine(String text) {
    return text.indexOf('\r') < 0 && text.indexOf('\n') < 0 ? text : text.replace('\r', ' ').replace('\n', ' ');
  }
}
