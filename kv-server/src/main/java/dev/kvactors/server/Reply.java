package dev.kvactors.server;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** A RESP2 reply, written by {@link RespWriter}. */
public sealed interface Reply {

  Reply OK = new Simple("OK");
  Reply NULL_BULK = new NullBulk();
  Reply EMPTY_ARRAY = new Multi(List.of());

  /** {@code +text}; CR and LF in the text are sent as spaces. */
  record Simple(String text) implements Reply {
    public Simple {
      requireNonNull(text, "text is null");
    }
  }

  /** {@code -CODE message}, e.g. {@code ERR unknown command 'X'}; CR and LF are sent as spaces. */
  record Error(String message) implements Reply {
    public Error {
      requireNonNull(message, "message is null");
    }
  }

  /** {@code :value} */
  record Int(long value) implements Reply {}

  /** {@code $length} and the bytes, binary-safe. The array is not copied: do not modify it. */
  record Bulk(byte[] value) implements Reply {
    public Bulk {
      requireNonNull(value, "value is null");
    }
  }

  /** {@code $-1}: no value. */
  record NullBulk() implements Reply {}

  /** {@code *count} and the elements. */
  record Multi(List<Reply> elements) implements Reply {
    public Multi {
      requireNonNull(elements, "elements is null");
    }
  }

  /** {@code *-1}: no array. */
  record NullArray() implements Reply {}

  static Reply error(String message) {
    return new Error(message);
  }

  /** {@code -ERR message} */
  static Reply err(String message) {
    return new Error("ERR " + message);
  }

  static Reply bulk(String text) {
    return new Bulk(text.getBytes(StandardCharsets.UTF_8));
  }

  static Reply bulkOrNull(byte[] value) {
    return value == null ? NULL_BULK : new Bulk(value);
  }
}
