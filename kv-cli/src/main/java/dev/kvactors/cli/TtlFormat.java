package dev.kvactors.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Times to live on the command line: read as {@code 10s}, {@code 500ms}, {@code 5m}, {@code 1h},
 * {@code 2d} or plain seconds ({@code 10}), as Redis's {@code EXPIRE} counts; printed as
 * {@code 734ms} under a second, {@code 9.8s} (tenths, rounded down) under a minute, else in whole
 * units: {@code 4m59s}, {@code 2h0m1s}, {@code 3d4h0m0s}.
 */
final class TtlFormat {
  private static final Pattern TTL = Pattern.compile("(\\d{1,18})(ms|s|m|h|d)?");

  private TtlFormat() {}

  /** Reads a TTL of zero or more; empty for anything else. */
  static Duration parse(String text) {
    Matcher m = TTL.matcher(text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a duration (e.g. 10s, 500ms, 5m, 1h, 2d, or plain seconds)");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    try {
      return switch (unit) {
        case "ms" -> Duration.ofMillis(n);
        case "m" -> Duration.ofSeconds(Math.multiplyExact(n, 60));
        case "h" -> Duration.ofSeconds(Math.multiplyExact(n, 3600));
        case "d" -> Duration.ofSeconds(Math.multiplyExact(n, 86400));
        default -> Duration.ofSeconds(n);
      };
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("'" + text + "' is too long a duration");
    }
  }

  /** The remaining time of a key, in the form described above. */
  static String format(long millis) {
    if (millis < 1000) {
      return millis + "ms";
    }
    if (millis < 60_000) {
      return (millis / 1000) + "." + (millis % 1000) / 100 + "s";
    }
    long s = millis / 1000;
    long d = s / 86400;
    long h = s % 86400 / 3600;
    long m = s % 3600 / 60;
    long sec = s % 60;
    StringBuilder b = new StringBuilder();
    if (d > 0) {
      b.append(d).append('d');
    }
    if (d > 0 || h > 0) {
      b.append(h).append('h');
    }
    return b.append(m).append('m').append(sec).append('s').toString();
  }

  /** picocli's converter for TTL arguments and options: zero or more. */
  static class Converter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /** picocli's converter for a TTL that must be more than zero ({@code set --ttl}, as Redis's {@code SET ... PX}). */
  static final class PositiveConverter extends Converter {
    @Override
    public Duration convert(String value) {
      Duration ttl = super.convert(value);
      if (ttl.isZero()) {
        throw new CommandLine.TypeConversionException("'" + value + "' is not more than 0");
      }
      return ttl;
    }
  }
}
