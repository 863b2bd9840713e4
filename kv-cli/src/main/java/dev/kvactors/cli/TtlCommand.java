package dev.kvactors.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Prints how long a key has left, as Redis's {@code PTTL} tells it, in a form a person reads. */
@Command(name = "ttl",
    description = {
        "Print the time KEY has left before it expires: 734ms, 9.8s, 4m59s, 2h0m1s, 3d4h0m0s; 'none' if it has"
            + " no expiry; with --ms, the milliseconds (-1 for none).",
        "Exit code 1 (and 'not found: KEY' on stderr) when KEY has no value."})
final class TtlCommand implements Callable<Integer> {
  @ParentCommand
  Kv kv;

  @Spec
  CommandSpec spec;

  @Mixin
  HelpOption help;

  @Mixin
  ServerOption server;

  @Option(names = "--ms", description = "Print the milliseconds left, or -1 if KEY has no expiry (Redis's PTTL).")
  boolean millis;

  @Parameters(paramLabel = "KEY", description = "The key (a key starting with - goes after --).")
  String key;

  @Override
  public Integer call() {
    long pttl;
    try (StoreClient store = kv.connect(server, DataDir.Use.READ)) {
      pttl = store.pttl(key);
    }
    if (pttl == -2) {
      return Kv.notFound(spec, key);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(millis ? Long.toString(pttl) : pttl == -1 ? "none" : TtlFormat.format(pttl));
    out.flush();
    return Kv.EXIT_OK;
  }
}
