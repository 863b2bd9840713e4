package dev.kvactors.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Subtracts from the integer at a key and prints the new value, as redis-cli prints DECRBY's reply. */
@Command(name = "decr",
    description = "Subtract BY (default 1) from the integer stored at KEY and print the new value, as Redis's DECRBY;"
        + " otherwise as kv incr.")
final class DecrCommand implements Callable<Integer> {
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
      description = "The decrement, a 64-bit integer (default 1).")
  long by;

  @Override
  public Integer call() {
    if (by == Long.MIN_VALUE) {
      // Redis: DECRBY k -9223372036854775808 is refused, its negation does not fit
      throw new ParameterException(spec.commandLine(), "decrement would overflow: " + by);
    }
    return IncrCommand.run(kv, spec, server, key, -by);
  }
}
