package dev.kvactors.server;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads RESP2 replies from a blocking stream into {@link Reply} values: the client side of
 * {@link RespWriter}, for the CLI's client and the benchmarks. A request is written with
 * {@link #command}: an array of bulk strings, encoded by {@link RespWriter}.
 */
public final class RespReader {
  private RespReader() {}

  /** The bytes of the request {@code args} (an array of bulk strings). */
  public static byte[] command(byte[]... args) {
    List<Reply> bulks = new ArrayList<>(args.length);
    for (byte[] arg : args) {
      bulks.add(new Reply.Bulk(arg));
    }
    return RespWriter.encode(new Reply.Multi(bulks)).toArray();
  }

  /** The bytes of the request {@code args}, each UTF-8. */
  public static byte[] command(String... args) {
    byte[][] bytes = new byte[args.length][];
    for (int i = 0; i < args.length; i++) {
      bytes[i] = args[i].getBytes(StandardCharsets.UTF_8);
    }
    return command(bytes);
  }

  /**
   * The next reply on {@code in}; an error reply is returned as {@link Reply.Error}, not thrown.
   *
   * @throws EOFException if the stream ends before or inside the reply
   * @throws IOException if the bytes are not a RESP2 reply
   */
  public static Reply read(InputStream in) throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new EOFException("the server closed the connection");
    }
    String line = line(in);
    switch (type) {
      case '+':
        return new Reply.Simple(line);
      case '-':
        return new Reply.Error(line);
      case ':':
        return new Reply.Int(number(line));
      case '$': {
        long length = number(line);
        if (length < 0) {
          return Reply.NULL_BULK;
        }
        if (length > Integer.MAX_VALUE - 8) {
          throw new IOException("not a RESP reply (bulk length " + length + ")");
        }
        byte[] value = in.readNBytes((int) length);
        if (value.length < length || in.read() != '\r' || in.read() != '\n') {
          throw new EOFException("the server closed the connection in the middle of a reply");
        }
        return new Reply.Bulk(value);
      }
      case '*': {
        long count = number(line);
        if (count < 0) {
          return new Reply.NullArray();
        }
        List<Reply> elements = new ArrayList<>((int) Math.min(count, 1024));
        for (long i = 0; i < count; i++) {
          elements.add(read(in));
        }
        return new Reply.Multi(elements);
      }
      default:
        throw new IOException("not a RESP reply (type byte " + type + ")");
    }
  }

  private static long number(String line) throws IOException {
    try {
      return Long.parseLong(line);
    } catch (NumberFormatException e) {
      throw new IOException("not a RESP reply (number '" + line + "')", e);
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != '\r') {
      if (b < 0) {
        throw new EOFException("the server closed the connection in the middle of a reply");
      }
      line.write(b);
    }
    if (in.read() != '\n') {
      throw new IOException("not a RESP reply (CR without LF)");
    }
    return line.toString(StandardCharsets.UTF_8);
  }
}
