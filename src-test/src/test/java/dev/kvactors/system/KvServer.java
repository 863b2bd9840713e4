package dev.kvactors.system;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code kv --data-dir DIR serve --port 0} as a separate process: started, its port read from the
 * line it prints once listening, stopped with SIGTERM or killed with SIGKILL.
 */
final class KvServer implements AutoCloseable {
  static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

  private final Process process;
  private final int port;
  private final Path stderr;

  private KvServer(Process process, int port, Path stderr) {
    this.process = process;
    this.port = port;
    this.stderr = stderr;
  }

  static KvServer start(Path dataDir, Path workDir, String... extraArgs) {
    Path stderr = workDir.resolve("serve-" + System.nanoTime() + ".err");
    String[] args = new String[extraArgs.length + 3];
    args[0] = "serve";
    args[1] = "--port";
    args[2] = "0";
    System.arraycopy(extraArgs, 0, args, 3, extraArgs.length);
    Process process = KvProgram.start(dataDir, stderr, args);
    byte[] line = KvProgram.readLines(process.getInputStream(), 1, START_TIMEOUT);
    String text = new String(line, StandardCharsets.UTF_8);
    Matcher m = LISTENING.matcher(text);
    if (!m.find()) {
      process.destroyForcibly();
      fail("kv serve did not start: stdout <" + text + ">, stderr <" + read(stderr) + ">");
    }
    return new KvServer(process, Integer.parseInt(m.group(1)), stderr);
  }

  int port() {
    return port;
  }

  Process process() {
    return process;
  }

  /** SIGTERM (Process.destroy on Linux); returns the exit code. */
  int stop() {
    process.destroy();
    return KvProgram.waitFor(process, KvProgram.TIMEOUT, List.of("kv serve (SIGTERM)"));
  }

  /** SIGKILL: no shutdown at all. */
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
      KvProgram.waitFor(process, KvProgram.TIMEOUT, List.of("kv serve (cleanup)"));
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
