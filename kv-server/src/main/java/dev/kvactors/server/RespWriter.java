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

  /**
   * The bytes {@link #encode} would make of {@code reply}, computed without encoding it; stops
   * counting (and returns a number above {@code limit}) once past {@code limit}.
   */
  public static long encodedSize(Reply reply, long limit) {
    if (reply instanceof Reply.Simple simple) {
      return 3 + utf8Length(oneLine(simple.text()));
    } else if (reply instanceof Reply.Error error) {
      return 3 + utf8Length(oneLine(error.message()));
    } else if (reply instanceof Reply.Int integer) {
      return 3 + Long.toString(integer.value()).length();
    } else if (reply instanceof Reply.Bulk bulk) {
      int n = bulk.value().length;
      return 3 + Integer.toString(n).length() + n + 2;
    } else if (reply instanceof Reply.NullBulk || reply instanceof Reply.NullArray) {
      return 5;
    } else if (reply instanceof Reply.Multi multi) {
      long size = 3 + Integer.toString(multi.elements().size()).length();
      for (Reply element : multi.elements()) {
        size += encodedSize(element, limit - size);
        if (size > limit) {
          return size;
        }
      }
      return size;
    }
    throw new IllegalArgumentException("unknown reply " + reply);
  }

  private static long utf8Length(String text) {
    long n = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
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
