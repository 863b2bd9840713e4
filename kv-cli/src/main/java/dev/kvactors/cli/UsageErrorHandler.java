package dev.kvactors.cli;

import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * A usage error: what is wrong, the command's synopsis and where to read more, on stderr; exit
 * code 2. An unknown option is named even when a required argument is missing as well
 * ({@code kv get -x}), since the option is the mistake. A bad value of a known option or argument
 * (a duration that is not one) is one line.
 */
final class UsageErrorHandler implements IParameterExceptionHandler {

  @Override
  public int handleParseException(ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    PrintWriter err = cmd.getErr();
    String message = ex.getMessage();
    if (ex instanceof MissingParameterException) {
      List<String> unknown = cmd.getUnmatchedArguments().stream().filter(a -> a.startsWith("-")).toList();
      if (!unknown.isEmpty()) {
        message = "Unknown option: '" + unknown.get(0) + "' (an argument starting with - goes after --, as in "
            + "kv " + cmd.getCommandName() + " -- " + unknown.get(0) + ")";
      }
    }
    if (ex.getCause() instanceof CommandLine.TypeConversionException) {
      // a bad value (a duration, say): the option is right, only its value is wrong; one line says it
      err.println(message + " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
      err.flush();
      return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }
    err.println(message);
    UnmatchedArgumentException.printSuggestions(ex, err);
    err.print(cmd.getHelp().fullSynopsis());
    err.println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for more.");
    err.flush();
    return cmd.getCommandSpec().exitCodeOnInvalidInput();
  }
}
