package dev.kvactors.server;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reading a command's arguments: keys (UTF-8), patterns, option names (ASCII). A command that
 * cannot run as sent throws {@link Invalid}, whose reply says why.
 */
final class Args {

  /** A command that cannot run as sent (arity, syntax, invalid key); its reply says why. */
  static final class Invalid extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient Reply reply;

    Invalid(Reply reply) {
      super(reply.toString(), null, false, false);
      this.reply = reply;
    }
  }

  private Args() {}

  static Invalid invalid(String message) {
    return new Invalid(Reply.err(message));
  }

  static Invalid syntaxError() {
    return invalid("syntax error");
  }

  static void arity(List<byte[]> args, int min, int max) {
    if (args.size() < min || args.size() > max) {
      throw wrongArity(args);
    }
  }

  static Invalid wrongArity(List<byte[]> args) {
    return invalid("wrong number of arguments for '" + ascii(args.get(0)).toLowerCase(Locale.ROOT) + "' command");
  }

  /** Redis's arity error for {@code name} as it names it ({@code get}, {@code config|get}). */
  static Reply wrongArity(String name) {
    return Reply.err("wrong number of arguments for '" + name + "' command");
  }

  /** The keys at {@code from}, {@code from + step}, ... */
  static List<String> keys(List<byte[]> args, int from, int step) {
    List<String> keys = new ArrayList<>();
    for (int i = from; i < args.size(); i += step) {
      keys.add(key(args, i));
    }
    return keys;
  }

  /** The store's keys are strings: key bytes must be UTF-8. */
  static String key(List<byte[]> args, int index) {
    Optional<String> key = utf8(args.get(index));
    if (key.isEmpty()) {
      throw invalid("invalid key: keys must be valid UTF-8");
    }
    return key.get();
  }

  static Glob pattern(byte[] bytes) {
    return new Glob(utf8(bytes).orElseThrow(() -> invalid("invalid pattern: patterns must be valid UTF-8")));
  }

  static Optional<String> utf8(byte[] bytes) {
    boolean ascii = true;
    for (byte b : bytes) {
      if (b < 0) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      return Optional.of(new String(bytes, StandardCharsets.ISO_8859_1));
    }
    try {
      return Optional.of(StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }

  /** Command names and options are ASCII; other bytes become U+FFFD and match nothing. */
  static String ascii(byte[] bytes) {
    return new String(bytes, StandardCharsets.US_ASCII);
  }

  /** An option name, upper-cased. */
  static String option(byte[] bytes) {
    return ascii(bytes).toUpperCase(Locale.ROOT);
  }

  static String printable(byte[] bytes) {
    String s = new String(bytes, 0, Math.min(bytes.length, 128), StandardCharsets.UTF_8);
    return s.replaceAll("[\\p{Cntrl}]", "?");
  }

  /**
   * A signed 64-bit integer exactly as Redis's {@code string2ll} reads one: optional {@code -}, no
   * {@code +}, no spaces, no leading zeros ({@code 0} itself excepted, {@code -0} refused).
   */
  static java.util.OptionalLong redisLong(byte[] bytes) {
    int n = bytes.length;
    if (n == 0 || n > 20) {
      return java.util.OptionalLong.empty();
    }
    if (n == 1 && bytes[0] == '0') {
      return java.util.OptionalLong.of(0);
    }
    int i = 0;
    boolean negative = bytes[0] == '-';
    if (negative) {
      i++;
    }
    if (i == n || bytes[i] < '1' || bytes[i] > '9') {
      return java.util.OptionalLong.empty();
    }
    long value = 0; // accumulated as a negative number, which has room for Long.MIN_VALUE
    for (; i < n; i++) {
      int digit = bytes[i] - '0';
      if (digit < 0 || digit > 9 || value < (Long.MIN_VALUE + digit) / 10) {
        return java.util.OptionalLong.empty();
      }
      value = value * 10 - digit;
    }
    if (!negative && value == Long.MIN_VALUE) {
      return java.util.OptionalLong.empty();
    }
    return java.util.OptionalLong.of(negative ? value : -value);
  }

  /** {@link #redisLong}, or Redis's {@code ERR value is not an integer or out of range}. */
  static long integer(byte[] bytes) {
    return redisLong(bytes).orElseThrow(() -> invalid("value is not an integer or out of range"));
  }

  /**
   * A SCAN cursor as Redis reads it with C's {@code strtoul}: optional sign ({@code -1} is 2^64-1),
   * no leading space, the empty string is 0; anything else, or above 2^64-1, is
   * {@code ERR invalid cursor}. Returned as an unsigned 64-bit value.
   */
  static long cursor(byte[] bytes) {
    int n = bytes.length;
    if (n == 0) {
      return 0;
    }
    int i = 0;
    boolean negative = false;
    if (bytes[0] == '+' || bytes[0] == '-') {
      negative = bytes[0] == '-';
      i++;
    }
    if (i == n) {
      throw invalid("invalid cursor");
    }
    long value = 0;
    for (; i < n; i++) {
      int digit = bytes[i] - '0';
      if (digit < 0 || digit > 9) {
        throw invalid("invalid cursor");
      }
      if (Long.compareUnsigned(value, Long.divideUnsigned(-1L - digit, 10)) > 0) {
        throw invalid("invalid cursor"); // ERANGE
      }
      value = value * 10 + digit;
    }
    return negative ? -value : value;
  }

  static Reply unknownCommand(List<byte[]> args) {
    StringBuilder message = new StringBuilder("unknown command '").append(printable(args.get(0)))
        .append("', with args beginning with: ");
    for (int i = 1; i < args.size() && message.length() < 128; i++) {
      message.append('\'').append(printable(args.get(i))).append("' ");
    }
    return Reply.err(message.toString());
  }

  static Reply unknownSubcommand(List<byte[]> args) {
    return Reply.err("unknown subcommand '" + printable(args.get(1)) + "'. Try " + option(args.get(0)) + " HELP.");
  }
}
