package dev.kvactors.bench;

import dev.kvactors.server.Reply;
import dev.kvactors.server.RespReader;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** One command on a fresh connection, through kv-server's {@link RespReader}. */
final class RespCall {
  static final String LOOPBACK = "127.0.0.1";

  private RespCall() {}

  /** Waits until {@code child} answers PING on {@code port}; fails if it exits first or after {@code timeout}. */
  static void awaitPong(ChildProcess child, int port, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      child.requireAlive();
      try {
        Object reply = call(port, "PING");
        if ("PONG".equals(reply)) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(child.what() + " did not answer PING on port " + port + " within "
            + timeout.toSeconds() + " s; " + child.output());
      }
      Thread.sleep(50);
    }
  }

  /** A loopback port that was free a moment ago. */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
      return s.getLocalPort();
    }
  }

  /** The reply: a String (simple string), byte[] (bulk string), Long, List (array) or null; an error throws. */
  static Object call(int port, String... args) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(LOOPBACK, port), 1000);
      socket.setSoTimeout(5000);
      OutputStream os = socket.getOutputStream();
      os.write(RespReader.command(args));
      os.flush();
      return value(RespReader.read(new BufferedInputStream(socket.getInputStream())));
    }
  }

  /**
   * Sends {@code commands} pipelined on one fresh connection and reads every reply; returns how many
   * were errors (the first error's text into {@code firstError}, if any).
   */
  static int pipeline(int port, List<String[]> commands, Duration readTimeout, StringBuilder firstError)
      throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(LOOPBACK, port), 1000);
      socket.setSoTimeout((int) readTimeout.toMillis());
      OutputStream os = new java.io.BufferedOutputStream(socket.getOutputStream());
      for (String[] command : commands) {
        os.write(RespReader.command(command));
      }
      os.flush();
      BufferedInputStream in = new BufferedInputStream(socket.getInputStream());
      int errors = 0;
      for (int i = 0; i < commands.size(); i++) {
        if (RespReader.read(in) instanceof Reply.Error error) {
          if (errors++ == 0) {
            firstError.append(error.message());
          }
        }
      }
      return errors;
    }
  }

  static String bulk(Object reply) {
    if (!(reply instanceof byte[] b)) {
      throw new IllegalStateException("expected a bulk string, got " + reply);
    }
    return new String(b, StandardCharsets.UTF_8);
  }

  static List<String> list(Object reply) {
    if (!(reply instanceof List<?> l)) {
      throw new IllegalStateException("expected an array, got " + reply);
    }
    return l.stream().map(x -> x instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(x))
        .toList();
  }

  private static Object value(Reply reply) throws IOException {
    if (reply instanceof Reply.Simple simple) {
      return simple.text();
    } else if (reply instanceof Reply.Error error) {
      throw new IOException("error reply: " + error.message());
    } else if (reply instanceof Reply.Int n) {
      return n.value();
    } else if (reply instanceof Reply.Bulk bulk) {
      return bulk.value();
    } else if (reply instanceof Reply.Multi multi) {
      List<Object> items = new ArrayList<>(multi.elements().size());
      for (Reply element : multi.elements()) {
        items.add(value(element));
      }
      return items;
    }
    return null; // NullBulk, NullArray
  }
}
