package dev.kvactors.server;

import java.util.concurrent.CompletionStage;

/**
 * A section that INFO adds to its own, from outside the server (cluster mode's {@code cluster}
 * section): shown for {@code INFO}, {@code INFO all} and {@code INFO <name>}.
 */
public interface InfoSection {
  /**
   * The section's name, lower case, as {@code INFO <name>} asks for it.
   *
   * @return the name
   */
  String name();

  /**
   * The section's {@code field:value} lines, each ending in CRLF, without the heading.
   *
   * @return the lines, once known
   */
  CompletionStage<String> lines();
}
