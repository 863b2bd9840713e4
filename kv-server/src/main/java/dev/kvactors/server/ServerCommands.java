package dev.kvactors.server;

import static dev.kvactors.server.Args.arity;
import static dev.kvactors.server.Args.ascii;
import static dev.kvactors.server.Args.option;
import static dev.kvactors.server.Args.unknownSubcommand;
import static dev.kvactors.server.Args.wrongArity;
import static dev.kvactors.server.Session.done;

import dev.kvactors.KeySet;
import dev.kvactors.KvSettings;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/** The commands about the server and the connection: PING, AUTH, HELLO, INFO, CONFIG, CLIENT, ... */
final class ServerCommands {
  /** The Redis version whose RESP2 commands this server answers like, for clients that look. */
  static final String REDIS_VERSION = "7.0.0";

  private ServerCommands() {}

  /** {@code PING [message]} */
  record Ping(byte[] message) implements StoreCommand {
    static Ping parse(List<byte[]> args) {
      if (args.size() > 2) {
        throw wrongArity(args);
      }
      return new Ping(args.size() == 1 ? null : args.get(1));
    }

    @Override
    public List<dev.kvactors.Op<?>> ops() {
      return List.of();
    }

    @Override
    public Reply reply(List<Object> results) {
      return message == null ? new Reply.Simple("PONG") : new Reply.Bulk(message);
    }
  }

  /** {@code ECHO message} */
  record Echo(byte[] message) implements StoreCommand {
    static Echo parse(List<byte[]> args) {
      return new Echo(args.get(1));
    }

    @Override
    public List<dev.kvactors.Op<?>> ops() {
      return List.of();
    }

    @Override
    public Reply reply(List<Object> results) {
      return new Reply.Bulk(message);
    }
  }

  /** {@code QUIT}: OK, then the connection closes. */
  record Quit() implements RespCommand {
    static Quit parse(List<byte[]> args) {
      return new Quit();
    }

    @Override
    public CompletionStage<Reply> apply(Session session) {
      session.close();
      return done(Reply.OK);
    }
  }

  /** {@code SELECT index}: only database 0 exists; other indexes are out of range. */
  record Select(long index) implements RespCommand {
    static Select parse(List<byte[]> args) {
      long index = Args.integer(args.get(1));
      if (index < Integer.MIN_VALUE || index > Integer.MAX_VALUE) {
        throw Args.invalid("value is out of range, value must between " // sic, as Redis 7.0
            + Integer.MIN_VALUE + " and "
            + Integer.MAX_VALUE);
      }
      return new Select(index);
    }

    @Override
    public CompletionStage<Reply> apply(Session session) {
      return done(index == 0 ? Reply.OK : Reply.err("DB index is out of range"));
    }
  }

  /** {@code AUTH [user] password} */
  record Auth(String user, byte[] password, boolean explicitUser) implements RespCommand {
    static Auth parse(List<byte[]> args) {
      if (args.size() > 3) {
        throw Args.syntaxError();
      }
      return new Auth(args.size() == 3 ? ascii(args.get(1)) : "default", args.get(args.size() - 1), args.size() == 3);
    }

    @Override
    public CompletionStage<Reply> apply(Session session) {
      return done(auth(session, user, password, explicitUser));
    }
  }

  private static Reply auth(Session session, String user, byte[] password) {
    return auth(session, user, password, true);
  }

  /** {@code explicitUser}: {@code AUTH user password} or HELLO's AUTH, not {@code AUTH password}. */
  private static Reply auth(Session session, String user, byte[] password, boolean explicitUser) {
    ServerSettings settings = session.server().settings();
    if (settings.password().isEmpty() && !explicitUser) {
      return Reply.err("AUTH <password> called without any password configured for the default user. "
          + "Are you sure your configuration is correct?");
    }
    // As Redis's default user: with no password set it takes any password ("nopass").
    boolean ok = user.equals("default") & (settings.password().isEmpty()
        || MessageDigest.isEqual(password, settings.password().get().getBytes(StandardCharsets.UTF_8)));
    if (!ok) {
      return Reply.error("WRONGPASS invalid username-password pair or user is disabled.");
    }
    session.authenticate();
    return Reply.OK;
  }

