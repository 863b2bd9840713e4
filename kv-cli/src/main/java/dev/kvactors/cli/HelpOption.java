package dev.kvactors.cli;

import picocli.CommandLine.Option;

/** {@code -h}/{@code --help} of a subcommand: prints its usage, whatever else is (or is not) on the line. */
final class HelpOption {
  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;
}
