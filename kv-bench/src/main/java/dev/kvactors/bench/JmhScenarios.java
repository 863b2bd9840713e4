package dev.kvactors.bench;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/** Runs the JMH micro-benchmarks ({@link CodecBenchmark}) in a forked JVM and reports them as scenarios. */
final class JmhScenarios {
  private final Plan plan;

  JmhScenarios(Plan plan) {
    this.plan = requireNonNull(plan, "plan is null");
  }

  List<ScenarioResult> run() throws Exception {
    Options options = new OptionsBuilder()
        .include(CodecBenchmark.class.getName() + "\\.")
        .forks(1)
        .warmupIterations(plan.jmhWarmupIterations())
        .warmupTime(TimeValue.milliseconds(plan.jmhIterationTime().toMillis()))
        .measurementIterations(plan.jmhIterations())
        .measurementTime(TimeValue.milliseconds(plan.jmhIterationTime().toMillis()))
        .jvmArgs("-Xmx256m")
        .shouldFailOnError(true)
        .verbosity(VerboseMode.SILENT)
        .build();
    Collection<RunResult> results = new Runner(options).run();
    List<ScenarioResult> out = new ArrayList<>();
    for (RunResult r : results) {
      String method = r.getParams().getBenchmark();
      method = method.substring(method.lastIndexOf('.') + 1);
      String name = switch (method) {
        case "encodeRecord" -> "codec-encode";
        case "decodeRecord" -> "codec-decode";
        case "checksumOnly" -> "codec-crc32c";
        default -> "codec-" + method;
      };
      double score = r.getPrimaryResult().getScore();
      double error = r.getPrimaryResult().getScoreError();
      out.add(new ScenarioResult(name, score, null, null, null, 1, String.format(Locale.ROOT,
          "JMH %s.%s, 1 fork, %d x %d ms measured, +/- %,.0f ops/s (99.9%%); one log record, 11-byte key, 100-byte"
              + " value", CodecBenchmark.class.getSimpleName(), method, plan.jmhIterations(),
          plan.jmhIterationTime().toMillis(), Double.isNaN(error) ? 0 : error)));
    }
    out.sort((a, b) -> a.name().compareTo(b.name()));
    return out;
  }
}
