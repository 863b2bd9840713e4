package dev.kvactors.server;

import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per-command counts for {@code INFO commandstats}, keyed by Redis's full name ({@code get},
 * {@code config|get}): calls, microseconds from the start of the command to its reply (the store's
 * round trip included, where Redis counts only its own CPU time), calls rejected before they ran
 * (arity, authentication) and calls that ran and answered an error. Thread-safe.
 */
final class CommandStats {
  private static final class Counts {
    final LongAdder calls = new LongAdder();
    final LongAdder nanos = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder failed = new LongAdder();
  }

  private final Map<String, Counts> byName = new ConcurrentSkipListMap<>();

  private Counts counts(String name) {
    return byName.computeIfAbsent(name, n -> new Counts());
  }

  void ran(String name, long nanos, boolean failed) {
    Counts c = counts(name);
    c.calls.increment();
    c.nanos.add(nanos);
    if (failed) {
      c.failed.increment();
    }
  }

  void rejected(String name) {
    counts(name).rejected.increment();
  }

  /** The lines of {@code # Commandstats}, as Redis writes them. */
  String lines() {
    StringBuilder out = new StringBuilder();
    byName.forEach((name, c) -> {
      long calls = c.calls.sum();
      long usec = c.nanos.sum() / 1000;
      out.append("cmdstat_").append(name).append(":calls=").append(calls).append(",usec=").append(usec)
          .append(",usec_per_call=").append(String.format(java.util.Locale.ROOT, "%.2f",
              calls == 0 ? 0.0 : (double) usec / calls))
          .append(",rejected_calls=").append(c.rejected.sum()).append(",failed_calls=").append(c.failed.sum())
          .append("\r\n");
    });
    return out.toString();
  }
}
