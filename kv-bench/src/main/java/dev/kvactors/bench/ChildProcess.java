package dev.kvactors.bench;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A process started here: stdout and stderr go to files (no pipe can fill up), a shutdown hook kills
 * it if the benchmark JVM exits first, and {@link #close()} stops it and anything it started.
 */
final class ChildProcess implements AutoCloseable {
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final String what;
  private final Path out;
  private final Path errFile;
  private final PrintStream log;
  private final Thread hook;
  private boolean stopSignalled;

  private ChildProcess(Process process, String what, Path out, Path errFile, PrintStream log) {
    this.process = process;
    this.what = what;
    this.out = out;
    this.errFile = errFile;
    this.log = log;
    this.hook = new Thread(() -> {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }, "bench-stop-" + what);
    Runtime.getRuntime().addShutdownHook(hook);
  }

  static ChildProcess start(ProcessBuilder pb, Path out, Path errFile, String what, PrintStream log) throws IOException {
    pb.redirectOutput(out.toFile()).redirectError(errFile.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    return new ChildProcess(pb.start(), what, out, errFile, log);
  }

  String what() {
    return what;
  }

  long pid() {
    return process.pid();
  }

  /** SIGTERM without waiting (so that several processes stop at once); {@link #close()} then waits. */
  void signalStop() {
    if (!stopSignalled && process.isAlive()) {
      stopSignalled = true;
      process.destroy();
    }
  }

  /** The CPU time the process has used so far, if the OS tells. */
  Optional<Duration> cpu() {
    return process.info().totalCpuDuration();
  }

  /** Waits until stdout has a line matching {@code pattern}; returns its first group as a number. */
  int awaitLine(Pattern pattern, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Matcher m = pattern.matcher(Files.readString(out, StandardCharsets.UTF_8));
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
      requireAlive();
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(what + " printed no line matching /" + pattern + "/ within "
            + timeout.toSeconds() + " s; " + output());
      }
      Thread.sleep(50);
    }
  }

  void requireAlive() throws IOException {
    if (!process.isAlive()) {
      throw new IllegalStateException(what + " exited " + process.exitValue() + " early; " + output());
    }
  }

  int awaitExit(Duration timeout) throws Exception {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(what + " did not finish within " + timeout.toSeconds() + " s");
    }
    return process.exitValue();
  }

  String output() throws IOException {
    return "stdout <" + tail(out) + ">, stderr <" + tail(errFile) + ">";
  }

  private static String tail(Path file) throws IOException {
    String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8).strip() : "";
    return text.length() <= 2000 ? text : "..." + text.substring(text.length() - 2000);
  }

  /** SIGTERM, then SIGKILL if it has not exited within the stop timeout; then the same for its descendants. */
  @Override
  public void close() {
    List<ProcessHandle> descendants = process.descendants().toList();
    try {
      if (process.isAlive()) {
        signalStop();
        if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
          log.println("bench: " + what + " did not stop within " + STOP_TIMEOUT.toSeconds()
              + " s of SIGTERM; killing it");
          process.destroyForcibly();
          if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            log.println("bench: WARNING: " + what + " (pid " + process.pid() + ") is still running after SIGKILL");
          }
        }
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    for (ProcessHandle d : descendants) {
      if (d.isAlive()) {
        d.destroyForcibly();
      }
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook runs anyway
    }
  }
}
