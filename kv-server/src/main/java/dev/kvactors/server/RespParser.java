package dev.kvactors.server;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.util.ByteString;

/**
 * Reads RESP requests from the bytes of one connection, as they arrive, in chunks split anywhere:
 * multibulk commands ({@code *N\r\n} then N bulk strings {@code $len\r\n<bytes>\r\n}) and, as Redis
 * does, inline commands (a line of words, {@code PING\r\n}, with Redis' quoting rules). One parser
 * per connection; not thread-safe.
 *
 * <p>Input that breaks the protocol or a limit yields one {@link RespFrame.Malformed} and the parser
 * reads nothing more: the connection is to be closed after the error reply.
 */
public final class RespParser {
  /** An empty inline line, skipped as Redis does. */
  private static final RespFrame EMPTY_LINE = new RespFrame.Malformed("empty line");

  private final int maxBulkBytes;
  private final int maxArguments;
  private final long maxRequestBytes;
  private final int maxInlineBytes;
  private final long maxClientBytes;

  /** A frame and the bytes of input it used (with any empty lines before it). */
  public record Sized(RespFrame frame, long bytes) {}

  private ByteString buffer = ByteString.emptyByteString();
  /** Arguments of the multibulk being read, or -1 between commands. */
  private int expectedArgs = -1;
  private List<byte[]> args;
  /** Length of the bulk string being read, or -1 when its {@code $} header comes next. */
  private int bulkLength = -1;
  private long requestBytes;
  /** Bytes of the multibulk being read, headers included, as far as its headers tell. */
  private long requestWireBytes;
  /** Bytes taken from the input so far, and up to the last frame returned. */
  private long consumed;
  private long consumedAtLastFrame;
  private boolean failed;
  /** While true, Redis's limits for a client that has not authenticated apply. */
  private java.util.function.BooleanSupplier unauthenticated = () -> false;

  /** Most arguments of a request from a client that has not authenticated, as Redis. */
  static final int UNAUTHENTICATED_MAX_ARGUMENTS = 10;
  /** Longest bulk string from a client that has not authenticated, as Redis. */
  static final int UNAUTHENTICATED_MAX_BULK_BYTES = 16 * 1024;

  /** A parser whose requests may take up to {@code maxRequestBytes} of input, headers included. */
  public RespParser(int maxBulkBytes, int maxArguments, long maxRequestBytes, int maxInlineBytes) {
    this(maxBulkBytes, maxArguments, maxRequestBytes, maxInlineBytes, Long.MAX_VALUE);
  }

  /**
   * A parser that also refuses a request taking more than {@code maxClientBytes} of input, headers
   * included: what one connection may hold ({@code kv.server.max-client-memory}).
   */
  public RespParser(int maxBulkBytes, int maxArguments, long maxRequestBytes, int maxInlineBytes, long maxClientBytes) {
    this.maxBulkBytes = maxBulkBytes;
    this.maxArguments = maxArguments;
    this.maxRequestBytes = maxRequestBytes;
    this.maxInlineBytes = maxInlineBytes;
    this.maxClientBytes = maxClientBytes;
  }

  public RespParser(ServerSettings settings) {
    this(settings.maxBulkBytes(), settings.maxArguments(), settings.maxRequestBytes(), settings.maxInlineBytes(),
        settings.maxClientMemoryBytes());
  }

  /**
   * While {@code unauthenticated} says so (a password is set and the client has not sent a good
   * AUTH), a multibulk of more than 10 arguments or a bulk string over 16 KiB is refused as Redis
   * refuses it ({@code unauthenticated multibulk length}, {@code unauthenticated bulk length}), at
   * its header, before any of its body is read.
   */
  public void limitWhile(java.util.function.BooleanSupplier unauthenticated) {
    this.unauthenticated = java.util.Objects.requireNonNull(unauthenticated, "unauthenticated is null");
  }

  /** The frames completed by {@code chunk}, in order; empty when more input is needed. */
  public List<RespFrame> parse(ByteString chunk) {
    return parseSized(chunk).stream().map(Sized::frame).toList();
  }

  /** As {@link #parse}, with the input bytes each frame used. */
  public List<Sized> parseSized(ByteString chunk) {
    if (failed) {
      return List.of();
    }
    buffer = buffer.concat(chunk);
    List<Sized> frames = new ArrayList<>(1);
    try {
      RespFrame frame;
      while ((frame = next()) != null) {
        frames.add(new Sized(frame, consumed - consumedAtLastFrame));
        consumedAtLastFrame = consumed;
      }
    } catch (ProtocolError e) {
      failed = true;
      consumed += buffer.size();
      buffer = ByteString.emptyByteString();
      args = null;
      frames.add(new Sized(new RespFrame.Malformed(e.getMessage()), consumed - consumedAtLastFrame));
      consumedAtLastFrame = consumed;
    }
    return frames;
  }

