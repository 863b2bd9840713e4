package dev.kvactors.server;

import static java.util.Objects.requireNonNull;

import dev.kvactors.internal.Futures;
import dev.kvactors.KeySet;
import dev.kvactors.KeyValueStore;
import dev.kvactors.KvException;
import dev.kvactors.KvSettings;
import dev.kvactors.Router;
import dev.kvactors.internal.RouterStats;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.pattern.StatusReply;

/**
 * The commands of one connection: maps each {@link RespFrame} to requests to the store's router
 * and their answers to a {@link Reply}. {@link #handle} is called once per frame, in order, by one
 * stream stage at a time, so the connection's state (authenticated, closing) needs no locking, and
 * every request a command makes is sent to the router before the next command is looked at: the
 * store sees one connection's writes and reads in the order they were sent.
 */
final class CommandHandler {

  /** The reply to one command, and whether the connection closes after it. */
  record Answer(Reply reply, boolean close) {}

  /** A command that cannot run as sent (arity, syntax, invalid key); its reply says why. */
  private static final class CommandError extends RuntimeException {
    final Reply reply;

    CommandError(Reply reply) {
      super(reply.toString(), null, false, false);
      this.reply = reply;
    }
  }

  private static final CompletionStage<Answer> AFTER_CLOSE = CompletableFuture.completedFuture(
      new Answer(Reply.OK, true));
  private static final Set<String> ALLOWED_BEFORE_AUTH = Set.of("AUTH", "HELLO", "PING", "QUIT");
  /** The Redis version whose RESP2 commands this server answers like, for clients that look. */
  static final String REDIS_VERSION = "7.0.0";

  private final RespServer server;
  private final ActorRef<Router.Command> router;
  private final Scheduler scheduler;
  private final KvSettings kv;
  private final ServerSettings settings;
  private final ServerStats stats;
  private final Duration timeout;
  private final long clientId;
  /** Where KEYS and SCAN match and page, off the store's thread. */
  private final Executor listing;
  private boolean authenticated;
  private boolean closing;
  private String clientName;

  CommandHandler(RespServer server, long clientId) {
    this.server = requireNonNull(server, "server is null");
    this.router = server.router();
    this.scheduler = server.system().scheduler();
    this.kv = server.kvSettings();
    this.settings = server.settings();
    this.stats = server.stats();
    this.timeout = kv.requestTimeout();
    this.clientId = clientId;
    this.listing = Futures.listing(server.system());
    this.authenticated = settings.password().isEmpty();
  }

  CompletionStage<Answer> handle(RespFrame frame) {
    if (closing) {
      return AFTER_CLOSE; // after QUIT or a protocol error nothing more is run; the stream ends before this
    }
    if (frame instanceof RespFrame.Malformed malformed) {
      closing = true;
      stats.protocolError();
      return CompletableFuture.completedFuture(new Answer(Reply.err("Protocol error: " + malformed.reason()), true));
    }
    List<byte[]> args = ((RespFrame.Command) frame).args();
    stats.commandProcessed();
    String name = ascii(args.get(0)).toUpperCase(Locale.ROOT);
    CompletionStage<Reply> reply;
    if (!authenticated && !ALLOWED_BEFORE_AUTH.contains(name)) {
      reply = done(Reply.error("NOAUTH Authentication required."));
    } else {
      try {
        reply = dispatch(name, args);
      } catch (CommandError e) {
        reply = done(e.reply);
      }
    }
    boolean close = closing;
    return reply.handle((r, error) -> new Answer(error == null ? r : errorReply(error, timeout), close));
  }

