package dev.kvactors.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kv serve} as a real process on a small heap: memory held for clients is bounded
 * (back-pressure, refusal), a reply above the limit is an error and not a hang, a fatal error
 * exits non-zero with a last line on stderr, and a failed start on a full disk names the cause.
 */
class ServerLimitsSystemTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(120);
  private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
  private static final int MIB = 1 << 20;

  @TempDir
  Path tmp;

  /** {@code java <jvmOptions> -jar kv.jar --data-dir DIR serve --port 0}, its stderr in a file. */
  private record Server(Process process, int port, Path stderr) implements AutoCloseable {
    String errors() {
      try {
        return Files.readString(stderr);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    int stop() {
      process.destroy();
      return KvProgram.waitFor(process, KvProgram.TIMEOUT, List.of("kv serve (SIGTERM)"));
    }

    @Override
    public void close() {
      if (process.isAlive()) {
        KvProgram.kill(process);
      }
    }
  }

  private Server serve(Path dataDir, String... jvmOptions) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of(jvmOptions));
    command.addAll(List.of("-Dlogback.configurationFile=" + KvProgram.root().resolve("config/logback.xml"),
        "-jar", KvProgram.jar().toString(), "--data-dir", dataDir.toString(), "serve", "--port", "0"));
    Path stderr = tmp.resolve("serve-" + System.nanoTime() + ".err");
    ProcessBuilder pb = new ProcessBuilder(command)
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
        .redirectError(stderr.toFile());
    pb.environment().remove("KV_DATA_DIR");
    Process process = pb.start();
    String line = new String(KvProgram.readLines(process.getInputStream(), 1, KvProgram.TIMEOUT), StandardCharsets.UTF_8);
    Matcher m = LISTENING.matcher(line);
    if (!m.find()) {
      KvProgram.kill(process);
      fail("kv serve did not start: stdout <" + line + ">, stderr <" + Files.readString(stderr) + ">");
    }
    return new Server(process, Integer.parseInt(m.group(1)), stderr);
  }

  private static Socket connect(Server server) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
    socket.setSoTimeout((int) TIMEOUT.toMillis());
    return socket;
  }

  private static byte[] command(byte[]... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
    for (byte[] arg : args) {
      out.writeBytes(("$" + arg.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.writeBytes(arg);
      out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    return out.toByteArray();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] value(int size) {
    byte[] value = new byte[size];
    Arrays.fill(value, (byte) 'v');
    return value;
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        fail("connection closed after <" + line + ">");
      }
      line.append((char) b);
    }
    return line.toString().strip();
  }

  /** Sends on another thread: a server that stops reading must not block the test's reads. */
  private static CompletableFuture<Void> sendAsync(Socket socket, byte[] request, int times, byte[] then) {
    return CompletableFuture.runAsync(() -> {
      try {
        OutputStream out = socket.getOutputStream();
        for (int i = 0; i < times; i++) {
          out.write(request);
        }
        out.write(then);
        out.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  private static String ping(Server server) throws IOException {
    try (Socket socket = connect(server)) {
      socket.getOutputStream().write(ascii("PING\r\n"));
      return line(socket.getInputStream());
    }
  }

  @Test
  void aClientPipeliningLargeSetsOnASmallHeapIsHeldBackNotKilled() throws Exception {
    // A long stale-after: this test is about the server's memory; a writer busy with 16 MiB records
    // on a loaded machine may miss the default 500 ms heartbeat and be reset (a retryable error).
    // And a bounded JDK cache of temporary direct buffers: the store writes 16 MiB heap buffers to
    // its FileChannel from several blocking-io threads, and by default each thread keeps a 16 MiB
    // direct copy for good, which exhausts direct memory (-Xmx) before the heap (a store issue,
    // reported; not what this test is about).
    try (Server server = serve(tmp.resolve("data"), "-Xmx256m", "-Dkv.heartbeat.stale-after=10s",
        "-Djdk.nio.maxCachedBufferSize=1048576")) {
      int sets = 24; // 384 MiB of values, pipelined on one connection, on a 256 MiB heap
      try (Socket socket = connect(server)) {
        CompletableFuture<Void> sent = sendAsync(socket, command(ascii("SET"), ascii("big"), value(16 * MIB)), sets,
            ascii("PING\r\n"));
        InputStream in = socket.getInputStream();
        for (int i = 0; i < sets; i++) {
          assertEquals("+OK", line(in), "reply " + i + "; stderr: " + server.errors());
        }
        assertEquals("+PONG", line(in));
        sent.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      }
      assertEquals("+PONG", ping(server));
      assertEquals(0, server.stop(), server.errors());
      assertFalse(server.errors().contains("OutOfMemoryError"), server.errors());
    }
  }

  @Test
  void aRequestThatCannotFitATinyHeapIsRefusedWithAnErrorNotAnOutOfMemoryError() throws Exception {
    try (Server server = serve(tmp.resolve("data"), "-Xmx64m")) {
      try (Socket socket = connect(server)) {
        CompletableFuture<Void> sent = sendAsync(socket, command(ascii("SET"), ascii("big"), value(16 * MIB)), 1,
            new byte[0]);
        String reply = line(socket.getInputStream());
        assertTrue(reply.startsWith("-ERR Protocol error: request larger than the ")
            && reply.endsWith("bytes a connection may hold (kv.server.max-client-memory)"), reply);
        sent.handle((ok, error) -> null).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      }
      assertEquals("+PONG", ping(server));
      assertEquals(0, server.stop(), server.errors());
    }
  }

  @Test
  void aFatalErrorExitsNonZeroWithOneLastLineOnStderr() throws Exception {
    // The data set itself outgrows the heap (the store holds every value; only client buffers are
    // bounded): the JVM runs out of memory in the store, Pekko exits the JVM. Before the fix the
    // exit status of that was 0, as after SIGTERM.
    try (Server server = serve(tmp.resolve("data"), "-Xmx96m")) {
      List<String> replies = new ArrayList<>();
      try (Socket socket = connect(server)) {
        byte[] value = value(4 * MIB); // within what a connection may hold on this heap (7%: 6.5 MiB)
        InputStream in = socket.getInputStream();
        for (int i = 0; i < 256 && server.process().isAlive(); i++) {
          try {
            socket.getOutputStream().write(command(ascii("SET"), ascii("key" + i), value));
            replies.add(line(in));
          } catch (IOException | AssertionError e) {
            replies.add(e.toString());
            break; // the server is gone
          }
        }
      }
      assertTrue(server.process().waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS),
          "the server did not exit; replies " + replies + "; stderr: " + server.errors());
      int status = server.process().exitValue();
      String errors = server.errors();
      assertNotEquals(0, status, errors);
      List<String> lines = errors.lines().filter(l -> !l.isBlank()).toList();
      assertTrue(errors.contains("OutOfMemoryError"), errors);
      assertTrue(lines.get(lines.size() - 1).startsWith("kv: fatal: "), errors);
      assertEquals(1, lines.stream().filter(l -> l.startsWith("kv: fatal: ")).count(), errors);
    }
  }

  @Test
  void aReplyOverTwoGibibytesIsRefusedWithAnErrorNotLeftHanging() throws Exception {
    try (Server server = serve(tmp.resolve("data"))) {
      try (Socket socket = connect(server)) {
        InputStream in = socket.getInputStream();
        socket.getOutputStream().write(command(ascii("SET"), ascii("big"), value(16 * MIB)));
        assertEquals("+OK", line(in));
        byte[][] mget = new byte[131][];
        mget[0] = ascii("MGET");
        Arrays.fill(mget, 1, mget.length, ascii("big")); // 130 x 16 MiB: 2.03 GiB
        socket.getOutputStream().write(command(mget));
        socket.getOutputStream().write(ascii("PING\r\n"));
        String reply = line(in);
        assertTrue(reply.startsWith("-ERR reply too large: more than "), reply);
        assertEquals("+PONG", line(in));
      }
      assertEquals(0, server.stop(), server.errors());
      assertTrue(server.errors().contains("kv.server.max-reply-bytes"), server.errors());
    }
  }

  @Test
  void aServerOnAFullDiskSaysSoWhenItCannotAdvertiseItself() throws Exception {
    Path mount = tmp.resolve("mnt");
    Files.createDirectories(mount);
    KvProgram.Result mounted = KvProgram.run(List.of("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs",
        mount.toString()), null, new byte[0], KvProgram.TIMEOUT);
    assumeTrue(mounted.exitCode() == 0, "mounting a tmpfs needs root: " + mounted.describe());
    try {
      Path data = mount.resolve("data");
      KvProgram.Result set = KvProgram.run(data, "set", "a", "b");
      assertEquals(0, set.exitCode(), set.describe());
      // fill what is left of the disk
      try (OutputStream filler = Files.newOutputStream(mount.resolve("filler"))) {
        byte[] block = new byte[4096];
        while (true) {
          filler.write(block);
        }
      } catch (IOException full) {
        assertTrue(String.valueOf(full.getMessage()).contains("No space left on device"), full.toString());
      }
      KvProgram.Result serve = KvProgram.run(data, "serve", "--port", "0");
      assertEquals(3, serve.exitCode(), serve.describe());
      assertTrue(serve.stderr().contains("kv: cannot listen on 127.0.0.1:0: cannot write "
          + data.resolve("kv.server") + ": No space left on device"), serve.describe());
    } finally {
      KvProgram.run(List.of("umount", "-l", mount.toString()), null, new byte[0], KvProgram.TIMEOUT);
    }
  }
}