  /** Whether part of a request has been read and the rest is still to come. */
  public boolean midRequest() {
    return !failed && (!buffer.isEmpty() || expectedArgs >= 0);
  }

  private void drop(int n) {
    buffer = buffer.drop(n);
    consumed += n;
  }

  /** The next complete command, or null when more input is needed. */
  private RespFrame next() {
    while (expectedArgs < 0) {
      if (buffer.isEmpty()) {
        return null;
      }
      if (buffer.apply(0) != '*') {
        RespFrame frame = inline();
        if (frame != EMPTY_LINE) {
          return frame;
        }
        continue;
      }
      int cr = lineEnd("too big mbulk count string");
      if (cr < 0) {
        return null;
      }
      long count = number(1, cr);
      if (count > UNAUTHENTICATED_MAX_ARGUMENTS && count <= Integer.MAX_VALUE && unauthenticated.getAsBoolean()) {
        throw new ProtocolError("unauthenticated multibulk length");
      }
      if (count == Long.MIN_VALUE || count > maxArguments) {
        throw new ProtocolError("invalid multibulk length" + (count > maxArguments
            ? " " + count + " (at most " + maxArguments + ", kv.server.max-arguments)" : ""));
      }
      drop(cr + 2);
      requestWireBytes = cr + 2;
      if (count > 0) { // *0 and *-1 are ignored, as Redis does
        expectedArgs = (int) count;
        args = new ArrayList<>(Math.min(expectedArgs, 1024));
        requestBytes = 0;
      }
    }
    while (args.size() < expectedArgs) {
      if (bulkLength < 0) {
        if (buffer.isEmpty()) {
          return null;
        }
        byte type = buffer.apply(0);
        if (type != '$') {
          throw new ProtocolError("expected '$', got '" + printable(type) + "'");
        }
        int cr = lineEnd("too big bulk count string");
        if (cr < 0) {
          return null;
        }
        long length = number(1, cr);
        if (length > UNAUTHENTICATED_MAX_BULK_BYTES && length <= Integer.MAX_VALUE && unauthenticated.getAsBoolean()) {
          throw new ProtocolError("unauthenticated bulk length");
        }
        if (length < 0 || length > maxBulkBytes) {
          throw new ProtocolError("invalid bulk length" + (length > maxBulkBytes
              ? " " + length + " (at most " + maxBulkBytes + " bytes, kv.server.max-bulk-bytes)" : ""));
        }
        requestBytes += length;
        if (requestBytes > maxRequestBytes) {
          throw new ProtocolError("request larger than " + maxRequestBytes + " bytes (kv.server.max-request-bytes)");
        }
        requestWireBytes += cr + 2 + length + 2;
        if (requestWireBytes > maxClientBytes) {
          throw new ProtocolError("request larger than the " + maxClientBytes
              + " bytes a connection may hold (kv.server.max-client-memory)");
        }
        drop(cr + 2);
        bulkLength = (int) length;
      }
      if (buffer.size() < bulkLength + 2) {
        return null;
      }
      if (buffer.apply(bulkLength) != '\r' || buffer.apply(bulkLength + 1) != '\n') {
        throw new ProtocolError("expected CRLF after a bulk string of " + bulkLength + " bytes");
      }
      args.add(buffer.slice(0, bulkLength).toArray());
      drop(bulkLength + 2);
      bulkLength = -1;
    }
    RespFrame.Command command = new RespFrame.Command(args);
    args = null;
    expectedArgs = -1;
    return command;
  }

  /** The index of the CR ending the header line at the start of the buffer, or -1 if incomplete. */
  private int lineEnd(String tooBig) {
    int lf = buffer.indexOf((byte) '\n');
    if (lf < 0) {
      if (buffer.size() > maxInlineBytes) {
        throw new ProtocolError(tooBig);
      }
      return -1;
    }
    if (lf > maxInlineBytes) {
      throw new ProtocolError(tooBig);
    }
    if (lf == 0 || buffer.apply(lf - 1) != '\r') {
      throw new ProtocolError("expected CRLF at the end of a header line");
    }
    return lf - 1;
  }

