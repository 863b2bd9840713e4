package dev.kvactors.cli;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.kvactors.KvException;
import dev.kvactors.KvStore;
import dev.kvactors.server.ServerAdvertisement;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;

/**
 * The {@code kv} program: one command per operation on a data directory. Each run opens the
 * store (recovering the directory), does its one job and closes the store again.
 *
 * <p>Exit codes: 0 ok, 1 key not found, 2 usage error, 3 store error (one line on stderr), 4 the
 * data directory stayed locked by another process for {@code kv.lock-wait}.
 */
@Command(
    name = "kv",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    synopsisSubcommandLabel = "COMMAND",
    description = "A key-value store on disk, run as a Pekko actor system.",
    subcommands = {
        GetCommand.class,
        SetCommand.class,
        DeleteCommand.class,
        IncrCommand.class,
        DecrCommand.class,
        FlushCommand.class,
        KeysCommand.class,
        TtlCommand.class,
        ExpireCommand.class,
        PersistCommand.class,
        ServeCommand.class,
        RepairCommand.class,
        LoadCommand.class,
        StressCommand.class,
        HelpCommand.class,
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:ok",
        "1:key not found (get, ttl, expire, persist); repair needed but not confirmed (repair)",
        "2:usage error",
        "3:store error: missing, damaged or unusable data directory, failed write, a value incr/decr cannot add"
            + " to (the reason is printed on stderr; details in DATA_DIR/kv.log)",
        "4:the data directory stayed locked by another kv process for the lock wait (--lock-wait, kv.lock-wait)",
    },
    footerHeading = "%nCommands of the ./kv launcher:%n",
    footer = {
        "  bench    Build and run the benchmarks: ./kv bench [--quick] [--out FILE].",
        "",
        "Environment:",
        "  KV_DATA_DIR         Data directory, unless --data-dir is given.",
        "  KV_SERVER_PASSWORD  Password of kv serve; get/set/delete/keys/flush send it.",
        "  KV_JAVA_OPTS        Extra JVM options for ./kv, e.g. -Xmx512m.",
        "  KV_CDS              off: ./kv starts without its class-data archive.",
        "",
        "Run 'kv COMMAND --help' for a command's options. A relative path on the",
        "command line or in KV_DATA_DIR is relative to the working directory; one",
        "in a configuration file is relative to the directory holding that file.",
    })
public final class Kv {
  static final int EXIT_OK = 0;
  static final int EXIT_NOT_FOUND = 1;
  static final int EXIT_STORE_ERROR = 3;
  static final int EXIT_LOCKED = 4;
  /** System property naming the appender kv.log goes to: FILE, or NONE when the data directory cannot hold it. */
  static final String LOG_FILE_APPENDER_PROPERTY = "kv.log.file-appender";
  /** System property: ACCEPT to print ERROR events on stderr (kv serve), DENY to leave them to the command's line. */
  static final String LOG_STDERR_ERRORS_PROPERTY = "kv.log.stderr-errors";
  private static final Duration SERVER_CONNECT_TIMEOUT = Duration.ofSeconds(2);

  @Option(names = "--data-dir", paramLabel = "DIR", scope = ScopeType.INHERIT,
      description = "Data directory (default: $KV_DATA_DIR, else kv.data-dir from the configuration). "
          + "get, keys and delete need it to exist; set and serve create it.")
  Path dataDir;

  @Option(names = "--config", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "Configuration file (HOCON) overriding the program's config/application.conf.")
  Path configFile;

  @Option(names = "--lock-wait", paramLabel = "DURATION", scope = ScopeType.INHERIT,
      converter = DurationConverter.class,
      description = "How long to wait while another kv process holds the data directory, e.g. 10s or 500ms "
          + "(default: kv.lock-wait); then exit code 4.")
  Duration lockWait;

  @Option(names = "--server", paramLabel = "HOST:PORT",
      description = "For get, set, delete, incr, decr, keys, flush, ttl, expire and persist (which also take it after"
          + " the command): "
          + ServerOption.DESCRIPTION)
  String server;

  @Option(names = "--verbose", scope = ScopeType.INHERIT,
      description = "Print the stack trace of an error.")
  boolean verbose;

  private final InputStream in;
  private final OutputStream rawOut;
  private final boolean interactive;

  public Kv() {
    this(System.in, System.out, System.console() != null);
  }

  /**
   * A program reading stdin from {@code in} and writing raw values (of {@code get}) to
   * {@code rawOut}, which is not a terminal.
   */
  public Kv(InputStream in, OutputStream rawOut) {
    this(in, rawOut, false);
  }

  /** As {@link #Kv(InputStream, OutputStream)}; {@code interactive}: a person reads the output on a terminal. */
  Kv(InputStream in, OutputStream rawOut, boolean interactive) {
    this.in = requireNonNull(in, "in is null");
    this.rawOut = requireNonNull(rawOut, "rawOut is null");
    this.interactive = interactive;
  }

