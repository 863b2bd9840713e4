package dev.kvactors.cli;

import picocli.CommandLine.Option;

/** {@code --server HOST:PORT}, for the commands that can talk to a running {@code kv serve}. */
final class ServerOption {
  static final String DESCRIPTION = "Talk to the kv server at HOST:PORT over RESP (default: the server "
      + "advertised in DATA_DIR/kv.server, if it answers; else open the data directory).";

  @Option(names = "--server", paramLabel = "HOST:PORT", description = DESCRIPTION)
  String server;
}