  /** {@code HELLO [2 [AUTH user password] [SETNAME name]]}: only protocol 2 (RESP2). */
  record Hello(List<byte[]> args) implements RespCommand {
    static Hello parse(List<byte[]> args) {
      return new Hello(args);
    }

    @Override
    public CompletionStage<Reply> apply(Session session) {
      return done(hello(session, args));
    }
  }

  private static Reply hello(Session session, List<byte[]> args) {
    if (args.size() >= 2) {
      String version = ascii(args.get(1));
      if (!version.matches("-?[0-9]{1,9}")) {
        return Reply.err("Protocol version is not an integer or out of range");
      }
      if (!version.equals("2")) {
        return Reply.error("NOPROTO unsupported protocol version");
      }
    }
    String name = null;
    for (int i = 2; i < args.size(); i++) {
      String option = option(args.get(i));
      if (option.equals("AUTH") && i + 2 < args.size()) {
        Reply auth = auth(session, ascii(args.get(i + 1)), args.get(i + 2));
        if (auth != Reply.OK) {
          return auth;
        }
        i += 2;
      } else if (option.equals("SETNAME") && i + 1 < args.size()) {
        name = ascii(args.get(++i));
      } else {
        return Reply.err("Syntax error in HELLO option '" + ascii(args.get(i)) + "'");
      }
    }
    if (!session.authenticated()) {
      return Reply.error("NOAUTH HELLO must be called with the client already authenticated, otherwise the "
          + "HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP "
          + "protocol version at the same time");
    }
    if (name != null) {
      session.name(name);
    }
    return new Reply.Multi(List.of(
        Reply.bulk("server"), Reply.bulk("kv"),
        Reply.bulk("version"), Reply.bulk(REDIS_VERSION),
        Reply.bulk("proto"), new Reply.Int(2),
        Reply.bulk("id"), new Reply.Int(session.clientId()),
        Reply.bulk("mode"), Reply.bulk("standalone"),
        Reply.bulk("role"), Reply.bulk("master"),
        Reply.bulk("modules"), Reply.EMPTY_ARRAY));
  }

  /**
   * {@code INFO [section...]}: the sections server, clients, memory, persistence, stats, cpu,
   * commandstats and keyspace, laid out as Redis does (sections apart by an empty line; when no
   * section asked for exists, an empty string). {@code commandstats} only when named or with
   * {@code all}/{@code everything}, as in Redis.
   */
  record Info(java.util.Set<String> sections) implements RespCommand {
    private static final List<String> DEFAULT = List.of("server", "clients", "memory", "persistence", "stats",
        "cpu", "keyspace");

    static Info parse(List<byte[]> args) {
      java.util.Set<String> sections = new HashSet<>();
      for (int i = 1; i < args.size(); i++) {
        sections.add(ascii(args.get(i)).toLowerCase(Locale.ROOT));
      }
      return new Info(sections);
    }

    private boolean wants(String section) {
      boolean all = sections.contains("all") || sections.contains("everything");
      boolean byDefault = sections.isEmpty() || sections.contains("default");
      return sections.contains(section) || all || (byDefault && DEFAULT.contains(section));
    }