  private CompletionStage<Reply> dispatch(String name, List<byte[]> args) {
    switch (name) {
      case "GET":
        arity(args, 2, 2);
        return get(key(args, 1));
      case "SET":
        arity(args, 3, Integer.MAX_VALUE);
        return set(args);
      case "DEL":
        arity(args, 2, Integer.MAX_VALUE);
        return del(keys(args, 1, 1));
      case "EXISTS":
        arity(args, 2, Integer.MAX_VALUE);
        return exists(keys(args, 1, 1));
      case "MGET":
        arity(args, 2, Integer.MAX_VALUE);
        return mget(keys(args, 1, 1));
      case "MSET":
        if (args.size() < 3 || args.size() % 2 == 0) {
          throw wrongArity(args);
        }
        return mset(args);
      case "KEYS":
        arity(args, 2, 2);
        return keysMatching(pattern(args.get(1)));
      case "SCAN":
        arity(args, 2, Integer.MAX_VALUE);
        return scan(args);
      case "DBSIZE":
        arity(args, 1, 1);
        return keySet().thenApply(keys -> new Reply.Int(keys.size())); // O(1)
      case "INFO":
        return info(args);
      case "PING":
        arity(args, 1, 2);
        return done(args.size() == 1 ? new Reply.Simple("PONG") : new Reply.Bulk(args.get(1)));
      case "ECHO":
        arity(args, 2, 2);
        return done(new Reply.Bulk(args.get(1)));
      case "QUIT":
        closing = true;
        return done(Reply.OK);
      case "AUTH":
        arity(args, 2, 3);
        return done(auth(args.size() == 3 ? ascii(args.get(1)) : "default", args.get(args.size() - 1)));
      case "HELLO":
        return done(hello(args));
      case "SELECT":
        arity(args, 2, 2);
        return done("0".equals(ascii(args.get(1))) ? Reply.OK : Reply.err("DB index is out of range"));
      case "COMMAND":
        return done(command(args));
      case "CONFIG":
        return done(config(args));
      case "CLIENT":
        return done(client(args));
      default:
        return done(unknownCommand(args));
    }
  }

  // --- keys and values ---

  private CompletionStage<Reply> get(String key) {
    return this.<KeyValueStore.Value>ask(r -> new KeyValueStore.Get(key, r))
        .thenApply(v -> Reply.bulkOrNull(v.value().orElse(null)));
  }

  private CompletionStage<Reply> set(List<byte[]> args) {
    String key = key(args, 1);
    byte[] value = args.get(2);
    KeyValueStore.Condition condition = KeyValueStore.Condition.ALWAYS;
    boolean returnPrevious = false;
    for (int i = 3; i < args.size(); i++) {
      String option = ascii(args.get(i)).toUpperCase(Locale.ROOT);
      switch (option) {
        case "NX", "XX" -> {
          if (condition != KeyValueStore.Condition.ALWAYS) {
            throw new CommandError(Reply.err("syntax error"));
          }
          condition = option.equals("NX") ? KeyValueStore.Condition.IF_ABSENT : KeyValueStore.Condition.IF_PRESENT;
        }
        case "GET" -> returnPrevious = true;
        case "EX", "PX", "EXAT", "PXAT", "KEEPTTL" -> throw new CommandError(
            Reply.err("SET " + option + " is not supported: keys do not expire"));
        default -> throw new CommandError(Reply.err("syntax error"));
      }
    }
    KeyValueStore.Condition when = condition;
    CompletionStage<KeyValueStore.Stored> stored = ask(r -> new KeyValueStore.Set(key, value, when, r));
    boolean previous = returnPrevious;
    return stored.thenApply(s -> previous ? Reply.bulkOrNull(s.previous().orElse(null))
        : s.applied() ? Reply.OK : Reply.NULL_BULK);
  }

  private CompletionStage<Reply> del(List<String> keys) {
    List<CompletionStage<KeyValueStore.Deleted>> deletes = new ArrayList<>(keys.size());
    for (String key : keys) {
      CompletionStage<KeyValueStore.Deleted> deleted = ask(r -> new KeyValueStore.Delete(key, r));
      deletes.add(deleted);
    }
    return all(deletes).thenApply(list -> new Reply.Int(list.stream().filter(KeyValueStore.Deleted::existed).count()));
  }

  private CompletionStage<Reply> exists(List<String> keys) {
    return all(gets(keys)).thenApply(values -> new Reply.Int(values.stream().filter(v -> v.value().isPresent()).count()));
  }

  private CompletionStage<Reply> mget(List<String> keys) {
    return all(gets(keys)).thenApply(values -> new Reply.Multi(
        values.stream().map(v -> Reply.bulkOrNull(v.value().orElse(null))).toList()));
  }

  private List<CompletionStage<KeyValueStore.Value>> gets(List<String> keys) {
    List<CompletionStage<KeyValueStore.Value>> gets = new ArrayList<>(keys.size());
    for (String key : keys) {
      gets.add(ask(r -> new KeyValueStore.Get(key, r)));
    }
    return gets;
  }

  /** The sets go out in order; OK once every one is acknowledged. Not atomic: a crash may keep some. */
  private CompletionStage<Reply> mset(List<byte[]> args) {
    List<String> keys = keys(args, 1, 2);
    List<CompletionStage<KeyValueStore.Stored>> sets = new ArrayList<>(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      String key = keys.get(i);
      byte[] value = args.get(2 + 2 * i);
      CompletionStage<KeyValueStore.Stored> stored = ask(r -> new KeyValueStore.Set(key, value, r));
      sets.add(stored);
    }
    return all(sets).thenApply(done -> Reply.OK);
  }

