package dev.kvactors.cli;

import dev.kvactors.KvException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * Lists keys, one a line; with {@code -0} each followed by a NUL byte instead (as {@code find
 * -print0}, for {@code xargs -0}), which no key typed on a command line can contain, so a key
 * holding a newline is not taken for two.
 */
@Command(name = "keys",
    description = {
        "List the keys starting with PREFIX (all keys without one), sorted, one a line.",
        "A key may contain a newline: for output that cannot be misread, use -0 (each key followed by a NUL byte,"
            + " for xargs -0 or read -d '')."})
final class KeysCommand implements Callable<Integer> {
  @ParentCommand
  Kv kv;

  @Spec
  CommandSpec spec;

  @Mixin
  HelpOption help;

  @Mixin
  ServerOption server;

  @Option(names = {"-0", "--null"},
      description = "End each key with a NUL byte instead of a newline. A key that contains a NUL (possible over"
          + " RESP only) is an error (exit code 3) rather than output that could be misread.")
  boolean nul;

  @Parameters(paramLabel = "PREFIX", arity = "0..1", defaultValue = "")
  String prefix;

  @Override
  public Integer call() {
    List<String> keys;
    try (StoreClient store = kv.connect(server, DataDir.Use.READ)) {
      keys = store.keys(prefix);
    }
    if (nul) {
      keys.stream().filter(k -> k.indexOf('\0') >= 0).findFirst().ifPresent(k -> {
        throw new KvException("a key contains a NUL byte, so -0 cannot list it unambiguously: "
            + k.replace("\0", "\\0"), false);
      });
    }
    PrintWriter out = spec.commandLine().getOut();
    String end = nul ? "\0" : "\n";
    keys.forEach(k -> out.print(k + end));
    out.flush();
    return Kv.EXIT_OK;
  }
}