    @Override
    public CompletionStage<Reply> apply(Session session) {
      ServerContext server = session.server();
      ServerStats stats = server.stats();
      KvSettings kv = server.kvSettings();
      // A store that cannot list its keys (cluster mode) leaves the keyspace section empty.
      CompletionStage<KeySet> keys = session.keySet().handle((list, error) -> error == null ? list : null);
      List<InfoSection> sections = server.infoSections().stream().filter(section -> wants(section.name())).toList();
      CompletionStage<List<String>> sectionLines = Session.all(sections.stream().map(InfoSection::lines).toList());
      return session.routerStats().thenCombine(keys, (resets, list) -> {
        InfoText info = new InfoText();
        if (wants("server")) {
          info.section("Server")
              .line("redis_version", REDIS_VERSION)
              .line("kv_server", "kv-actors")
              .line("redis_mode", "standalone")
              .line("os", System.getProperty("os.name") + ' ' + System.getProperty("os.version") + ' '
                  + System.getProperty("os.arch"))
              .line("java_version", System.getProperty("java.version"))
              .line("process_id", ProcessHandle.current().pid())
              .line("run_id", server.runId())
              .line("tcp_port", server.port())
              .line("uptime_in_seconds", stats.uptimeSeconds())
              .line("uptime_in_days", stats.uptimeSeconds() / 86400);
        }
        if (wants("clients")) {
          info.section("Clients")
              .line("connected_clients", stats.connected())
              .line("maxclients", server.settings().maxConnections());
        }
        if (wants("memory")) {
          InfoText.memory(info.section("Memory"));
        }
        if (wants("persistence")) {
          info.section("Persistence")
              .line("loading", 0)
              .line("kv_durability", kv.durability().configName())
              .line("kv_data_dir", kv.dataDir().toAbsolutePath());
        }
        if (wants("stats")) {
          info.section("Stats")
              .line("total_connections_received", stats.connectionsReceived())
              .line("total_commands_processed", stats.commandsProcessed())
              .line("rejected_connections", stats.connectionsRejected())
              .line("kv_protocol_errors", stats.protocolErrors())
              .line("kv_heartbeat_resets", resets.resets())
              .line("kv_resetting", resets.resetting() ? 1 : 0);
        }
        if (wants("cpu")) {
          InfoText.cpu(info.section("CPU"));
        }
        if (wants("commandstats")) {
          info.section("Commandstats").lines(stats.commands().lines());
        }
        if (wants("keyspace")) {
          info.section("Keyspace");
          if (list != null && !list.isEmpty()) {
            info.line("db0", "keys=" + list.size() + ",expires=0,avg_ttl=0");
          }
        }
        return info;
      }).thenCombine(sectionLines, (info, lines) -> {
        for (int i = 0; i < sections.size(); i++) {
          String name = sections.get(i).name();
          info.section(Character.toUpperCase(name.charAt(0)) + name.substring(1)).lines(lines.get(i));
        }
        return Reply.bulk(info.toString());
      });
    }
  }

  /**
   * {@code COMMAND}, {@code COMMAND COUNT}, {@code COMMAND INFO [name...]}, {@code COMMAND DOCS [name...]},
   * {@code COMMAND LIST [FILTERBY MODULE m|ACLCAT c|PATTERN p]}: generated from {@link CommandTable},
   * so they describe exactly the commands (and subcommands) the server accepts, in Redis 7.0's words.
   */
  record Command(List<byte[]> args) implements RespCommand {
    static Command parse(List<byte[]> args) {
      return new Command(args);
    }

    @Override
    public CompletionStage<Reply> apply(Session session) {
      if (args.size() == 1) {
        return done(new Reply.Multi(CommandTable.COMMANDS.stream().map(CommandTable.Spec::info).toList()));
      }
      return done(switch (option(args.get(1))) {
        case "COUNT" -> new Reply.Int(CommandTable.COMMANDS.size());
        case "INFO" -> info();
        case "DOCS" -> docs();
        case "LIST" -> list();
        default -> unknownSubcommand(args);
      });
    }

    private Reply info() {
      if (args.size() == 2) {
        return new Reply.Multi(CommandTable.COMMANDS.stream().map(CommandTable.Spec::info).toList());
      }
      List<Reply> out = new ArrayList<>();
      for (int i = 2; i < args.size(); i++) {
        out.add(lookup(args.get(i)).map(CommandTable.Spec::info).orElse(Reply.NULL_BULK));
      }
      return new Reply.Multi(out);
    }

    private Reply docs() {
      List<CommandTable.Spec> specs = new ArrayList<>();
      if (args.size() == 2) {
        specs.addAll(CommandTable.COMMANDS);
      }
      for (int i = 2; i < args.size(); i++) {
        lookup(args.get(i)).ifPresent(specs::add);
      }
      List<Reply> out = new ArrayList<>();
      for (CommandTable.Spec spec : specs) {
        out.add(Reply.bulk(spec.fullName()));
        out.add(spec.docs());
      }
      return new Reply.Multi(out);
    }

