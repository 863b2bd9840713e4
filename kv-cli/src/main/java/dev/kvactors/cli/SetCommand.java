package dev.kvactors.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "set",
    description = "Set KEY to VALUE, with no expiry unless --ttl is given; returns once the write is durable per"
        + " kv.durability. Creates the data directory if it does not exist.")
final class SetCommand implements Callable<Integer> {
  @ParentCommand
  Kv kv;

  @Mixin
  HelpOption help;

  @Mixin
  ServerOption server;

  @Parameters(index = "0", paramLabel = "KEY")
  String key;

  @Parameters(index = "1", paramLabel = "VALUE",
      description = "The value (UTF-8), or - to read all of stdin as bytes (a file: kv set KEY - < FILE).")
  String value;

  @Option(names = "--ttl", paramLabel = "DURATION", converter = TtlFormat.PositiveConverter.class,
      description = "Expire KEY after DURATION: 10s, 500ms, 5m, 1h, 2d, or plain seconds (Redis's SET ... PX).")
  Duration ttl;

  @Override
  public Integer call() throws IOException {
    byte[] bytes = "-".equals(value) ? kv.in().readAllBytes() : value.getBytes(StandardCharsets.UTF_8);
    try (StoreClient store = kv.connect(server, DataDir.Use.CREATE)) {
      if (ttl == null) {
        store.set(key, bytes);
      } else {
        store.set(key, bytes, ttl);
      }
    }
    return Kv.EXIT_OK;
  }
}
