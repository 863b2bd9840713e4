package dev.kvactors.cli;

import static java.util.Objects.requireNonNull;

import com.typesafe.config.Config;
import dev.kvactors.KvStore;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
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

  @Option(names = "--data-dir", paramLabel = "DIR", scope = ScopeType.INHERIT,
      description = "Data directory (default: $KV_DATA_DIR, else kv.data-dir from the configuration).")
  Path dataDir;

  @Option(names = "--config", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "Configuration file (HOCON) overriding the program's config/application.conf.")
  Path configFile;

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
    Config config = new StoreConfig(dataDir, configFile, System.getenv()).load();
    // Start Logback now, on this thread and after kv.log.dir is set: when the actor system's
    // threads are first to log, SLF4J reports its replay of their early calls on stderr.
    LoggerFactory.getILoggerFactory();
    return KvStore.open(config);
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
