package dev.kvactors.bench;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One line of the results: a scenario's throughput and latency percentiles. A figure a scenario
 * does not measure is null (written as JSON {@code null}).
 */
@JsonPropertyOrder({"name", "ops_per_s", "p50_us", "p99_us", "p999_us", "clients", "notes"})
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ScenarioResult(
    @JsonProperty("name") String name,
    @JsonProperty("ops_per_s") Double opsPerS,
    @JsonProperty("p50_us") Double p50Us,
    @JsonProperty("p99_us") Double p99Us,
    @JsonProperty("p999_us") Double p999Us,
    @JsonProperty("clients") Integer clients,
    @JsonProperty("notes") String notes) {

  public ScenarioResult {
    requireNonNull(name, "name is null");
    requireNonNull(notes, "notes is null");
  }

  /** A scenario that could not run: no figures, the reason in the notes. */
  public static ScenarioResult failed(String name, Integer clients, String why) {
    return new ScenarioResult(name, null, null, null, null, clients, "FAILED: " + why);
  }

  public ScenarioResult withNotes(String more) {
    return new ScenarioResult(name, opsPerS, p50Us, p99Us, p999Us, clients, notes.isEmpty() ? more : notes + "; " + more);
  }
}
