package dev.kvactors.bench;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code cli-cold-get}: wall time of {@code ./kv get} on a small store, a new JVM each time, with
 * the launcher's AppCDS archive and without it ({@code KV_CDS=off}). p50_us is the median.
 */
final class CliColdGet {
  private final Plan plan;
  private final WorkDir work;
  private final Path home;

  CliColdGet(Plan plan, WorkDir work, Path home) {
    this.plan = requireNonNull(plan, "plan is null");
    this.work = requireNonNull(work, "work is null");
    this.home = requireNonNull(home, "home is null");
  }

  List<ScenarioResult> run() throws Exception {
    Path launcher = home.resolve("kv");
    if (!Files.isExecutable(launcher)) {
      return List.of(ScenarioResult.failed("cli-cold-get", 1, "no executable launcher at " + launcher),
          ScenarioResult.failed("cli-cold-get", 1, "no executable launcher at " + launcher));
    }
    Path dataDir = work.newDir("cli-cold-get");
    run(launcher, dataDir, true, "set", "greeting", "hello");
    Path archive = home.resolve("kv-cli/target/kv.jsa");
    List<ScenarioResult> results = new ArrayList<>();
    results.add(measure(launcher, dataDir, true, archive));
    results.add(measure(launcher, dataDir, false, archive));
    return results;
  }

  private ScenarioResult measure(Path launcher, Path dataDir, boolean cds, Path archive) throws Exception {
    run(launcher, dataDir, cds, "get", "greeting"); // warm-up: page cache, and the archive if it is missing
    List<Long> micros = new ArrayList<>();
    for (int i = 0; i < plan.cliRuns(); i++) {
      long start = System.nanoTime();
      run(launcher, dataDir, cds, "get", "greeting");
      micros.add((System.nanoTime() - start) / 1000);
    }
    micros.sort(null);
    double median = micros.size() % 2 == 1 ? micros.get(micros.size() / 2)
        : (micros.get(micros.size() / 2 - 1) + micros.get(micros.size() / 2)) / 2.0;
    String which = cds
        ? (Files.exists(archive) ? String.format(Locale.ROOT, "with AppCDS archive %s (%,d bytes)",
            home.relativize(archive), Files.size(archive)) : "with AppCDS requested but NO archive was created")
        : "without AppCDS archive (KV_CDS=off)";
    return new ScenarioResult("cli-cold-get", null, median, null, null, 1, String.format(Locale.ROOT,
        "%s; ./kv get of a 1-key store, a new JVM per run; p50_us = median wall time of %d runs (min %,d us, max %,d"
            + " us)", which, micros.size(), micros.get(0), micros.get(micros.size() - 1)));
  }

  private void run(Path launcher, Path dataDir, boolean cds, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(launcher.toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD)
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    pb.environment().put("KV_DATA_DIR", dataDir.toString());
    if (cds) {
      pb.environment().remove("KV_CDS");
    } else {
      pb.environment().put("KV_CDS", "off");
    }
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", command) + " did not finish within 300 s");
    }
    String text = new String(out, StandardCharsets.UTF_8);
    if (p.exitValue() != 0 || (args[0].equals("get") && !text.equals("hello"))) {
      throw new IllegalStateException(String.join(" ", command) + " exited " + p.exitValue() + " with output: "
          + text.strip());
    }
  }
}
