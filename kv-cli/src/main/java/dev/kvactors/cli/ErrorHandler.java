package dev.kvactors.cli;

import com.typesafe.config.ConfigException;
import dev.kvactors.KvException;
import dev.kvactors.internal.storage.DataDirLockedException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns any exception a command throws into exit code 3 (4 when another process held the data
 * directory's lock for the whole lock wait) and one line {@code kv: <message>} on stderr; the stack trace only with {@code --verbose}. A store error is a {@link KvException}
 * whose message is already meant for a user; anything else is named with its type.
 */
final class ErrorHandler implements IExecutionExceptionHandler {

  @Override
  public int handleExecutionException(Exception ex, CommandLine commandLine, ParseResult parseResult) {
    PrintWriter err = commandLine.getErr();
    if (!alreadyOnStderr(ex)) {
      err.println("kv: " + oneLine(ex));
    }
    Object root = commandLine.getCommandSpec().root().userObject();
    if (root instanceof Kv kv && kv.verbose()) {
      ex.printStackTrace(err);
    }
    err.flush();
    return locked(ex) ? Kv.EXIT_LOCKED : Kv.EXIT_STORE_ERROR;
  }

  /**
   * Whether the store has already printed this failure on stderr: in {@code kv serve}, whose ERROR
   * events reach stderr, a data directory that cannot be opened (locked, damaged, unreadable) is
   * logged at ERROR by the store with the same one-line message, so it is not printed twice.
   */
  private static boolean alreadyOnStderr(Exception ex) {
    return ex instanceof KvException.RecoveryFailed
        && "ACCEPT".equals(System.getProperty(Kv.LOG_STDERR_ERRORS_PROPERTY));
  }

  /** Whether the data directory was locked by another process (for the whole lock wait). */
  static boolean locked(Throwable ex) {
    for (Throwable t = ex; t != null; t = t.getCause()) {
      if (t instanceof DataDirLockedException) {
        return true;
      }
    }
    return false;
  }

  static String oneLine(Throwable ex) {
    String message;
    if (ex instanceof KvException || ex instanceof ConfigException || ex instanceof IllegalArgumentException) {
      message = ex.getMessage();
    } else {
      message = ex.toString();
    }
    if (message == null || message.isBlank()) {
      message = ex.getClass().getName();
    }
    return message.replaceAll("\\s*\\R\\s*", " ").strip();
  }
}