  /** The decimal integer in {@code buffer[from, to)}, or {@link Long#MIN_VALUE} if it is not one. */
  private long number(int from, int to) {
    int i = from;
    boolean negative = false;
    if (i < to && buffer.apply(i) == '-') {
      negative = true;
      i++;
    }
    if (i == to || to - i > 18) {
      return Long.MIN_VALUE;
    }
    long value = 0;
    for (; i < to; i++) {
      byte b = buffer.apply(i);
      if (b < '0' || b > '9') {
        return Long.MIN_VALUE;
      }
      value = value * 10 + (b - '0');
    }
    return negative ? -value : value;
  }

  /** An inline command, {@link #EMPTY_LINE} for a line without words, or null when its line is incomplete. */
  private RespFrame inline() {
    int lf = buffer.indexOf((byte) '\n');
    if (lf < 0) {
      if (buffer.size() > maxInlineBytes) {
        throw new ProtocolError("too big inline request");
      }
      return null;
    }
    if (lf > maxInlineBytes) {
      throw new ProtocolError("too big inline request");
    }
    int end = lf > 0 && buffer.apply(lf - 1) == '\r' ? lf - 1 : lf;
    byte[] line = buffer.slice(0, end).toArray();
    drop(lf + 1);
    List<byte[]> words = splitArgs(line);
    if (words.size() > maxArguments) {
      throw new ProtocolError("invalid multibulk length " + words.size() + " (at most " + maxArguments
          + ", kv.server.max-arguments)");
    }
    return words.isEmpty() ? EMPTY_LINE : new RespFrame.Command(words);
  }

  /**
   * Splits an inline command into words as Redis' {@code sdssplitargs} does: separated by white
   * space; "double quotes" with backslash escapes ({@code \n \r \t \b \a \\ \" \xHH}); 'single quotes'
   * with {@code \'}. A closing quote must be followed by white space or the end of the line.
   */
  static List<byte[]> splitArgs(byte[] line) {
    List<byte[]> words = new ArrayList<>();
    int i = 0;
    int n = line.length;
    while (true) {
      while (i < n && isSpace(line[i])) {
        i++;
      }
      if (i == n) {
        return words;
      }
      ByteArrayOutputStream word = new ByteArrayOutputStream();
      boolean inDouble = false;
      boolean inSingle = false;
      boolean done = false;
      while (!done) {
        if (inDouble) {
          if (i == n) {
            throw new ProtocolError("unbalanced quotes in request");
          }
          byte c = line[i];
          if (c == '\\' && i + 3 < n && line[i + 1] == 'x' && hex(line[i + 2]) >= 0 && hex(line[i + 3]) >= 0) {
            word.write(hex(line[i + 2]) * 16 + hex(line[i + 3]));
            i += 3;
          } else if (c == '\\' && i + 1 < n) {
            i++;
            byte e = line[i];
            word.write(switch (e) {
              case 'n' -> '\n';
              case 'r' -> '\r';
              case 't' -> '\t';
              case 'b' -> '\b';
              case 'a' -> 7;
              default -> e;
            });
          } else if (c == '"') {
            if (i + 1 < n && !isSpace(line[i + 1])) {
              throw new ProtocolError("unbalanced quotes in request");
            }
            done = true;
          } else {
            word.write(c);
          }
        } else if (inSingle) {
          if (i == n) {
            throw new ProtocolError("unbalanced quotes in request");
          }
          byte c = line[i];
          if (c == '\\' && i + 1 < n && line[i + 1] == '\'') {
            i++;
            word.write('\'');
          } else if (c == '\'') {
            if (i + 1 < n && !isSpace(line[i + 1])) {
              throw new ProtocolError("unbalanced quotes in request");
            }
            done = true;
          } else {
            word.write(c);
          }
        } else if (i == n || isSpace(line[i])) {
          done = true;
        } else if (line[i] == '"') {
          inDouble = true;
        } else if (line[i] == '\'') {
          inSingle = true;
        } else {
          word.write(line[i]);
        }
        if (i < n) {
          i++;
        }
      }
      words.add(word.toByteArray());
    }
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == 0x0B || b == '\f';
  }

  private static int hex(byte b) {
    if (b >= '0' && b <= '9') {
      return b - '0';
    }
    if (b >= 'a' && b <= 'f') {
      return b - 'a' + 10;
    }
    if (b >= 'A' && b <= 'F') {
      return b - 'A' + 10;
    }
    return -1;
  }

  private static String printable(byte b) {
    return b >= 0x20 && b < 0x7F ? Character.toString((char) b) : String.format("\\x%02x", b & 0xFF);
  }

  /** Input that is not RESP; the message is what follows {@code Protocol error: }. */
  private static final class ProtocolError extends RuntimeException {
    ProtocolError(String message) {
      super(message, null, false, false);
    }
  }
}
