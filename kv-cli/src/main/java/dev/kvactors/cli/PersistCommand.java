package dev.kvactors.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Removes a key's expiry, as Redis's {@code PERSIST}. */
@Command(name = "persist",
    description = {
        "Remove the expiry of KEY, so it stays until deleted (nothing to do if it has none).",
        "Exit code 1 (and 'not found: KEY' on stderr) when KEY has no value."})
final class PersistCommand implements Callable<Integer> {
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
    boolean exists;
    try (StoreClient store = kv.connect(server, DataDir.Use.UPDATE)) {
      // PERSIST answers 0 both for no key and for no expiry: only the first is "not found"
      exists = store.persist(key) || store.pttl(key) != -2;
    }
    return exists ? Kv.EXIT_OK : Kv.notFound(spec, key);
  }
}
