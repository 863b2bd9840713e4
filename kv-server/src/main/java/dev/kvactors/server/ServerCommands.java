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
  record Ping(byte[] message) implements RespCommand {
    static Ping parse(List<byte[]> args) {
      return new Ping(args.size() == 1 ? null : args.get(1));
    }

    @Override
    public CompletionStage<Reply> apply(Session session) {
      return done(message == null ? new Reply.Simple("PONG") : new Reply.Bulk(message));
    }
  }

  /** {@code ECHO message} */
  record Echo(byte[] message) implements RespCommand {
    static Echo parse(List<byte[]> args) {
      return new Echo(args.get(1));
    }

    @Override
    public CompletionStage<Reply> apply(Session session) {
      return done(new Reply.Bulk(message));
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

  /** {@code SELECT index}: only database 0 exists. */
  record Select(String index) implements RespCommand {
    static Select parse(List<byte[]> args) {
      return new Select(ascii(args.get(1)));
    }

    @Override
    public CompletionStage<Reply> apply(Session session) {
      return done("0".equals(index) ? Reply.OK : Reply.err("DB index is out of range"));
    }
  }

  /** {@code AUTH [user] password} */
  record Auth(String user, byte[] password) implements RespCommand {
    static Auth parse(List<byte[]> args) {
      return new Auth(args.size() == 3 ? ascii(args.get(1)) : "default", args.get(args.size() - 1));
    }

    @Override
    public CompletionStage<Reply> apply(Session session) {
      return done(auth(session, user, password));
    }
  }

  private static Reply auth(Session session, String user, byte[] password) {
    ServerSettings settings = session.server().settings();
    if (settings.password().isEmpty()) {
      return Reply.err("AUTH <password> called without any password configured for the default user. "
          + "Are you sure your configuration is correct?");
    }
    boolean ok = user.equals("default")
        & MessageDigest.isEqual(password, settings.password().get().getBytes(StandardCharsets.UTF_8));
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

  /** {@code INFO [section...]}: the sections server, clients, persistence, stats, keyspace. */
  record Info(java.util.Set<String> sections) implements RespCommand {
    static Info parse(List<byte[]> args) {
      java.util.Set<String> sections = new HashSet<>();
      for (int i = 1; i < args.size(); i++) {
        sections.add(ascii(args.get(i)).toLowerCase(Locale.ROOT));
      }
      return new Info(sections);
    }

    private boolean wants(String section) {
      return sections.isEmpty() || sections.contains("all") || sections.contains("everything")
          || sections.contains("default") || sections.contains(section);
    }

    @Override
    public CompletionStage<Reply> apply(Session session) {
      ServerContext server = session.server();
      ServerStats stats = server.stats();
      KvSettings kv = server.kvSettings();
      // A store that cannot list its keys (cluster mode) leaves the keyspace section empty.
      CompletionStage<KeySet> keys = session.keySet().handle((list, error) -> error == null ? list : null);
      List<CompletionStage<String>> extra = new java.util.ArrayList<>();
      for (InfoSection section : server.infoSections()) {
        if (wants(section.name())) {
          String heading = "# " + Character.toUpperCase(section.name().charAt(0)) + section.name().substring(1) + "\r\n";
          extra.add(section.lines().thenApply(lines -> heading + lines + "\r\n"));
        }
      }
      CompletionStage<String> extraText = Session.all(extra).thenApply(parts -> String.join("", parts));
      return session.routerStats().thenCombine(keys, (resets, list) -> {
        StringBuilder out = new StringBuilder();
        if (wants("server")) {
          out.append("# Server\r\n")
              .append("redis_version:").append(REDIS_VERSION).append("\r\n")
              .append("kv_server:kv-actors\r\n")
              .append("redis_mode:standalone\r\n")
              .append("os:").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
              .append(' ').append(System.getProperty("os.arch")).append("\r\n")
              .append("java_version:").append(System.getProperty("java.version")).append("\r\n")
              .append("process_id:").append(ProcessHandle.current().pid()).append("\r\n")
              .append("run_id:").append(server.runId()).append("\r\n")
              .append("tcp_port:").append(server.port()).append("\r\n")
              .append("uptime_in_seconds:").append(stats.uptimeSeconds()).append("\r\n")
              .append("uptime_in_days:").append(stats.uptimeSeconds() / 86400).append("\r\n\r\n");
        }
        if (wants("clients")) {
          out.append("# Clients\r\n")
              .append("connected_clients:").append(stats.connected()).append("\r\n")
              .append("maxclients:").append(server.settings().maxConnections()).append("\r\n\r\n");
        }
        if (wants("persistence")) {
          out.append("# Persistence\r\n")
              .append("loading:0\r\n")
              .append("kv_durability:").append(kv.durability().configName()).append("\r\n")
              .append("kv_data_dir:").append(kv.dataDir().toAbsolutePath()).append("\r\n\r\n");
        }
        if (wants("stats")) {
          out.append("# Stats\r\n")
              .append("total_connections_received:").append(stats.connectionsReceived()).append("\r\n")
              .append("total_commands_processed:").append(stats.commandsProcessed()).append("\r\n")
              .append("rejected_connections:").append(stats.connectionsRejected()).append("\r\n")
              .append("kv_protocol_errors:").append(stats.protocolErrors()).append("\r\n")
              .append("kv_heartbeat_resets:").append(resets.resets()).append("\r\n")
              .append("kv_resetting:").append(resets.resetting() ? 1 : 0).append("\r\n\r\n");
        }
        if (wants("keyspace")) {
          out.append("# Keyspace\r\n");
          if (list != null && !list.isEmpty()) {
            out.append("db0:keys=").append(list.size()).append(",expires=0,avg_ttl=0\r\n");
          }
          out.append("\r\n");
        }
        return out;
      }).thenCombine(extraText, (out, more) -> Reply.bulk((out + more).stripTrailing() + "\r\n"));
    }
  }

  /** What clients ask at connect: {@code COMMAND}, {@code COMMAND DOCS} (empty), {@code COMMAND COUNT}. */
  record Command(List<byte[]> args) implements RespCommand {
    static Command parse(List<byte[]> args) {
      return new Command(args);
    }

    @Override
    public CompletionStage<Reply> apply(Session session) {
      if (args.size() == 1) {
        return done(Reply.EMPTY_ARRAY);
      }
      return done(switch (option(args.get(1))) {
        case "DOCS", "INFO", "LIST" -> Reply.EMPTY_ARRAY;
        case "COUNT" -> new Reply.Int(0);
        default -> unknownSubcommand(args);
      });
    }
  }

  /** {@code CONFIG GET pattern...} over the few parameters clients and redis-benchmark ask for. */
  record Config(List<byte[]> args) implements RespCommand {
    static Config parse(List<byte[]> args) {
      return new Config(args);
    }

    @Override
    public CompletionStage<Reply> apply(Session session) {
      String sub = option(args.get(1));
      if (!sub.equals("GET")) {
        return done(sub.equals("SET") ? Reply.err("CONFIG SET is not supported; see kv.server in the configuration")
            : unknownSubcommand(args));
      }
      if (args.size() < 3) {
        throw wrongArity(args);
      }
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

  /** {@code CLIENT SETNAME|GETNAME|ID|SETINFO} */
  record Client(List<byte[]> args) implements RespCommand {
    static Client parse(List<byte[]> args) {
      return new Client(args);
    }

    @Override
    public CompletionStage<Reply> apply(Session session) {
      switch (option(args.get(1))) {
        case "SETNAME": {
          arity(args, 3, 3);
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
        case "SETINFO":
          arity(args, 4, 4);
          return done(Reply.OK);
        default:
          return done(unknownSubcommand(args));
      }
    }
  }
}
