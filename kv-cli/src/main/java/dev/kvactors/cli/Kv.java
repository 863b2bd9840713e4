package dev.kvactors.cli;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import dev.kvactors.KvException;
import dev.kvactors.KvStore;
import dev.kvactors.server.ServerAdvertisement;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code kv} program: one command per operation on a data directory. Each run opens the
 * store (recovering the directory), does its one job and closes the store again.
 *
 * <p>Exit codes: 0 ok, 1 key not found, 2 usage error, 3 store error (one line on stderr).
 */
@Command(
    name = "kv",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "A key-value store on disk, run as a Pekko actor system.",
    subcommands = {
        GetCommand.class,
        SetCommand.class,
        DeleteCommand.class,
        KeysCommand.class,
        ServeCommand.class,
        RepairCommand.class,
        LoadCommand.class,
        StressCommand.class,
        HelpCommand.class,
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:ok",
        "1:key not found (get); repair needed but not confirmed (repair)",
        "2:usage error",
        "3:store error (the reason is printed on stderr; details in DATA_DIR/kv.log)",
    },
    footerHeading = "%nEnvironment:%n",
    footer = "  KV_DATA_DIR  data directory, unless --data-dir is given")
public final class Kv {
  static final int EXIT_OK = 0;
  static final int EXIT_NOT_FOUND = 1;
  static final int EXIT_STORE_ERROR = 3;
  private static final Duration SERVER_CONNECT_TIMEOUT = Duration.ofSeconds(2);

  @Option(names = "--data-dir", paramLabel = "DIR", scope = ScopeType.INHERIT,
      description = "Data directory (default: $KV_DATA_DIR, else kv.data-dir from the configuration).")
  Path dataDir;

  @Option(names = "--config", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "Configuration file (HOCON) overriding the program's config/application.conf.")
  Path configFile;

  @Option(names = "--server", paramLabel = "HOST:PORT", scope = ScopeType.INHERIT,
      description = "Talk to the kv server at HOST:PORT over RESP (default: the server advertised in "
          + "DATA_DIR/kv.server, if it answers; else open the data directory).")
  String server;

  @Option(names = "--verbose", scope = ScopeType.INHERIT,
      description = "Print the stack trace of an error.")
  boolean verbose;

  private final InputStream in;
  private final OutputStream rawOut;

  public Kv() {
    this(System.in, System.out);
  }

  /** A program reading stdin from {@code in} and writing raw values (of {@code get}) to {@code rawOut}. */
  public Kv(InputStream in, OutputStream rawOut) {
    this.in = requireNonNull(in, "in is null");
    this.rawOut = requireNonNull(rawOut, "rawOut is null");
  }

  public static void main(String[] args) {
    System.exit(newCommandLine(new Kv()).execute(args));
  }

  /** The command line for {@code kv}, with store errors mapped to exit code 3 and a one-line message. */
  public static CommandLine newCommandLine(Kv kv) {
    return new CommandLine(kv).setExecutionExceptionHandler(new ErrorHandler());
  }

  /** Opens the store this run's options and environment describe. */
  KvStore openStore() {
    return KvStore.open(loadConfig());
  }

  /** The configuration this run's options and environment describe, with logging started. */
  Config loadConfig() {
    Config config = new StoreConfig(dataDir, configFile, System.getenv()).load();
    // Start Logback now, on this thread and after kv.log.dir is set: when the actor system's
    // threads are first to log, SLF4J reports its replay of their early calls on stderr.
    LoggerFactory.getILoggerFactory();
    return config;
  }

  /**
   * The store for get/set/delete/keys: the server given with {@code --server}; else the server
   * advertised in {@code DATA_DIR/kv.server} if it answers and is the one advertised (a file left
   * by a killed server is ignored); else the data directory itself, opened in this process.
   */
  StoreClient connect() {
    Config config = loadConfig();
    Duration timeout = config.getDuration("kv.request-timeout").plusSeconds(5);
    String password = config.getString("kv.server.password");
    Optional<String> auth = password.isEmpty() ? Optional.empty() : Optional.of(password);
    if (server != null) {
      int colon = server.lastIndexOf(':');
      String host = colon > 0 ? server.substring(0, colon) : server;
      int port;
      try {
        port = Integer.parseInt(server.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--server must be HOST:PORT; was " + server);
      }
      try {
        return RespClient.connect(host, port, auth, SERVER_CONNECT_TIMEOUT, timeout);
      } catch (IOException e) {
        throw new KvException.Unavailable("cannot reach the kv server at " + server + ": " + e.getMessage());
      }
    }
    Path dir = Path.of(config.getString("kv.data-dir"));
    Optional<ServerAdvertisement> advertised;
    try {
      advertised = ServerAdvertisement.read(dir);
    } catch (IOException e) {
      throw new KvException("cannot read " + ServerAdvertisement.file(dir) + ": " + e, false, e);
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
    return new DirectStoreClient(KvStore.open(config));
  }

  /** The data directory this run's options and environment name, without opening the store. */
  Path resolvedDataDir() {
    Config config = new StoreConfig(dataDir, configFile, System.getenv()).load();
    LoggerFactory.getILoggerFactory();
    return Path.of(config.getString("kv.data-dir"));
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
