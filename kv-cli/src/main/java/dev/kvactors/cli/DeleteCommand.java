package dev.kvactors.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Deletes a key and prints how many keys it deleted, 1 or 0, as redis-cli prints DEL's reply. */
@Command(name = "delete",
    description = "Delete KEY and print 1 if it existed, 0 if not (exit code 0 either way, as redis-cli's DEL).")
final class DeleteCommand implements Callable<Integer> {
  @ParentCommand
  Kv kv;

  @Spec
  CommandSpec spec;

  @Mixin
  HelpOption help;

  @Mixin
  ServerOption server;

  @Parameters(paramLabel = "KEY")
  String key;

  @Override
  public Integer call() {
    boolean existed;
    try (StoreClient store = kv.connect(server, DataDir.Use.UPDATE)) {
      existed = store.delete(key);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(existed ? "1" : "0");
    out.flush();
    return Kv.EXIT_OK;
  }
}
