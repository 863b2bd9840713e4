package dev.kvactors.server;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every command the server accepts: its name, how many arguments it takes (the name included, as
 * Redis counts), whether it may run before AUTH, and how its arguments are parsed. The dispatcher
 * ({@link CommandHandler}) checks the arity, then parses, then applies.
 */
final class CommandTable {

  /** One command: {@code parse} is called only with {@code min <= args.size() <= max}. */
  record Spec(String name, int min, int max, boolean beforeAuth, Function<List<byte[]>, RespCommand> parse) {}

  private static final int ANY = Integer.MAX_VALUE;

  static final List<Spec> COMMANDS = List.of(
      afterAuth("GET", 2, 2, DataCommands.Get::parse),
      afterAuth("SET", 3, ANY, DataCommands.Set::parse),
      afterAuth("DEL", 2, ANY, DataCommands.Del::parse),
      afterAuth("EXISTS", 2, ANY, DataCommands.Exists::parse),
      afterAuth("MGET", 2, ANY, DataCommands.MGet::parse),
      afterAuth("MSET", 3, ANY, DataCommands.MSet::parse),
      afterAuth("KEYS", 2, 2, DataCommands.Keys::parse),
      afterAuth("SCAN", 2, ANY, DataCommands.Scan::parse),
      afterAuth("DBSIZE", 1, 1, DataCommands.DbSize::parse),
      afterAuth("INFO", 1, ANY, ServerCommands.Info::parse),
      anytime("PING", 1, 2, ServerCommands.Ping::parse),
      afterAuth("ECHO", 2, 2, ServerCommands.Echo::parse),
      anytime("QUIT", 1, ANY, ServerCommands.Quit::parse),
      anytime("AUTH", 2, 3, ServerCommands.Auth::parse),
      anytime("HELLO", 1, ANY, ServerCommands.Hello::parse),
      afterAuth("SELECT", 2, 2, ServerCommands.Select::parse),
      afterAuth("COMMAND", 1, ANY, ServerCommands.Command::parse),
      afterAuth("CONFIG", 2, ANY, ServerCommands.Config::parse),
      afterAuth("CLIENT", 2, ANY, ServerCommands.Client::parse));

  private static final Map<String, Spec> BY_NAME = COMMANDS.stream()
      .collect(Collectors.toUnmodifiableMap(Spec::name, Function.identity()));

  private CommandTable() {}

  /** The command of that name (upper case), if the server has it. */
  static Optional<Spec> find(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }

  private static Spec afterAuth(String name, int min, int max, Function<List<byte[]>, RespCommand> parse) {
    return new Spec(name, min, max, false, parse);
  }

  private static Spec anytime(String name, int min, int max, Function<List<byte[]>, RespCommand> parse) {
    return new Spec(name, min, max, true, parse);
  }
}
