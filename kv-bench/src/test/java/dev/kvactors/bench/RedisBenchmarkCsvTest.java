package dev.kvactors.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedisBenchmarkCsvTest {
  /** What redis-benchmark 7.0.15 printed for {@code -c 50 -n 5000 -t set,get --csv}. */
  private static final String REDIS_7 = """
      "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
      "SET","68493.15","0.667","0.384","0.599","1.167","1.927","2.127"
      "GET","156250.00","0.174","0.064","0.175","0.223","0.335","0.383"
      """;

  @Test
  void readsRequestsPerSecondAndLatenciesOfRedisBenchmark7() {
    Map<String, RedisBenchmarkCsv.Row> rows = RedisBenchmarkCsv.parse(REDIS_7);

    assertEquals(List.of("SET", "GET"), List.copyOf(rows.keySet()));
    assertEquals(new RedisBenchmarkCsv.Row("SET", 68493.15, 0.599, 1.927), rows.get("SET"));
    assertEquals(new RedisBenchmarkCsv.Row("GET", 156250.00, 0.175, 0.335), rows.get("GET"));
  }

  @Test
  void ignoresProgressLinesCarriageReturnsAndOtherNoise() {
    String output = "SET: rps=0.0 (overall: -nan) avg_msec=-nan (overall: -nan)\r"
        + REDIS_7.replace("\n", "\r\n") + "\r\n\nWARNING: something\n";

    Map<String, RedisBenchmarkCsv.Row> rows = RedisBenchmarkCsv.parse(output);

    assertEquals(68493.15, rows.get("SET").rps());
    assertEquals(0.335, rows.get("GET").p99Ms());
  }

  @Test
  void findsColumnsByNameInAnyOrder() {
    String output = """
        "test","p99_latency_ms","p50_latency_ms","rps"
        "set",2.5,0.5,1234.5
        """;

    assertEquals(new RedisBenchmarkCsv.Row("SET", 1234.5, 0.5, 2.5), RedisBenchmarkCsv.parse(output).get("SET"));
  }

  @Test
  void readsOlderOutputWithoutHeaderOrLatencies() {
    Map<String, RedisBenchmarkCsv.Row> rows = RedisBenchmarkCsv.parse("\"SET\",\"3022.00\"\n\"GET\",\"5185.50\"\n");

    assertEquals(3022.0, rows.get("SET").rps());
    assertNull(rows.get("SET").p50Ms());
    assertNull(rows.get("GET").p99Ms());
  }

  @Test
  void rejectsOutputWithoutRows() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RedisBenchmarkCsv.parse("Could not connect to Redis at 127.0.0.1:6390: Connection refused\n"));
    assertTrue(e.getMessage().contains("Connection refused"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> RedisBenchmarkCsv.parse(""));
  }

  @Test
  void readsTheServerVersion() {
    assertEquals("7.0.15", RedisBenchmarkCsv.serverVersion(
        "Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=ae4d7c971a948f0\n"));
    assertEquals("something else", RedisBenchmarkCsv.serverVersion(" something else\n"));
  }

  @Test
  void reportsTheRespTargetRatios() {
    List<String> lines = Targets.check(List.of(
        new ScenarioResult("resp-set-50", 3000.0, null, 2000.0, null, 50, ""),
        new ScenarioResult("resp-get-50", 130000.0, null, null, null, 50, ""),
        new ScenarioResult("redis-always-set-50", 60000.0, null, 1000.0, null, 50, ""),
        new ScenarioResult("redis-get-50", 150000.0, null, null, null, 50, ""),
        new ScenarioResult("resp-set-50-p16", 700000.0, null, null, null, 50, ""),
        new ScenarioResult("resp-get-50-p16", 900000.0, null, null, null, 50, ""),
        new ScenarioResult("redis-always-set-50-p16", 600000.0, null, null, null, 50, ""),
        new ScenarioResult("redis-get-50-p16", 2000000.0, null, null, null, 50, "")));

    assertEquals(5, lines.size(), lines.toString());
    assertTrue(lines.get(0).startsWith("resp-set-50 / redis-always-set-50 throughput = 0.05 x")
        && lines.get(0).endsWith("[target >= 1 x: MISSED]"), lines.toString());
    assertTrue(lines.get(1).startsWith("resp-set-50 p99 / redis-always-set-50 p99 = 2.00 x")
        && lines.get(1).endsWith("[target <= 1.5 x: MISSED]"), lines.toString());
    assertTrue(lines.get(2).startsWith("resp-get-50 / redis-get-50 throughput = 0.87 x")
        && lines.get(2).endsWith("[target >= 0.8 x: met]"), lines.toString());
    assertTrue(lines.get(3).startsWith("resp-set-50-p16 / redis-always-set-50-p16 throughput = 1.17 x")
        && lines.get(3).endsWith("[target >= 1 x: met]"), lines.toString());
    assertTrue(lines.get(4).startsWith("resp-get-50-p16 / redis-get-50-p16 throughput = 0.45 x")
        && lines.get(4).endsWith("[target >= 0.5 x: MISSED]"), lines.toString());
  }
}
