package dev.kvactors.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Every command the server accepts, and of a container command (CONFIG, CLIENT, COMMAND) the
 * subcommands it accepts; a command or subcommand not listed here is refused as unknown. Arity, flags
 * and key positions are Redis 7.0's own ({@link RedisDescriptions}): the dispatcher
 * ({@link CommandHandler}) checks the arity and the {@code no_auth} flag from them, and
 * {@code COMMAND} reports exactly these commands from the same data.
 */
final class CommandTable {

  /**
   * One command or subcommand. {@code parse} is called only with an arity Redis accepts; a
   * container's {@code parse} also gets its subcommands (whose own {@code parse} is null).
   */
  record Spec(String name, RedisDescriptions.Description description, Map<String, Spec> subcommands,
      Function<List<byte[]>, RespCommand> parse) {

    /** As Redis names it in replies: lower case, {@code config|get} for a subcommand. */
    String fullName() {
      return description.name();
    }

    /** Whether the command may run before AUTH (Redis's {@code no_auth} flag). */
    boolean beforeAuth() {
      return description.flags().contains("no_auth");
    }

    /** Whether {@code n} arguments (the name included) fit Redis's arity. */
    boolean arityAccepts(int n) {
      long arity = description.arity();
      return arity >= 0 ? n == arity : n >= -arity;
    }

    /** The {@code COMMAND INFO} entry: Redis's, with only the subcommands kv accepts. */
    Reply info() {
      List<Reply> elements = new ArrayList<>(description.info().elements());
      elements.set(9, new Reply.Multi(subcommands.values().stream().map(Spec::info).toList()));
      return new Reply.Multi(elements);
    }

    /** The {@code COMMAND DOCS} value: Redis's, with only the subcommands kv accepts. */
    Reply docs() {
      if (subcommands.isEmpty()) {
        return description.docs();
      }
      List<Reply> fields = new ArrayList<>(((Reply.Multi) description.docs()).elements());
      for (int i = 0; i + 1 < fields.size(); i += 2) {
        if (RedisDescriptions.text(fields.get(i)).equals("subcommands")) {
          List<Reply> subs = new ArrayList<>();
          for (Spec sub : subcommands.values()) {
            subs.add(Reply.bulk(sub.fullName()));
            subs.add(sub.docs());
          }
          fields.set(i + 1, new Reply.Multi(subs));
        }
      }
      return new Reply.Multi(fields);
    }
  }

  static final List<Spec> COMMANDS = List.of(
      command("GET", DataCommands.Get::parse),
      command("SET", DataCommands.Set::parse),
      command("DEL", DataCommands.Del::parse),
      command("UNLINK", DataCommands.Del::parse),
      command("EXISTS", DataCommands.Exists::parse),
      command("TYPE", StringCommands.Type::parse),
      command("TOUCH", StringCommands.Touch::parse),
      command("RANDOMKEY", DataCommands.RandomKey::parse),
      command("STRLEN", StringCommands.Strlen::parse),
      command("GETRANGE", StringCommands.GetRange::parse),
      command("INCR", StringCommands.Increment::incr),
      command("DECR", StringCommands.Increment::decr),
      command("INCRBY", StringCommands.Increment::incrBy),
      command("DECRBY", StringCommands.Increment::decrBy),
      command("INCRBYFLOAT", StringCommands.IncrementFloat::parse),
      command("APPEND", StringCommands.Append::parse),
      command("SETRANGE", StringCommands.SetRange::parse),
      command("GETSET", StringCommands.GetSet::parse),
      command("GETDEL", StringCommands.GetDel::parse),
      command("SETNX", StringCommands.SetNx::parse),
      command("MSETNX", StringCommands.MSetNx::parse),
      command("RENAME", StringCommands.Rename::rename),
      command("RENAMENX", StringCommands.Rename::renameNx),
      command("COPY", StringCommands.Copy::parse),
      command("SETEX", ExpiryCommands.SetEx::setex),
      command("PSETEX", ExpiryCommands.SetEx::psetex),
      command("GETEX", ExpiryCommands.GetEx::parse),
      command("EXPIRE", ExpiryCommands.Expire::expire),
      command("PEXPIRE", ExpiryCommands.Expire::pexpire),
      command("EXPIREAT", ExpiryCommands.Expire::expireAt),
      command("PEXPIREAT", ExpiryCommands.Expire::pexpireAt),
      command("TTL", ExpiryCommands.Ttl::ttl),
      command("PTTL", ExpiryCommands.Ttl::pttl),
      command("EXPIRETIME", ExpiryCommands.Ttl::expireTime),
      command("PEXPIRETIME", ExpiryCommands.Ttl::pexpireTime),
      command("PERSIST", ExpiryCommands.Persist::parse),
      command("MULTI", TransactionCommands.MultiCommand::parse),
      command("EXEC", TransactionCommands.Exec::parse),
      command("DISCARD", TransactionCommands.Discard::parse),
      command("WATCH", TransactionCommands.Watch::parse),
      command("UNWATCH", TransactionCommands.Unwatch::parse),
      command("MGET", DataCommands.MGet::parse),
      command("MSET", DataCommands.MSet::parse),
      command("KEYS", DataCommands.Keys::parse),
      command("SCAN", DataCommands.Scan::parse),
      command("DBSIZE", DataCommands.DbSize::parse),
      command("FLUSHDB", DataCommands.Flush::parse),
      command("FLUSHALL", DataCommands.Flush::parse),
      command("INFO", ServerCommands.Info::parse),
      command("PING", ServerCommands.Ping::parse),
      command("ECHO", ServerCommands.Echo::parse),
      command("QUIT", ServerCommands.Quit::parse),
      command("AUTH", ServerCommands.Auth::parse),
      command("HELLO", ServerCommands.Hello::parse),
      command("SELECT", ServerCommands.Select::parse),
      container("COMMAND", ServerCommands.Command::parse, "COUNT", "INFO", "DOCS", "LIST"),
      container("CONFIG", ServerCommands.Config::parse, "GET"),
      container("CLIENT", ServerCommands.Client::parse, "SETNAME", "GETNAME", "ID"));

  private static final Map<String, Spec> BY_NAME = index(COMMANDS);

  private CommandTable() {}

  /** The command of that name (upper case), if the server has it. */
  static Optional<Spec> find(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }

  private static Spec command(String name, Function<List<byte[]>, RespCommand> parse) {
    return new Spec(name, RedisDescriptions.of(name.toLowerCase(Locale.ROOT)), Map.of(), parse);
  }

  private static Spec container(String name, Function<List<byte[]>, RespCommand> parse, String... subcommands) {
    Map<String, Spec> subs = new LinkedHashMap<>();
    for (String sub : subcommands) {
      String fullName = (name + "|" + sub).toLowerCase(Locale.ROOT);
      subs.put(sub, new Spec(sub, RedisDescriptions.of(fullName), Map.of(), null));
    }
    return new Spec(name, RedisDescriptions.of(name.toLowerCase(Locale.ROOT)), subs, parse);
  }

  private static Map<String, Spec> index(List<Spec> specs) {
    Map<String, Spec> byName = new LinkedHashMap<>();
    for (Spec spec : specs) {
      byName.put(spec.name(), spec);
    }
    return Map.copyOf(byName);
  }
}
