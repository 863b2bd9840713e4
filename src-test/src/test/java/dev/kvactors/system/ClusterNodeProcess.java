package dev.kvactors.system;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code kv --data-dir DIR serve --cluster --port 0 --node-port N --seed ...} as a separate process
 * on the tests' database ({@code KV_PG_URL}): started, its RESP port read from the line it prints
 * once listening, stopped with SIGTERM or killed with SIGKILL.
 */
final class ClusterNodeProcess implements AutoCloseable {
  static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

  private final Process process;
  private final int port;
  private final int nodePort;
  private final Path stderr;

  private ClusterNodeProcess(Process process, int port, int nodePort, Path stderr) {
    this.process = process;
    this.port = port;
    this.nodePort = nodePort;
    this.stderr = stderr;
  }

  /** Starts the process; {@link #awaitListening} then reads its port. */
  static Process launch(Path dataDir, Path stderr, int nodePort, List<String> seeds, String pgUrl) {
    List<String> command = new ArrayList<>(KvProgram.command(dataDir, "serve", "--cluster", "--port", "0",
        "--node-port", Integer.toString(nodePort), "--seed", String.join(",", seeds)));
    command.add(1, "-Xmx256m");
    ProcessBuilder pb = new ProcessBuilder(command)
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
        .redirectError(stderr.toFile());
    pb.environment().remove("KV_DATA_DIR");
    pb.environment().put("KV_PG_URL", pgUrl);
    try {
      return pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start kv serve --cluster", e);
    }
  }

  static ClusterNodeProcess awaitListening(Process process, int nodePort, Path stderr) {
    byte[] line = KvProgram.readLines(process.getInputStream(), 1, START_TIMEOUT);
    String text = new String(line, StandardCharsets.UTF_8);
    Matcher m = LISTENING.matcher(text);
    if (!m.find()) {
      process.destroyForcibly();
      fail("kv serve --cluster did not start: stdout <" + text + ">, stderr <" + read(stderr) + ">");
    }
    return new ClusterNodeProcess(process, Integer.parseInt(m.group(1)), nodePort, stderr);
  }

  int port() {
    return port;
  }

  int nodePort() {
    return nodePort;
  }

  boolean alive() {
    return process.isAlive();
  }

  /** SIGTERM; returns the exit code. */
  int stop() {
    process.destroy();
    return KvProgram.waitFor(process, Duration.ofSeconds(90), List.of("kv serve --cluster (SIGTERM)"));
  }

  /** SIGKILL: no shutdown, no leaving the cluster. */
  void kill() {
    KvProgram.kill(process);
  }

  String stderr() {
    return read(stderr);
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      KvProgram.waitFor(process, KvProgram.TIMEOUT, List.of("kv serve --cluster (cleanup)"));
    }
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
