package dev.kvactors.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The log {@code kv stress} writes, read back: every operation with the position of its request
 * and of its acknowledgement in the log, which is their real-time order. From it, whether a state
 * read after a crash is one that the acknowledged operations allow.
 */
final class AckLog {
  static final long NEVER = Long.MAX_VALUE;

  /** One request: a set (value not null) or a delete of {@code key}. */
  static final class Op {
    final String key;
    final String value;
    final long issued;
    long acked = NEVER;

    Op(String key, String value, long issued) {
      this.key = key;
      this.value = value;
      this.issued = issued;
    }

    boolean isAcked() {
      return acked != NEVER;
    }
  }

  final Map<String, List<Op>> byKey = new HashMap<>();
  int acknowledged;

  static AckLog read(Path file) throws IOException {
    AckLog log = new AckLog();
    Map<String, Op> open = new HashMap<>();
    long position = 0;
    String text = Files.readString(file, StandardCharsets.UTF_8);
    // A last line without its newline was cut by the kill: its request was never sent.
    String complete = text.substring(0, text.lastIndexOf('\n') + 1);
    for (String line : complete.split("\n")) {
      position++;
      String[] f = line.split(" ", 6);
      if (f.length < 3) {
        continue;
      }
      String id = f[1] + " " + f[2];
      switch (f[0]) {
        case "I" -> {
          Op op = new Op(f[4], f[3].equals("set") ? f[5] : null, position);
          open.put(id, op);
          log.byKey.computeIfAbsent(op.key, k -> new ArrayList<>()).add(op);
        }
        case "A" -> {
          Op op = open.remove(id);
          if (op != null) {
            op.acked = position;
            log.acknowledged++;
          }
        }
        default -> open.remove(id); // "E": refused; it may or may not have been applied, like one in flight
      }
    }
    return log;
  }

  /**
   * Why {@code found} cannot be the state of {@code key} after the logged operations, or empty if
   * it can: it must be the effect of some request E (a set of that value, a delete, or the state
   * before any request) that no acknowledged request of the key follows in real time, i.e. none
   * was sent after E was acknowledged with a different effect.
   */
  Optional<String> violation(String key, Optional<String> found) {
    List<Op> ops = byKey.getOrDefault(key, List.of());
    if (found.isPresent()) {
      Op write = ops.stream().filter(o -> found.get().equals(o.value)).findFirst().orElse(null);
      if (write == null) {
        return Optional.of(key + " holds a value that was never written: " + found.get());
      }
      for (Op later : ops) {
        if (later.isAcked() && later != write && later.issued > write.acked) {
          return Optional.of(key + " holds " + found.get() + " but the acknowledged " + describe(later)
              + " was sent after that write was acknowledged: an acknowledged write was lost");
        }
      }
      return Optional.empty();
    }
    // absent: the state before any request, or some delete, with no acknowledged set after it
    long lastAckedSetIssue = ops.stream().filter(o -> o.value != null && o.isAcked())
        .mapToLong(o -> o.issued).max().orElse(-1);
    if (lastAckedSetIssue < 0) {
      return Optional.empty();
    }
    for (Op delete : ops) {
      if (delete.value == null && !(lastAckedSetIssue > delete.acked)) {
        boolean setAfter = ops.stream().anyMatch(o -> o.value != null && o.isAcked() && o.issued > delete.acked);
        if (!setAfter) {
          return Optional.empty();
        }
      }
    }
    return Optional.of(key + " is missing but an acknowledged set of it was not followed by any delete");
  }

  private static String describe(Op op) {
    return op.value == null ? "delete" : "set to " + op.value;
  }
}
