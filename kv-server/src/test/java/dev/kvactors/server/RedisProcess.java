package dev.kvactors.server;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} (Debian's package; {@code ./test} installs it) on a free loopback port,
 * in its own directory, with nothing saved: {@code --save '' --appendonly no}. Fails with a clear
 * message when {@code redis-server} is not on the PATH.
 */
final class RedisProcess implements AutoCloseable {
  private final Process process;
  final int port;

  /** Starts {@code redis-server} in {@code dir} with the extra {@code options} ({@code --requirepass x}). */
  RedisProcess(Path dir, String... options) throws IOException, InterruptedException {
    port = freePort();
    List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port),
        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString(),
        "--logfile", dir.resolve("redis.log").toString()));
    command.addAll(List.of(options));
    try {
      process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(dir.resolve("redis.out").toFile()).start();
    } catch (IOException e) {
      throw new IOException("cannot start redis-server (install Debian's redis-server, as ./test does): " + e, e);
    }
    awaitListening();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** Waits until redis-server answers PING, whatever the answer (or has exited, which fails). */
  private void awaitListening() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    IOException last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("redis-server exited with status " + process.exitValue() + " on port " + port);
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
        socket.setSoTimeout(5000);
        socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
        InputStream in = socket.getInputStream();
        int first = in.read(); // +PONG, or -NOAUTH with --requirepass: either way it is serving
        if (first == '+' || first == '-') {
          return;
        }
      } catch (IOException e) {
        last = e;
      }
      process.waitFor(50, TimeUnit.MILLISECONDS); // redis-server is starting: poll until it answers
    }
    process.destroyForcibly();
    throw new IOException("redis-server did not answer PING on port " + port + " within 20 s", last);
  }

  @Override
  public void close() throws IOException {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while stopping redis-server", e);
    }
  }
}