    private Reply list() {
      java.util.function.Predicate<CommandTable.Spec> filter = spec -> true;
      if (args.size() == 5 && option(args.get(2)).equals("FILTERBY")) {
        String value = ascii(args.get(4));
        filter = switch (option(args.get(3))) {
          case "MODULE" -> spec -> false;
          case "ACLCAT" -> spec -> spec.description().aclCategories().stream().anyMatch(value::equalsIgnoreCase);
          case "PATTERN" -> {
            Glob glob = new Glob(value.toLowerCase(Locale.ROOT));
            yield spec -> glob.matches(spec.fullName());
          }
          default -> throw Args.syntaxError();
        };
      } else if (args.size() != 2) {
        throw Args.syntaxError();
      }
      List<Reply> out = new ArrayList<>();
      for (CommandTable.Spec spec : CommandTable.COMMANDS) {
        if (filter.test(spec)) {
          out.add(Reply.bulk(spec.fullName()));
        }
        for (CommandTable.Spec sub : spec.subcommands().values()) {
          if (filter.test(sub)) {
            out.add(Reply.bulk(sub.fullName()));
          }
        }
      }
      return new Reply.Multi(out);
    }

    /** A command by name, or a subcommand by its full name ({@code config|get}). */
    private static java.util.Optional<CommandTable.Spec> lookup(byte[] name) {
      String[] parts = option(name).split("\\|", -1);
      java.util.Optional<CommandTable.Spec> spec = CommandTable.find(parts[0]);
      if (parts.length == 1) {
        return spec;
      }
      return parts.length == 2 ? spec.map(s -> s.subcommands().get(parts[1])) : java.util.Optional.empty();
    }
  }

  /** {@code CONFIG GET pattern...} over the few parameters clients and redis-benchmark ask for. */
  record Config(List<byte[]> args) implements RespCommand {
    static Config parse(List<byte[]> args) {
      return new Config(args);
    }

    @Override
    public CompletionStage<Reply> apply(Session session) {
      // CONFIG GET is the only subcommand in CommandTable; its arity is checked there.
      ServerContext server = session.server();
      ServerSettings settings = server.settings();
      String appendfsync = switch (server.kvSettings().durability().configName()) {
        case "fsync" -> "always";
        default -> "no";
      };
      Map<String, String> parameters = new LinkedHashMap<>();
      parameters.put("save", "");
      parameters.put("appendonly", "yes");
      parameters.put("appendfsync", appendfsync);
      parameters.put("databases", "1");
      parameters.put("maxclients", Integer.toString(settings.maxConnections()));
      parameters.put("timeout", Long.toString(settings.idleTimeout().toSeconds()));
      parameters.put("proto-max-bulk-len", Integer.toString(settings.maxBulkBytes()));
      parameters.put("port", Integer.toString(server.port()));
      List<Reply> out = new ArrayList<>();
      for (int i = 2; i < args.size(); i++) {
        Glob glob = new Glob(ascii(args.get(i)).toLowerCase(Locale.ROOT));
        parameters.forEach((k, v) -> {
          if (glob.matches(k)) {
            out.add(Reply.bulk(k));
            out.add(Reply.bulk(v));
          }
        });
      }
      return done(new Reply.Multi(out));
    }
  }

  /** {@code CLIENT SETNAME|GETNAME|ID} (the subcommands in CommandTable; their arity is checked there) */
  record Client(List<byte[]> args) implements RespCommand {
    static Client parse(List<byte[]> args) {
      return new Client(args);
    }

    @Override
    public CompletionStage<Reply> apply(Session session) {
      switch (option(args.get(1))) {
        case "SETNAME": {
          String name = ascii(args.get(2));
          if (!name.chars().allMatch(c -> c > ' ' && c <= '~')) {
            return done(Reply.err("Client names cannot contain spaces, newlines or special characters."));
          }
          session.name(name.isEmpty() ? null : name);
          return done(Reply.OK);
        }
        case "GETNAME":
          return done(session.clientName() == null ? Reply.NULL_BULK : Reply.bulk(session.clientName()));
        case "ID":
          return done(new Reply.Int(session.clientId()));
        default:
          return done(unknownSubcommand(args));
      }
    }
  }
}
