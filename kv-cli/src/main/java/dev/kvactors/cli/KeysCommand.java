package dev.kvactors.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "keys", description = "List the keys starting with PREFIX (all keys without one), sorted, one a line.")
final class KeysCommand implements Callable<Integer> {
  @ParentCommand
  Kv kv;

  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "PREFIX", arity = "0..1", defaultValue = "")
  String prefix;

  @Override
  public Integer call() {
    List<String> keys;
    try (StoreClient store = kv.connect()) {
      keys = store.keys(prefix);
    }
    PrintWriter out = spec.commandLine().getOut();
    keys.forEach(out::println);
    out.flush();
    return Kv.EXIT_OK;
  }
}
