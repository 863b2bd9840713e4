package dev.kvactors.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * Prints a value. As redis-cli does: on a terminal, followed by a newline so the prompt starts on
 * a line of its own; otherwise (a pipe, a file) exactly its bytes, so that
 * {@code kv get k > file} gives back what {@code kv set k - < file} stored.
 */
@Command(name = "get",
    description = {
        "Print the value of KEY: exactly its bytes when stdout is not a terminal (a file or a pipe) or with --raw;"
            + " on a terminal, followed by a newline.",
        "Exit code 1 (and 'not found: KEY' on stderr) when KEY has no value."})
final class GetCommand implements Callable<Integer> {
  @ParentCommand
  Kv kv;

  @Spec
  CommandSpec spec;

  @Mixin
  HelpOption help;

  @Mixin
  ServerOption server;

  @Option(names = "--raw", description = "Print exactly the value's bytes, without a newline, even on a terminal.")
  boolean raw;

  @Parameters(paramLabel = "KEY", description = "The key (a key starting with - goes after --: kv get -- -k).")
  String key;

  @Override
  public Integer call() throws IOException {
    Optional<byte[]> value;
    try (StoreClient store = kv.connect(server, DataDir.Use.READ)) {
      value = store.get(key);
    }
    if (value.isEmpty()) {
      spec.commandLine().getErr().println("not found: " + key);
      spec.commandLine().getErr().flush();
      return Kv.EXIT_NOT_FOUND;
    }
    OutputStream out = kv.rawOut();
    out.write(value.get());
    if (kv.interactive() && !raw) {
      out.write('\n');
    }
    out.flush();
    return Kv.EXIT_OK;
  }
}
