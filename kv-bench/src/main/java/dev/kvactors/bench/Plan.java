package dev.kvactors.bench;

import java.time.Duration;

/**
 * How long and how large each scenario runs: the full run, or {@code --quick} (under 2 minutes).
 * {@code respWarmupRequests} is the same in both modes: a RESP server is measured only after its JIT
 * has seen that many requests of each kind (plain, then again pipelined), not counted.
 * {@code clusterWarmupRequests} is the cluster scenarios' warm-up per test (SET, GET), in all
 * nodes together; its rate sizes each measured test to last about {@code clusterMeasure}.
 */
public record Plan(
    boolean quick,
    Duration warmup,
    Duration measure,
    int keySpace,
    int recoveryKeys,
    int recoveryRuns,
    int cliRuns,
    int jmhWarmupIterations,
    int jmhIterations,
    Duration jmhIterationTime,
    int respRequests,
    int respPipelinedRequests,
    int respWarmupRequests,
    int clusterWarmupRequests,
    Duration clusterMeasure) {

  public static Plan fullRun() {
    return new Plan(false, Duration.ofSeconds(3), Duration.ofSeconds(10), 10_000, 1_000_000, 3, 10, 3, 5,
        Duration.ofSeconds(2), 100_000, 1_000_000, 100_000, 10_000, Duration.ofSeconds(10));
  }

  public static Plan quickRun() {
    return new Plan(true, Duration.ofMillis(500), Duration.ofMillis(1500), 10_000, 1_000_000, 1, 5, 1, 2,
        Duration.ofSeconds(1), 20_000, 200_000, 100_000, 1_000, Duration.ofMillis(1500));
  }
}
