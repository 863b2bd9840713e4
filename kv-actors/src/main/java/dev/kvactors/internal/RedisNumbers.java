package dev.kvactors.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Numbers in strings as Redis 7.0 reads and writes them: {@code string2ll} for 64-bit integers,
 * {@code string2ld} and {@code ld2string(..., LD_STR_HUMAN)} for {@code INCRBYFLOAT}'s 80-bit
 * {@code long double}. Java has no 80-bit type, so the arithmetic is done exactly with
 * {@link BigDecimal} and every result rounded, as the x87 unit does, to a 64-bit significand
 * (round half to even) within the {@code long double} exponent range.
 */
public final class RedisNumbers {
  /** Redis's {@code LONG_STR_SIZE}: an integer string must be shorter. */
  private static final int LONG_STR_SIZE = 21;
  /** Redis's {@code MAX_LONG_DOUBLE_CHARS}: a float string must be shorter. */
  public static final int MAX_LONG_DOUBLE_CHARS = 5 * 1024;
  private static final int SIGNIFICAND_BITS = 64;
  /** The exponent of the least significant bit of the smallest denormal {@code long double}. */
  private static final int MIN_EXPONENT = -16445;
  /** Values at or above 2^16384 are infinite. */
  private static final int MAX_BINARY_EXPONENT = 16384;
  /** An exponent beyond this in the text overflows or underflows whatever the digits. */
  private static final long EXPONENT_LIMIT = 100_000;
  private static final Pattern DECIMAL = Pattern.compile("[+-]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE]([+-]?[0-9]+))?");
  private static final Pattern HEX =
      Pattern.compile("([+-]?)0[xX]([0-9a-fA-F]+\\.?[0-9a-fA-F]*|\\.[0-9a-fA-F]+)(?:[pP]([+-]?[0-9]+))?");
  private static final Pattern INFINITY = Pattern.compile("[+-]?(?i:inf|infinity)");

  private RedisNumbers() {}

  /**
   * Reads a 64-bit integer as Redis's {@code string2ll}: optional {@code -}, then {@code 0} alone
   * or a digit 1-9 and more digits, nothing else (no {@code +}, spaces or leading zeros), fewer
   * than 21 bytes, within {@code long}'s range.
   *
   * @param bytes the text
   * @return the number, or null if the text is not one
   */
  public static Long parseLong(byte[] bytes) {
    int n = bytes.length;
    if (n == 0 || n >= LONG_STR_SIZE) {
      return null;
    }
    if (n == 1 && bytes[0] == '0') {
      return 0L;
    }
    int i = 0;
    boolean negative = false;
    if (bytes[0] == '-') {
      negative = true;
      i++;
      if (i == n) {
        return null;
      }
    }
    if (bytes[i] < '1' || bytes[i] > '9') {
      return null;
    }
    // at most 19 digits fit; 20 digits may overflow: parse as unsigned with checks
    BigInteger v = BigInteger.ZERO;
    long acc = 0;
    int digits = 0;
    for (; i < n; i++) {
      byte b = bytes[i];
      if (b < '0' || b > '9') {
        return null;
      }
      digits++;
      if (digits <= 18) {
        acc = acc * 10 + (b - '0');
      } else {
        v = (digits == 19 ? BigInteger.valueOf(acc) : v).multiply(BigInteger.TEN).add(BigInteger.valueOf(b - '0'));
      }
    }
    if (digits <= 18) {
      return negative ? -acc : acc;
    }
    if (negative) {
      v = v.negate();
    }
    return v.bitLength() <= 63 ? v.longValue() : null;
  }

  /**
   * Reads a {@code long double} as Redis's {@code string2ld} ({@code strtold}, refusing a leading
   * space, trailing bytes, NaN, and a result that overflows or underflows to zero), hexadecimal
   * floats ({@code 0x1p-2}) included.
   *
   * @param text the text
   * @return the value, exactly as the nearest {@code long double}; {@link #INFINITE_POSITIVE} or
   *     {@link #INFINITE_NEGATIVE} for an infinity; null if it is not a valid float
   */
  public static BigDecimal parseLongDouble(String text) {
    if (text.isEmpty() || text.length() >= MAX_LONG_DOUBLE_CHARS) {
      return null;
    }
    if (INFINITY.matcher(text).matches()) {
      return text.startsWith("-") ? INFINITE_NEGATIVE : INFINITE_POSITIVE;
    }
    Matcher hex = HEX.matcher(text);
    if (hex.matches()) {
      return parseHex(hex);
    }
    Matcher m = DECIMAL.matcher(text);
    if (!m.matches()) {
      return null;
    }
    String mantissa = m.group(1) == null ? text : text.substring(0, m.start(1) - 1);
    long exponent = 0;
    if (m.group(1) != null) {
      String e = m.group(1);
      String digits = e.replaceFirst("^[+-]", "").replaceFirst("^0+(?=.)", "");
      exponent = digits.length() > 7 ? EXPONENT_LIMIT * 10 : Long.parseLong(digits);
      if (e.startsWith("-")) {
        exponent = -exponent;
      }
    }
    if (mantissa.endsWith(".")) {
      mantissa = mantissa + "0";
    }
    if (mantissa.startsWith(".") || mantissa.startsWith("-.") || mantissa.startsWith("+.")) {
      mantissa = mantissa.replace(".", "0.");
    }
    BigDecimal exact = new BigDecimal(mantissa);
    if (exact.signum() == 0) {
      return BigDecimal.ZERO;
    }
    if (Math.abs(exponent) > EXPONENT_LIMIT) {
      return null; // overflow, or underflow to zero: ERANGE, refused
    }
    exact = exact.scaleByPowerOfTen((int) exponent);
    BigDecimal rounded = roundToLongDouble(exact);
    if (rounded == null || rounded.signum() == 0) {
      return null;
    }
    return rounded;
  }

