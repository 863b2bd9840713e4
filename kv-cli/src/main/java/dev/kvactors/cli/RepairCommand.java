package dev.kvactors.cli;

import dev.kvactors.KvException;
import dev.kvactors.internal.storage.Repair;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "repair",
    description = {
        "Salvage a damaged data directory: keep the longest valid prefix of its history (the readable part of the"
            + " snapshot, then the logs up to the first damage) and drop the rest.",
        "Without --yes it only prints what it would keep and drop. With --yes it first copies the damaged files to"
            + " DATA_DIR/backup-<time>/. Exit code 1: a repair is needed but was not confirmed."})
final class RepairCommand implements Callable<Integer> {
  @ParentCommand
  Kv kv;

  @Spec
  CommandSpec spec;

  @Mixin
  HelpOption help;

  @Option(names = "--yes", description = "Apply the repair (after backing up the damaged files).")
  boolean yes;

  @Override
  public Integer call() {
    kv.rejectServerOption(spec);
    Path dir = kv.resolvedDataDir(yes ? DataDir.Use.UPDATE : DataDir.Use.READ);
    Repair.Report report;
    try {
      report = Repair.run(dir, yes);
    } catch (IOException e) {
      throw new KvException("cannot repair " + dir + ": " + e.getMessage(), false, e);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (!report.needed()) {
      out.println("nothing to repair in " + dir + ": " + String.join("; ", report.kept()));
      out.flush();
      return Kv.EXIT_OK;
    }
    out.println((yes ? "repaired " : "a repair of ") + dir + (yes ? " keeps " : " would keep ") + report.keys()
        + " keys");
    report.kept().forEach(k -> out.println("  kept:    " + k));
    report.dropped().forEach(d -> out.println("  dropped: " + d));
    if (yes) {
      out.println("the damaged files are backed up in " + report.backup().orElseThrow());
      out.flush();
      return Kv.EXIT_OK;
    }
    out.println("nothing was changed; run `kv repair --yes` to apply");
    out.flush();
    return Kv.EXIT_NOT_FOUND;
  }
}
