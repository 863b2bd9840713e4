package dev.kvactors.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "set",
    description = "Set KEY to VALUE; returns once the write is durable per kv.durability. Creates the data directory"
        + " if it does not exist.")
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

  @Override
  public Integer call() throws IOException {
    byte[] bytes = "-".equals(value) ? kv.in().readAllBytes() : value.getBytes(StandardCharsets.UTF_8);
    try (StoreClient store = kv.connect(server, DataDir.Use.CREATE)) {
      store.set(key, bytes);
    }
    return Kv.EXIT_OK;
  }
}