  private static BigDecimal parseHex(Matcher hex) {
    String digits = hex.group(2);
    int point = digits.indexOf('.');
    String all = digits.replace(".", "");
    long exponent = point < 0 ? 0 : -4L * (digits.length() - point - 1);
    if (hex.group(3) != null) {
      String e = hex.group(3).replaceFirst("^[+-]", "").replaceFirst("^0+(?=.)", "");
      long binary = e.length() > 7 ? EXPONENT_LIMIT * 10 : Long.parseLong(e);
      exponent += hex.group(3).startsWith("-") ? -binary : binary;
    }
    BigInteger mantissa = all.isEmpty() ? BigInteger.ZERO : new BigInteger(all, 16);
    if (mantissa.signum() == 0) {
      return BigDecimal.ZERO;
    }
    if (Math.abs(exponent) > EXPONENT_LIMIT) {
      return null;
    }
    BigDecimal exact = exponent >= 0 ? new BigDecimal(mantissa.shiftLeft((int) exponent))
        : new BigDecimal(mantissa.multiply(BigInteger.valueOf(5).pow((int) -exponent)), (int) -exponent);
    BigDecimal rounded = roundToLongDouble(hex.group(1).equals("-") ? exact.negate() : exact);
    return rounded == null || rounded.signum() == 0 ? null : rounded;
  }

  /** Stands for +infinity in {@link #parseLongDouble}'s answer (compared by identity). */
  public static final BigDecimal INFINITE_POSITIVE = new BigDecimal("1E+999999");
  /** Stands for -infinity in {@link #parseLongDouble}'s answer (compared by identity). */
  public static final BigDecimal INFINITE_NEGATIVE = new BigDecimal("-1E+999999");

  /**
   * Redis's {@code INCRBYFLOAT} arithmetic: {@code value + by}, both {@link #parseLongDouble}
   * answers, rounded to a {@code long double}.
   *
   * @return the sum, or null if it is infinite (or NaN)
   */
  public static BigDecimal addLongDouble(BigDecimal value, BigDecimal by) {
    if (isInfinite(value) || isInfinite(by)) {
      return null;
    }
    return roundToLongDouble(value.add(by));
  }

  private static boolean isInfinite(BigDecimal d) {
    return d == INFINITE_POSITIVE || d == INFINITE_NEGATIVE;
  }

  /**
   * Formats as Redis's {@code ld2string(..., LD_STR_HUMAN)}: {@code %.17Lf}, then the trailing
   * zeros after the point (and a bare point) removed, {@code -0} written {@code 0}.
   *
   * @param value a finite {@code long double}, exactly
   * @return the text
   */
  public static String formatLongDouble(BigDecimal value) {
    String s = value.setScale(17, RoundingMode.HALF_EVEN).toPlainString();
    if (s.indexOf('.') >= 0) {
      int end = s.length();
      while (s.charAt(end - 1) == '0') {
        end--;
      }
      if (s.charAt(end - 1) == '.') {
        end--;
      }
      s = s.substring(0, end);
    }
    return s.equals("-0") ? "0" : s;
  }

  /**
   * Rounds an exact value to the nearest {@code long double} (64-bit significand, half to even,
   * denormals below 2^-16382).
   *
   * @return the value, exactly; null if it overflows to infinity
   */
  static BigDecimal roundToLongDouble(BigDecimal x) {
    if (x.signum() == 0) {
      return BigDecimal.ZERO;
    }
    BigInteger num;
    BigInteger den;
    BigDecimal abs = x.abs();
    if (abs.scale() <= 0) {
      num = abs.unscaledValue().multiply(BigInteger.TEN.pow(-abs.scale()));
      den = BigInteger.ONE;
    } else {
      num = abs.unscaledValue();
      den = BigInteger.TEN.pow(abs.scale());
    }
    // k = floor(log2(num / den))
    long k = (long) num.bitLength() - den.bitLength();
    if (compareScaled(num, den, k) < 0) {
      k--;
    }
    long e = Math.max(k - (SIGNIFICAND_BITS - 1), MIN_EXPONENT);
    BigInteger n = e < 0 ? num.shiftLeft((int) -e) : num;
    BigInteger d = e > 0 ? den.shiftLeft((int) e) : den;
    BigInteger[] qr = n.divideAndRemainder(d);
    BigInteger m = qr[0];
    int half = qr[1].shiftLeft(1).compareTo(d);
    if (half > 0 || (half == 0 && m.testBit(0))) {
      m = m.add(BigInteger.ONE);
    }
    if (m.bitLength() > SIGNIFICAND_BITS) {
      m = m.shiftRight(1);
      e++;
    }
    if (m.signum() != 0 && m.bitLength() + e > MAX_BINARY_EXPONENT) {
      return null;
    }
    BigDecimal result = e >= 0 ? new BigDecimal(m.shiftLeft((int) e))
        : new BigDecimal(m.multiply(BigInteger.valueOf(5).pow((int) -e)), (int) -e);
    return x.signum() < 0 ? result.negate() : result;
  }

  /** Compares {@code num / den} with {@code 2^k}. */
  private static int compareScaled(BigInteger num, BigInteger den, long k) {
    return k >= 0 ? num.compareTo(den.shiftLeft((int) k)) : num.shiftLeft((int) -k).compareTo(den);
  }
}
