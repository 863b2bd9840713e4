package dev.kvactors.cli;

import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Gives a key a time to live, as Redis's {@code PEXPIRE}. */
@Command(name = "expire",
    description = {
        "Make KEY expire after DURATION (10s, 500ms, 5m, 1h, 2d, or plain seconds), replacing any expiry it had;"
            + " 0 deletes it at once.",
        "Exit code 1 (and 'not found: KEY' on stderr) when KEY has no value."})
final class ExpireCommand implements Callable<Integer> {
  @ParentCommand
  Kv kv;

  @Spec
  CommandSpec spec;

  @Mixin
  HelpOption help;

  @Mixin
  ServerOption server;

  @Parameters(index = "0", paramLabel = "KEY")
  String key;

  @Parameters(index = "1", paramLabel = "DURATION", converter = TtlFormat.Converter.class,
      description = "The time to live: 10s, 500ms, 5m, 1h, 2d, or plain seconds.")
  Duration ttl;

  @Override
  public Integer call() {
    boolean existed;
    try (StoreClient store = kv.connect(server, DataDir.Use.UPDATE)) {
      existed = store.expire(key, ttl);
    }
    return existed ? Kv.EXIT_OK : Kv.notFound(spec, key);
  }
}
