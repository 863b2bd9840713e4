package dev.kvactors.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The same commands to a real Redis 7.0 and to {@code kv serve}, over raw RESP, one connection to
 * each: {@link #same} asserts byte-identical replies; {@link #differs} marks a known, documented
 * difference (it asserts what kv answers and that Redis answers otherwise, so the mark goes stale
 * loudly once the difference is gone).
 */
final class SideBySide implements AutoCloseable {
  private final Connection redis;
  private final Connection kv;

  SideBySide(int redisPort, int kvPort) throws IOException {
    this.redis = new Connection(redisPort);
    this.kv = new Connection(kvPort);
  }

  /** Sends {@code args} to both; asserts the replies are the same bytes and returns them. */
  String same(String... args) throws IOException {
    String expected = redis.call(args);
    String actual = kv.call(args);
    assertEquals(expected, actual, () -> "reply to " + Arrays.toString(args));
    return actual;
  }

  /** Sends the raw bytes to both (a pipeline, an inline command); asserts the same replies, {@code replies} of them. */
  String sameRaw(String raw, int replies) throws IOException {
    String expected = redis.raw(raw, replies);
    String actual = kv.raw(raw, replies);
    assertEquals(expected, actual, () -> "replies to " + raw);
    return actual;
  }

  /**
   * A known difference, documented in the README's compatibility table as {@code why}: asserts kv
   * answers {@code kvReply} (RESP, e.g. {@code "-ERR ...\r\n"}) and Redis answers something else.
   */
  String differs(String why, String kvReply, String... args) throws IOException {
    String redisReply = redis.call(args);
    String actual = kv.call(args);
    assertEquals(kvReply, actual, () -> "kv's reply to " + Arrays.toString(args) + " (" + why + ")");
    assertNotEquals(redisReply, actual, () -> "Redis now answers the same to " + Arrays.toString(args)
        + "; the difference '" + why + "' is gone");
    return redisReply;
  }

  /**
   * Asserts the key's TTL is of the same kind on both: -2 (no key), -1 (no deadline) or positive;
   * the positive figures themselves depend on when each server was asked.
   */
  void sameTtlKind(String key) throws IOException {
    String expected = kind(redis.call("PTTL", key));
    String actual = kind(kv.call("PTTL", key));
    assertEquals(expected, actual, () -> "kind of PTTL " + key);
  }

  private static String kind(String reply) {
    return reply.startsWith(":-") || reply.startsWith("-") ? reply : reply.startsWith(":") ? ":positive" : reply;
  }

  /** Sends to Redis only (to set up state that kv gets by its own command). */
  String redis(String... args) throws IOException {
    return redis.call(args);
  }

  /** Sends to kv only. */
  String kv(String... args) throws IOException {
    return kv.call(args);
  }

  @Override
  public void close() throws IOException {
    try {
      redis.close();
    } finally {
      kv.close();
    }
  }

  /** One raw connection; a reply is returned as its RESP bytes (ISO-8859-1, so any byte survives). */
  private static final class Connection implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    Connection(int port) throws IOException {
      socket = new Socket();
      socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      socket.setSoTimeout(10_000);
      in = new BufferedInputStream(socket.getInputStream());
      out = socket.getOutputStream();
    }

    String call(String... args) throws IOException {
      out.write(RespReader.command(args));
      out.flush();
      return reply();
    }

    String raw(String bytes, int replies) throws IOException {
      out.write(bytes.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      StringBuilder all = new StringBuilder();
      for (int i = 0; i < replies; i++) {
        all.append(reply());
      }
      return all.toString();
    }

    /** One whole reply, byte for byte as sent. */
    private String reply() throws IOException {
      StringBuilder reply = new StringBuilder();
      read(reply);
      return reply.toString();
    }

    private void read(StringBuilder reply) throws IOException {
      String line = line();
      reply.append(line).append("\r\n");
      char type = line.charAt(0);
      if (type == '$') {
        long length = Long.parseLong(line.substring(1));
        if (length >= 0) {
          byte[] value = in.readNBytes((int) length + 2);
          reply.append(new String(value, StandardCharsets.ISO_8859_1));
        }
      } else if (type == '*') {
        long count = Long.parseLong(line.substring(1));
        for (long i = 0; i < count; i++) {
          read(reply);
        }
      }
    }

    private String line() throws IOException {
      StringBuilder line = new StringBuilder();
      int b;
      while ((b = in.read()) != '\n') {
        if (b < 0) {
          throw new java.io.EOFException("connection closed; read so far: " + line);
        }
        if (b != '\r') {
          line.append((char) b);
        }
      }
      if (line.length() == 0) {
        throw new IOException("empty reply line");
      }
      return line.toString();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
