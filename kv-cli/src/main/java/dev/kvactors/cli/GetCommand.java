package dev.kvactors.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "get", description = "Print the value of KEY (its raw bytes, then a newline).")
final class GetCommand implements Callable<Integer> {
  @ParentCommand
  Kv kv;

  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "KEY")
  String key;

  @Override
  public Integer call() throws IOException {
    Optional<byte[]> value;
    try (StoreClient store = kv.connect()) {
      value = store.get(key);
    }
    if (value.isEmpty()) {
      spec.commandLine().getErr().println("not found: " + key);
      spec.commandLine().getErr().flush();
      return Kv.EXIT_NOT_FOUND;
    }
    OutputStream out = kv.rawOut();
    out.write(value.get());
    out.write('\n');
    out.flush();
    return Kv.EXIT_OK;
  }
}
