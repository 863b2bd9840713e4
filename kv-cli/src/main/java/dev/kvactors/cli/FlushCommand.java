package dev.kvactors.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Removes every key, as redis-cli's FLUSHDB, and prints OK; only with {@code --yes}. */
@Command(name = "flush",
    description = {
        "Remove every key of the store (the data directory, or the running kv server that serves it) and print OK,"
            + " as redis-cli's FLUSHDB. The removal is written to the log like any write: it survives a restart.",
        "Without --yes it changes nothing: it prints what it would remove and exits with code 2."})
final class FlushCommand implements Callable<Integer> {
  @ParentCommand
  Kv kv;

  @Spec
  CommandSpec spec;

  @Mixin
  HelpOption help;

  @Mixin
  ServerOption server;

  @Option(names = "--yes", description = "Remove every key.")
  boolean yes;

  @Override
  public Integer call() {
    if (!yes) {
      String address = server.server != null ? server.server : kv.server;
      String target;
      if (address != null) {
        target = "the kv server at " + address;
      } else {
        Path dir = kv.resolvedDataDir(DataDir.Use.READ);
        target = dir.toString();
      }
      PrintWriter err = spec.commandLine().getErr();
      err.println("kv flush would remove every key of " + target + "; nothing was changed: run `kv flush --yes` to"
          + " remove them");
      err.flush();
      return spec.exitCodeOnInvalidInput();
    }
    try (StoreClient store = kv.connect(server, DataDir.Use.UPDATE)) {
      store.clear();
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println("OK");
    out.flush();
    return Kv.EXIT_OK;
  }
}