  public static void main(String[] args) {
    // Keys and messages are printed in UTF-8, as they are stored, whatever the locale's charset.
    CommandLine cmd = newCommandLine(new Kv())
        .setOut(new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true))
        .setErr(new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true));
    System.exit(cmd.execute(args));
  }

  /**
   * The command line for {@code kv}, with store errors mapped to exit code 3 (4 for a locked data
   * directory) and a one-line message.
   */
  public static CommandLine newCommandLine(Kv kv) {
    return new CommandLine(kv)
        .setExecutionExceptionHandler(new ErrorHandler())
        .setParameterExceptionHandler(new UsageErrorHandler());
  }

  /** Durations as in the configuration: {@code 5s}, {@code 500ms}, {@code 1m}. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return ConfigFactory.parseString("d = \"" + value.replace("\"", "") + "\"").getDuration("d");
      } catch (ConfigException e) {
        throw new CommandLine.TypeConversionException("'" + value + "' is not a duration (e.g. 5s, 500ms)");
      }
    }
  }

  /** Opens the store for the hidden load and stress commands, creating the data directory if missing. */
  KvStore openStore() {
    return KvStore.open(config(DataDir.Use.CREATE, false));
  }

  /**
   * The configuration of {@code kv serve}, with the data directory created if missing and logging
   * started: ERROR events reach stderr too, since no command line reports a failure while serving.
   */
  Config loadConfig() {
    return config(DataDir.Use.CREATE, true);
  }

  /** The configuration, with the data directory checked for {@code use} and logging started. */
  private Config config(DataDir.Use use, boolean errorsToStderr) {
    Config config = storeConfig();
    Path dir = dataDir(config);
    DataDir.prepare(dir, use);
    startLogging(dir, errorsToStderr);
    return config;
  }

  private Config storeConfig() {
    return new StoreConfig(dataDir, configFile, System.getenv(), lockWait).load();
  }

  private static Path dataDir(Config config) {
    return Path.of(config.getString("kv.data-dir"));
  }

  /**
   * Starts Logback, on this thread, once the system properties config/logback.xml reads are set:
   * when the actor system's threads are first to log, SLF4J reports its replay of their early calls
   * on stderr. kv.log is written only into an existing, writable data directory, so logging never
   * creates a directory (a mistyped --data-dir) or fails on a read-only one. A one-shot command
   * prints its own failure as one line, so the store's ERROR events stay in kv.log then.
   */
  static void startLogging(Path dir, boolean errorsToStderr) {
    boolean file = Files.isDirectory(dir) && Files.isWritable(dir);
    System.setProperty(LOG_FILE_APPENDER_PROPERTY, file ? "FILE" : "NONE");
    System.setProperty(LOG_STDERR_ERRORS_PROPERTY, errorsToStderr ? "ACCEPT" : "DENY");
    LoggerFactory.getILoggerFactory();
  }

  /**
   * The store for get/set/delete/keys: the server given with {@code --server} (after the command,
   * or before it); else the server advertised in {@code DATA_DIR/kv.server} if it answers and is
   * the one advertised (a file left by a killed server is ignored); else the data directory
   * itself, checked for {@code use} first: opened in this process, or read without its lock when
   * it is read-only ({@link ReadOnlyStore}).
   */
  StoreClient connect(ServerOption option, DataDir.Use use) {
    Config config = storeConfig();
    Path dir = dataDir(config);
    Duration timeout = config.getDuration("kv.request-timeout").plusSeconds(5);
    String password = config.getString("kv.server.password");
    Optional<String> auth = password.isEmpty() ? Optional.empty() : Optional.of(password);
    String address = option.server != null ? option.server : server;
    if (address != null) {
      startLogging(dir, false);
      int colon = address.lastIndexOf(':');
      String host = colon > 0 ? address.substring(0, colon) : address;
      int port;
      try {
        port = Integer.parseInt(address.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--server must be HOST:PORT; was " + address);
      }
      try {
        return RespClient.connect(host, port, auth, SERVER_CONNECT_TIMEOUT, timeout);
      } catch (IOException e) {
        throw new KvException.Unavailable("cannot reach the kv server at " + address + ": " + e.getMessage());
      }
    }
    boolean writable = DataDir.prepare(dir, use);
    startLogging(dir, false);
    Optional<ServerAdvertisement> advertised;
    try {
      advertised = ServerAdvertisement.read(dir);
    } catch (IOException e) {
      throw new KvException("cannot read " + ServerAdvertisement.file(dir) + ": " + DataDir.describe(e), false, e);
    }
    if (advertised.isPresent()) {
      ServerAdvertisement ad = advertised.get();
      RespClient client = null;
      try {
        client = RespClient.connect(ad.host(), ad.port(), auth, SERVER_CONNECT_TIMEOUT, timeout);
        if (client.runId().equals(ad.runId())) {
          return client;
        }
        client.close();
      } catch (IOException e) {
        if (client != null) {
          client.close();
        }
        // nothing answers: a file left behind by a server that was killed; open the directory
      } catch (RuntimeException e) {
        if (client != null) {
          client.close();
        }
        throw e;
      }
    }
    return writable ? new DirectStoreClient(KvStore.open(config)) : ReadOnlyStore.open(dir);
  }

  /** The data directory this run's options and environment name, checked for {@code use}, with logging started. */
  Path resolvedDataDir(DataDir.Use use) {
    Path dir = dataDir(storeConfig());
    DataDir.prepare(dir, use);
    startLogging(dir, false);
    return dir;
  }

  /** Says on stderr that {@code key} has no value; returns the exit code for it. */
  static int notFound(CommandSpec command, String key) {
    command.commandLine().getErr().println("not found: " + key);
    command.commandLine().getErr().flush();
    return EXIT_NOT_FOUND;
  }

  /** A usage error (exit code 2) if {@code --server} was given before {@code command}, which does not take it. */
  void rejectServerOption(CommandSpec command) {
    if (server != null) {
      throw new ParameterException(command.commandLine(), "--server does not apply to kv " + command.name());
    }
  }

  /** Whether a person reads the output on a terminal (stdin and stdout are one, as {@link System#console()} tells). */
  boolean interactive() {
    return interactive;
  }

  boolean verbose() {
    return verbose;
  }

  InputStream in() {
    return in;
  }

  OutputStream rawOut() {
    return rawOut;
  }
}
