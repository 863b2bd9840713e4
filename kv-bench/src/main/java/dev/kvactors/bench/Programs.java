package dev.kvactors.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Finding the external programs the RESP scenarios run, and their versions. */
final class Programs {
  private Programs() {}

  /** {@code tool} in a directory of the PATH, if it is there and executable. */
  static Optional<Path> onPath(String tool) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    return Stream.of(path.split(File.pathSeparator)).filter(d -> !d.isEmpty()).map(d -> Path.of(d, tool))
        .filter(Files::isExecutable).findFirst();
  }

  /** The first line a tool prints for these arguments (its version). */
  static String firstLine(Path tool, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(tool.toString());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", command) + " did not finish within 30 s");
    }
    return new String(out, StandardCharsets.UTF_8).strip().lines().findFirst().orElse(tool.getFileName().toString());
  }
}
