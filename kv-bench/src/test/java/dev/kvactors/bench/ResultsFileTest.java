package dev.kvactors.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsFileTest {
  @TempDir
  Path dir;

  @Test
  void writesOneObjectPerScenarioWithTheIssuesFields() throws Exception {
    List<ScenarioResult> results = List.of(
        new ScenarioResult("raw-fsync", 5000.0, 180.0, 250.0, 900.0, 1, "fsync"),
        new ScenarioResult("recovery-1m", 1.0e6, null, null, null, 1, "from log"),
        ScenarioResult.failed("rocksdb-sync-64", 64, "no native library"));
    Path file = dir.resolve("sub/results.json");

    ResultsFile.write(file, results);

    JsonNode array = new ObjectMapper().readTree(file.toFile());
    assertTrue(array.isArray());
    assertEquals(3, array.size());
    List<String> fields = new ArrayList<>();
    for (Iterator<String> it = array.get(0).fieldNames(); it.hasNext(); ) {
      fields.add(it.next());
    }
    assertEquals(List.of("name", "ops_per_s", "p50_us", "p99_us", "p999_us", "clients", "notes"), fields);
    assertEquals("raw-fsync", array.get(0).get("name").asText());
    assertEquals(180.0, array.get(0).get("p50_us").asDouble());
    assertTrue(array.get(1).get("p50_us").isNull());
    assertTrue(array.get(2).get("notes").asText().startsWith("FAILED: "));
    assertEquals(results, ResultsFile.read(file));
  }

  @Test
  void printsATableWithEveryScenario() {
    String table = ResultsFile.table(List.of(new ScenarioResult("get-64", 512345.6, 52.5, 529.0, 3320.0, 64, "n")));
    assertTrue(table.contains("get-64"), table);
    assertTrue(table.contains("512,346"), table);
    assertTrue(table.contains("52.5"), table);
  }

  @Test
  void reportsTargetRatios() {
    List<String> lines = Targets.check(List.of(
        new ScenarioResult("raw-fsync", 1000.0, 100.0, 1.0, 1.0, 1, ""),
        new ScenarioResult("set-fsync-64", 30000.0, 1.0, 1.0, 1.0, 64, ""),
        new ScenarioResult("set-fsync-1", 900.0, 200.0, 1.0, 1.0, 1, "")));
    assertTrue(lines.get(0).contains("30.00 x") && lines.get(0).endsWith("met]"), lines.toString());
    assertTrue(lines.get(1).contains("2.00 x") && lines.get(1).endsWith("MISSED]"), lines.toString());
  }
}
