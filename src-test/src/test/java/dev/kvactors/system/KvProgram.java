package dev.kvactors.system;

import static java.util.Objects.requireNonNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the packaged {@code kv} program ({@code kv-cli/target/kv.jar}) as a separate process, the
 * way a user does, with its logs going to {@code DATA_DIR/kv.log} through {@code config/logback.xml}.
 * Every wait has a timeout; a process that overruns it is killed and the test fails.
 */
final class KvProgram {
  static final Duration TIMEOUT = Duration.ofSeconds(60);

  /** What a finished run printed: stdout as bytes (values are binary), stderr as text. */
  record Result(int exitCode, byte[] stdout, String stderr) {
    String out() {
      return new String(stdout, StandardCharsets.UTF_8);
    }

    List<String> outLines() {
      return out().lines().toList();
    }

    /** For assertion messages. */
    String describe() {
      return "exit code " + exitCode + ", stdout <" + abbreviate(out()) + ">, stderr <" + stderr + ">";
    }

    private static String abbreviate(String s) {
      return s.length() <= 500 ? s : s.substring(0, 500) + "... (" + s.length() + " chars)";
    }
  }

  private KvProgram() {}

  /** The project root (holding {@code ./kv} and {@code config/}), from surefire's {@code kv.root}. */
  static Path root() {
    return Path.of(requireNonNull(System.getProperty("kv.root"), "system property kv.root is not set"))
        .toAbsolutePath().normalize();
  }

  static Path jar() {
    String property = requireNonNull(System.getProperty("kv.jar"), "system property kv.jar is not set");
    Path jar = Path.of(property).toAbsolutePath().normalize();
    if (!Files.isRegularFile(jar)) {
      fail("the kv program " + jar + " is missing: run `mvn verify` from the root of the project");
    }
    return jar;
  }

  /** {@code java ... -jar kv.jar --data-dir DIR args...} */
  static List<String> command(Path dataDir, String... args) {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
        "-Dlogback.configurationFile=" + root().resolve("config/logback.xml"),
        "-jar", jar().toString(),
        "--data-dir", dataDir.toString()));
    command.addAll(List.of(args));
    return command;
  }

  /** Runs {@code kv --data-dir DIR args...} to the end. */
  static Result run(Path dataDir, String... args) {
    return run(command(dataDir, args), null, new byte[0], TIMEOUT);
  }

  /** Runs {@code kv --data-dir DIR args...} with {@code stdin} as its input. */
  static Result runWithStdin(Path dataDir, byte[] stdin, String... args) {
    return run(command(dataDir, args), null, stdin, TIMEOUT);
  }

  /** Runs any command in {@code workDir} (null: this one's), without KV_DATA_DIR unless {@code env} sets it. */
  static Result run(List<String> command, Path workDir, byte[] stdin, Duration timeout, String... env) {
    ProcessBuilder pb = builder(command, workDir, env);
    Process process;
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
    CompletableFuture<byte[]> out = readAll(process.getInputStream());
    CompletableFuture<byte[]> err = readAll(process.getErrorStream());
    try (OutputStream in = process.getOutputStream()) {
      in.write(stdin);
    } catch (IOException e) {
      // the program exited without reading its input; its exit code tells why
    }
    int exitCode = waitFor(process, timeout, command);
    return new Result(exitCode, get(out, command), new String(get(err, command), StandardCharsets.UTF_8));
  }

  /** Starts {@code kv --data-dir DIR args...} in the background; its stderr goes to {@code stderrFile}. */
  static Process start(Path dataDir, Path stderrFile, String... args) {
    ProcessBuilder pb = builder(command(dataDir, args), null)
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
        .redirectError(stderrFile.toFile());
    try {
      return pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start kv " + String.join(" ", args), e);
    }
  }

  /**
   * Kills {@code process} with SIGKILL (on Linux) and waits for it to be gone. Through its handle,
   * unlike {@link Process#destroyForcibly()}, so that what it wrote to its stdout before it died
   * can still be read.
   */
  static void kill(Process process) {
    process.toHandle().destroyForcibly();
    waitFor(process, TIMEOUT, List.of("killed process " + process.pid()));
  }

  static int waitFor(Process process, Duration timeout, List<String> command) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        fail("timed out after " + timeout.toSeconds() + " s: " + String.join(" ", command));
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new AssertionError("interrupted while waiting for " + command, e);
    }
  }

  private static ProcessBuilder builder(List<String> command, Path workDir, String... env) {
    ProcessBuilder pb = new ProcessBuilder(command);
    if (workDir != null) {
      pb.directory(workDir.toFile());
    }
    pb.environment().remove("KV_DATA_DIR");
    for (String e : env) {
      int eq = e.indexOf('=');
      pb.environment().put(e.substring(0, eq), e.substring(eq + 1));
    }
    return pb;
  }

  static CompletableFuture<byte[]> readAll(InputStream in) {
    return CompletableFuture.supplyAsync(() -> {
      try (in) {
        return in.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  private static byte[] get(CompletableFuture<byte[]> output, List<String> command) {
    try {
      return output.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while reading the output of " + command, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new AssertionError("cannot read the output of " + command, e);
    }
  }

  /**
   * Reads {@code in} until it has seen {@code lines} complete lines, or fails after the timeout.
   * Returns what it read; the rest stays in the stream. Reading happens on another thread so that
   * a silent process cannot block the test past its timeout.
   */
  static byte[] readLines(InputStream in, int lines, Duration timeout) {
    CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
      ByteArrayOutputStream seen = new ByteArrayOutputStream();
      int newlines = 0;
      try {
        while (newlines < lines) {
          int b = in.read();
          if (b < 0) {
            break;
          }
          seen.write(b);
          if (b == '\n') {
            newlines++;
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return seen.toByteArray();
    });
    try {
      return read.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while reading", e);
    } catch (ExecutionException e) {
      throw new AssertionError("reading failed", e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("fewer than " + lines + " lines within " + timeout.toSeconds() + " s");
    }
  }

  /** The complete lines of {@code output}: a last line without its newline is dropped. */
  static List<String> completeLines(byte[] output) {
    String text = new String(output, StandardCharsets.UTF_8);
    int end = text.lastIndexOf('\n');
    return end < 0 ? List.of() : text.substring(0, end + 1).lines().toList();
  }
}