  /**
   * {@code KEYS pattern}: the store hands out its immutable key set in O(1); the match over every
   * key runs on {@code kv.listing-dispatcher}, never on the store's thread. Keys come in scan order.
   */
  private CompletionStage<Reply> keysMatching(Glob glob) {
    return keySet().thenApplyAsync(keys -> {
      List<Reply> found = new ArrayList<>();
      for (String key : keys) {
        if (glob.matches(key)) {
          found.add(Reply.bulk(key));
        }
      }
      return new Reply.Multi(found);
    }, listing);
  }

  /**
   * {@code SCAN cursor [MATCH pattern] [COUNT n] [TYPE string]}. Keys are visited in the order of a
   * 62-bit hash of the key ({@link KeySet#scanHash}); the cursor is the hash to go on from, so a key
   * present during the whole scan is returned exactly once, whatever is added or removed meanwhile,
   * and cursor 0 ends the scan. As in Redis, a step looks at about COUNT keys (default 10) and
   * returns those that match, possibly none; each step costs O(log n + COUNT), off the store's
   * thread.
   */
  private CompletionStage<Reply> scan(List<byte[]> args) {
    long cursor;
    try {
      cursor = Long.parseUnsignedLong(ascii(args.get(1)));
    } catch (NumberFormatException e) {
      throw new CommandError(Reply.err("invalid cursor"));
    }
    Glob glob = null;
    long count = 10;
    boolean strings = true;
    for (int i = 2; i < args.size(); i += 2) {
      if (i + 1 >= args.size()) {
        throw new CommandError(Reply.err("syntax error"));
      }
      String option = ascii(args.get(i)).toUpperCase(Locale.ROOT);
      switch (option) {
        case "MATCH" -> glob = pattern(args.get(i + 1));
        case "COUNT" -> {
          try {
            count = Long.parseLong(ascii(args.get(i + 1)));
          } catch (NumberFormatException e) {
            throw new CommandError(Reply.err("value is not an integer or out of range"));
          }
          if (count < 1) {
            throw new CommandError(Reply.err("syntax error"));
          }
        }
        case "TYPE" -> strings = ascii(args.get(i + 1)).equalsIgnoreCase("string");
        default -> throw new CommandError(Reply.err("syntax error"));
      }
    }
    if (!strings) {
      return done(new Reply.Multi(List.of(Reply.bulk("0"), Reply.EMPTY_ARRAY)));
    }
    Glob matching = glob;
    int limit = (int) Math.min(count, Integer.MAX_VALUE);
    return keySet().thenApplyAsync(keys -> {
      KeySet.Page page = keys.scan(cursor, limit, matching == null ? key -> true : matching::matches);
      return new Reply.Multi(List.of(Reply.bulk(Long.toUnsignedString(page.next())),
          new Reply.Multi(page.keys().stream().map(Reply::bulk).toList())));
    }, listing);
  }

  /**
   * The store's keys, once every write this connection sent before is settled (the store holds a
   * listing until the writes taken before it are confirmed): a pipelined SET then KEYS sees its own
   * write. Completes on the store's thread: attach only O(1) work, or go async on {@link #listing}.
   */
  private CompletionStage<KeySet> keySet() {
    return this.<KeySet>ask(KeyValueStore.Keys::new);
  }

  // --- server and connection ---

