package dev.kvactors.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "delete", description = "Delete KEY (succeeds whether or not it existed).")
final class DeleteCommand implements Callable<Integer> {
  @ParentCommand
  Kv kv;

  @Parameters(paramLabel = "KEY")
  String key;

  @Override
  public Integer call() {
    try (StoreClient store = kv.connect()) {
      store.delete(key);
    }
    return Kv.EXIT_OK;
  }
}
