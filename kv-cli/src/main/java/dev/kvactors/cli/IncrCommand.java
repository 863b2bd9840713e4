package dev.kvactors.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * Adds to the integer at a key and prints the new value, as redis-cli prints INCRBY's reply. The
 * increment is evaluated inside the store, atomically: concurrent {@code kv incr}s lose nothing.
 */
@Command(name = "incr",
    description = {
        "Add BY (default 1) to the integer stored at KEY and print the new value, as Redis's INCRBY: a missing KEY"
            + " counts as 0, and the key keeps its expiry. Atomic: increments running at once lose nothing.",
        "A value that is not a base-10 64-bit integer, or a result that would overflow, changes nothing: one line"
            + " on stderr and exit code 3. Creates the data directory if it does not exist."})
final class IncrCommand implements Callable<Integer> {
  @ParentCommand
  Kv kv;

  @Spec
  CommandSpec spec;

  @Mixin
  HelpOption help;

  @Mixin
  ServerOption server;

  @Parameters(index = "0", paramLabel = "KEY")
  String key;

  @Parameters(index = "1", paramLabel = "BY", arity = "0..1", defaultValue = "1",
      description = "The increment, a 64-bit integer (default 1); a negative one after --: kv incr KEY -- -5.")
  long by;

  @Override
  public Integer call() {
    return IncrCommand.run(kv, spec, server, key, by);
  }

  static int run(Kv kv, CommandSpec spec, ServerOption server, String key, long by) {
    long value;
    try (StoreClient store = kv.connect(server, DataDir.Use.CREATE)) {
      value = store.increment(key, by);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(value);
    out.flush();
    return Kv.EXIT_OK;
  }
}
