package dev.kvactors.cli;

import dev.kvactors.KvStore;
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
    try (KvStore store = kv.openStore()) {
      KvStore.await(store.delete(key), store.settings().requestTimeout());
    }
    return Kv.EXIT_OK;
  }
}