  private CompletionStage<Reply> info(List<byte[]> args) {
    Set<String> sections = new java.util.HashSet<>();
    for (int i = 1; i < args.size(); i++) {
      sections.add(ascii(args.get(i)).toLowerCase(Locale.ROOT));
    }
    boolean all = sections.isEmpty() || sections.contains("all") || sections.contains("everything")
        || sections.contains("default");
    CompletionStage<RouterStats> routerStats = AskPattern.ask(router, RouterStats.Get::new, timeout, scheduler);
    CompletionStage<KeySet> keys = keySet();
    return routerStats.thenCombine(keys, (resets, list) -> {
      StringBuilder out = new StringBuilder();
      if (all || sections.contains("server")) {
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
      if (all || sections.contains("clients")) {
        out.append("# Clients\r\n")
            .append("connected_clients:").append(stats.connected()).append("\r\n")
            .append("maxclients:").append(settings.maxConnections()).append("\r\n\r\n");
      }
      if (all || sections.contains("persistence")) {
        out.append("# Persistence\r\n")
            .append("loading:0\r\n")
            .append("kv_durability:").append(kv.durability().configName()).append("\r\n")
            .append("kv_data_dir:").append(kv.dataDir().toAbsolutePath()).append("\r\n\r\n");
      }
      if (all || sections.contains("stats")) {
        out.append("# Stats\r\n")
            .append("total_connections_received:").append(stats.connectionsReceived()).append("\r\n")
            .append("total_commands_processed:").append(stats.commandsProcessed()).append("\r\n")
            .append("rejected_connections:").append(stats.connectionsRejected()).append("\r\n")
            .append("kv_protocol_errors:").append(stats.protocolErrors()).append("\r\n")
            .append("kv_heartbeat_resets:").append(resets.resets()).append("\r\n")
            .append("kv_resetting:").append(resets.resetting() ? 1 : 0).append("\r\n\r\n");
      }
      if (all || sections.contains("keyspace")) {
        out.append("# Keyspace\r\n");
        if (!list.isEmpty()) {
          out.append("db0:keys=").append(list.size()).append(",expires=0,avg_ttl=0\r\n");
        }
        out.append("\r\n");
      }
      return Reply.bulk(out.toString().stripTrailing() + "\r\n");
    });
  }

  private Reply auth(String user, byte[] password) {
    if (settings.password().isEmpty()) {
      return Reply.err("AUTH <password> called without any password configured for the default user. "
          + "Are you sure your configuration is correct?");
    }
    boolean ok = user.equals("default")
        & MessageDigest.isEqual(password, settings.password().get().getBytes(StandardCharsets.UTF_8));
    if (!ok) {
      return Reply.error("WRONGPASS invalid username-password pair or user is disabled.");
    }
    authenticated = true;
    return Reply.OK;
  }

  /** {@code HELLO [2 [AUTH user password] [SETNAME name]]}: only protocol 2 (RESP2). */
  private Reply hello(List<byte[]> args) {
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
      String option = ascii(args.get(i)).toUpperCase(Locale.ROOT);
      if (option.equals("AUTH") && i + 2 < args.size()) {
        Reply auth = auth(ascii(args.get(i + 1)), args.get(i + 2));
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
    if (!authenticated) {
      return Reply.error("NOAUTH HELLO must be called with the client already authenticated, otherwise the "
          + "HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP "
          + "protocol version at the same time");
    }
    if (name != null) {
      clientName = name;
    }
    return new Reply.Multi(List.of(
        Reply.bulk("server"), Reply.bulk("kv"),
        Reply.bulk("version"), Reply.bulk(REDIS_VERSION),
        Reply.bulk("proto"), new Reply.Int(2),
        Reply.bulk("id"), new Reply.Int(clientId),
        Reply.bulk("mode"), Reply.bulk("standalone"),
        Reply.bulk("role"), Reply.bulk("master"),
        Reply.bulk("modules"), Reply.EMPTY_ARRAY));
  }

  /** What clients ask at connect: {@code COMMAND}, {@code COMMAND DOCS} (empty), {@code COMMAND COUNT}. */
  private Reply command(List<byte[]> args) {
    if (args.size() == 1) {
      return Reply.EMPTY_ARRAY;
    }
    return switch (ascii(args.get(1)).toUpperCase(Locale.ROOT)) {
      case "DOCS", "INFO", "LIST" -> Reply.EMPTY_ARRAY;
      case "COUNT" -> new Reply.Int(0);
      default -> unknownSubcommand(args);
    };
  }

  /** {@code CONFIG GET pattern...} over the few parameters clients and redis-benchmark ask for. */
  private Reply config(List<byte[]> args) {
    if (args.size() < 2) {
      throw wrongArity(args);
    }
    String sub = ascii(args.get(1)).toUpperCase(Locale.ROOT);
    if (!sub.equals("GET")) {
      return sub.equals("SET") ? Reply.err("CONFIG SET is not supported; see kv.server in the configuration")
          : unknownSubcommand(args);
    }
    if (args.size() < 3) {
      throw wrongArity(args);
    }
    String appendfsync = switch (kv.durability().configName()) {
      case "fsync" -> "always";
      default -> "no";
    };
    Map<String, String> parameters = new java.util.LinkedHashMap<>();
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
    return new Reply.Multi(out);
  }

  private Reply client(List<byte[]> args) {
    if (args.size() < 2) {
      throw wrongArity(args);
    }
    switch (ascii(args.get(1)).toUpperCase(Locale.ROOT)) {
      case "SETNAME": {
        arity(args, 3, 3);
        String name = ascii(args.get(2));
        if (!name.chars().allMatch(c -> c > ' ' && c <= '~')) {
          return Reply.err("Client names cannot contain spaces, newlines or special characters.");
        }
        clientName = name.isEmpty() ? null : name;
        return Reply.OK;
      }
      case "GETNAME":
        return clientName == null ? Reply.NULL_BULK : Reply.bulk(clientName);
      case "ID":
        return new Reply.Int(clientId);
      case "SETINFO":
        arity(args, 4, 4);
        return Reply.OK;
      default:
        return unknownSubcommand(args);
    }
  }

  private static Reply unknownCommand(List<byte[]> args) {
    StringBuilder message = new StringBuilder("unknown command '").append(printable(args.get(0)))
        .append("', with args beginning with: ");
    for (int i = 1; i < args.size() && message.length() < 128; i++) {
      message.append('\'').append(printable(args.get(i))).append("' ");
    }
    return Reply.err(message.toString());
  }

  private static Reply unknownSubcommand(List<byte[]> args) {
    String command = ascii(args.get(0)).toUpperCase(Locale.ROOT);
    return Reply.err("unknown subcommand '" + printable(args.get(1)) + "'. Try " + command + " HELP.");
  }

  // --- helpers ---

  private <T> CompletionStage<T> ask(Function<ActorRef<StatusReply<T>>, KeyValueStore.Request> request) {
    return Futures.direct(AskPattern.askWithStatus(router, replyTo -> request.apply(replyTo),
        timeout, scheduler));
  }

  private static <T> CompletionStage<List<T>> all(List<CompletionStage<T>> stages) {
    CompletableFuture<?>[] futures = stages.stream().map(CompletionStage::toCompletableFuture)
        .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(futures).thenApply(v -> Arrays.stream(futures)
        .map(f -> {
          @SuppressWarnings("unchecked")
          T value = (T) f.join();
          return value;
        })
        .toList());
  }

  private static CompletionStage<Reply> done(Reply reply) {
    return CompletableFuture.completedFuture(reply);
  }

  private static void arity(List<byte[]> args, int min, int max) {
    if (args.size() < min || args.size() > max) {
      throw wrongArity(args);
    }
  }

  private static CommandError wrongArity(List<byte[]> args) {
    return new CommandError(Reply.err("wrong number of arguments for '"
        + ascii(args.get(0)).toLowerCase(Locale.ROOT) + "' command"));
  }

  private static List<String> keys(List<byte[]> args, int from, int step) {
    List<String> keys = new ArrayList<>();
    for (int i = from; i < args.size(); i += step) {
      keys.add(key(args, i));
    }
    return keys;
  }

  /** The store's keys are strings: key bytes must be UTF-8. */
  private static String key(List<byte[]> args, int index) {
    Optional<String> key = utf8(args.get(index));
    if (key.isEmpty()) {
      throw new CommandError(Reply.err("invalid key: keys must be valid UTF-8"));
    }
    return key.get();
  }

  private static Glob pattern(byte[] bytes) {
    return new Glob(utf8(bytes).orElseThrow(() ->
        new CommandError(Reply.err("invalid pattern: patterns must be valid UTF-8"))));
  }

  static Optional<String> utf8(byte[] bytes) {
    boolean ascii = true;
    for (byte b : bytes) {
      if (b < 0) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      return Optional.of(new String(bytes, StandardCharsets.ISO_8859_1));
    }
    try {
      return Optional.of(StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }

  /** Command names and options are ASCII; other bytes become U+FFFD and match nothing. */
  private static String ascii(byte[] bytes) {
    return new String(bytes, StandardCharsets.US_ASCII);
  }

  private static String printable(byte[] bytes) {
    String s = new String(bytes, 0, Math.min(bytes.length, 128), StandardCharsets.UTF_8);
    return s.replaceAll("[\\p{Cntrl}]", "?");
  }

  static Reply errorReply(Throwable error, Duration timeout) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof CommandError commandError) {
      return commandError.reply;
    }
    if (t instanceof KvException && t.getMessage() != null) {
      return Reply.err(t.getMessage());
    }
    if (t instanceof TimeoutException) {
      return Reply.err("no answer from the store within " + timeout.toMillis()
          + " ms (it may be resetting or overloaded); retry");
    }
    if (t instanceof StatusReply.ErrorMessage) {
      return Reply.err(t.getMessage());
    }
    return Reply.err("internal error: " + t);
  }
}
