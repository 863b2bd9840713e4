package dev.kvactors.server;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Redis glob pattern ({@code KEYS}, {@code SCAN MATCH}, {@code CONFIG GET}): {@code *} any run of
 * characters, {@code ?} one character, {@code [abc]}, {@code [^abc]}, {@code [a-z]} one of a set,
 * {@code \} takes the next character literally (also inside a set); an unterminated set ends at the
 * end of the pattern.
 *
 * <p>Matching simulates the pattern's automaton on all its states at once, as bits of machine
 * words (Shift-And): one pass over the string, O(length(string) * length(pattern) / 64) in the
 * worst case, never backtracking. So {@code "*" + 1500 x "a" + "b"} against a key of 4,000
 * {@code a} costs 4,000 steps of 24 words, not the 6 million character comparisons of a
 * backtracking matcher.
 */
final class Glob {

  /** One element of the pattern: {@code *}, or a test of one character. */
  private sealed interface Element {}

  private enum Star implements Element {
    INSTANCE
  }

  private enum AnyChar implements Element {
    INSTANCE
  }

  private record Literal(char c) implements Element {}

  /** {@code [...]}: single characters and inclusive ranges, possibly negated. */
  private record CharClass(boolean negate, String singles, String rangeBounds) implements Element {
    boolean matches(char c) {
      boolean in = singles.indexOf(c) >= 0;
      for (int i = 0; !in && i < rangeBounds.length(); i += 2) {
        in = c >= rangeBounds.charAt(i) && c <= rangeBounds.charAt(i + 1);
      }
      return in != negate;
    }
  }

  private static final int CACHED_CHARS = 512;

  private final String pattern;
  private final Element[] elements;
  /** Words of the state set: state i means "the first i elements matched"; state length = accept. */
  private final int words;
  /** The states after a {@code *}-element that the star's state reaches without input. */
  private final long[] stars;
  private final boolean matchesEverything;
  /** For each character seen: the states whose element accepts it (stars excluded), computed once. */
  private final long[][] asciiMasks = new long[128][];
  private final Map<Character, long[]> otherMasks = new HashMap<>();

  Glob(String pattern) {
    this.pattern = requireNonNull(pattern, "pattern is null");
    this.elements = parse(pattern);
    this.words = (elements.length + 1 + 63) / 64;
    this.stars = new long[words];
    for (int i = 0; i < elements.length; i++) {
      if (elements[i] == Star.INSTANCE) {
        stars[i >>> 6] |= 1L << (i & 63);
      }
    }
    this.matchesEverything = elements.length == 1 && elements[0] == Star.INSTANCE;
  }

  @Override
  public String toString() {
    return pattern;
  }

  boolean matches(String s) {
    if (matchesEverything) {
      return true;
    }
    if (words == 1) {
      return matchesInOneWord(s);
    }
    int accept = elements.length;
    long[] state = new long[words];
    long[] next = new long[words];
    state[0] = 1L;
    closeOverStars(state);
    for (int i = 0; i < s.length(); i++) {
      long[] mask = mask(s.charAt(i));
      // next = ((state & mask) << 1) | (state & stars): step over a matching element, or stay in a star.
      long carry = 0;
      long any = 0;
      for (int w = 0; w < words; w++) {
        long stepped = state[w] & mask[w];
        long v = (stepped << 1) | carry | (state[w] & stars[w]);
        carry = stepped >>> 63;
        next[w] = v;
        any |= v;
      }
      if (any == 0) {
        return false;
      }
      closeOverStars(next);
      long[] t = state;
      state = next;
      next = t;
    }
    return (state[accept >>> 6] & (1L << (accept & 63))) != 0;
  }

  /** {@link #matches} for patterns of at most 63 elements: the state set in one register. */
  private boolean matchesInOneWord(String s) {
    long starBits = stars[0];
    long state = 1L;
    state |= (state & starBits) << 1;
    for (int i = 0; i < s.length(); i++) {
      state = ((state & mask(s.charAt(i))[0]) << 1) | (state & starBits);
      if (state == 0) {
        return false;
      }
      state |= (state & starBits) << 1;
    }
    return (state & (1L << elements.length)) != 0;
  }

  /** A star's state also stands after the star (it may match nothing); stars never follow stars. */
  private void closeOverStars(long[] state) {
    long carry = 0;
    for (int w = 0; w < words; w++) {
      long atStar = state[w] & stars[w];
      long shifted = (atStar << 1) | carry;
      carry = atStar >>> 63;
      state[w] |= shifted;
    }
  }

  private long[] mask(char c) {
    if (c < 128) {
      long[] m = asciiMasks[c];
      if (m == null) {
        m = computeMask(c);
        asciiMasks[c] = m;
      }
      return m;
    }
    long[] m = otherMasks.get(c);
    if (m == null) {
      m = computeMask(c);
      if (otherMasks.size() < CACHED_CHARS) {
        otherMasks.put(c, m);
      }
    }
    return m;
  }

  private long[] computeMask(char c) {
    long[] m = new long[words];
    for (int i = 0; i < elements.length; i++) {
      Element e = elements[i];
      boolean accepts = e == AnyChar.INSTANCE
          || e instanceof Literal literal && literal.c() == c
          || e instanceof CharClass set && set.matches(c);
      if (accepts) {
        m[i >>> 6] |= 1L << (i & 63);
      }
    }
    return m;
  }

  private static Element[] parse(String pattern) {
    List<Element> out = new ArrayList<>();
    int n = pattern.length();
    int p = 0;
    while (p < n) {
      char c = pattern.charAt(p);
      switch (c) {
        case '*' -> {
          if (out.isEmpty() || out.get(out.size() - 1) != Star.INSTANCE) {
            out.add(Star.INSTANCE);
          }
          p++;
        }
        case '?' -> {
          out.add(AnyChar.INSTANCE);
          p++;
        }
        case '\\' -> {
          if (p + 1 < n) {
            out.add(new Literal(pattern.charAt(p + 1)));
            p += 2;
          } else {
            out.add(new Literal('\\'));
            p++;
          }
        }
        case '[' -> p = parseClass(pattern, p + 1, out);
        default -> {
          out.add(new Literal(c));
          p++;
        }
      }
    }
    return out.toArray(Element[]::new);
  }

  /** Parses the set that starts at {@code q} (after {@code [}); returns the index after its {@code ]}. */
  private static int parseClass(String pattern, int q, List<Element> out) {
    int n = pattern.length();
    boolean negate = q < n && pattern.charAt(q) == '^';
    if (negate) {
      q++;
    }
    StringBuilder singles = new StringBuilder();
    StringBuilder ranges = new StringBuilder();
    while (q < n && pattern.charAt(q) != ']') {
      char start = pattern.charAt(q);
      if (start == '\\' && q + 1 < n) {
        singles.append(pattern.charAt(q + 1));
        q += 2;
      } else if (q + 2 < n && pattern.charAt(q + 1) == '-' && pattern.charAt(q + 2) != ']') {
        char end = pattern.charAt(q + 2);
        ranges.append(start < end ? start : end).append(start < end ? end : start);
        q += 3;
      } else {
        singles.append(start);
        q++;
      }
    }
    out.add(new CharClass(negate, singles.toString(), ranges.toString()));
    return q < n ? q + 1 : q; // an unterminated set ends at the end of the pattern, as in Redis
  }
}
