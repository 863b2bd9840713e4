package dev.kvactors.server;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** What {@link RespParser} reads from a client: a command, or the reason the input is not RESP. */
public sealed interface RespFrame {

  /**
   * A command as its arguments, the name first: from a multibulk ({@code *2\r\n$3\r\nGET\r\n$1\r\nk\r\n})
   * or an inline command ({@code GET k\r\n}). Never empty.
   */
  record Command(List<byte[]> args) implements RespFrame {
    public Command {
      requireNonNull(args, "args is null");
      if (args.isEmpty()) {
        throw new IllegalArgumentException("a command has at least its name");
      }
    }
  }

  /** The input broke the protocol; nothing after it is read. */
  record Malformed(String reason) implements RespFrame {
    public Malformed {
      requireNonNull(reason, "reason is null");
    }
  }
}
