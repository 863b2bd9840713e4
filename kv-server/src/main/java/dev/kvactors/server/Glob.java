package dev.kvactors.server;

import static java.util.Objects.requireNonNull;

/**
 * A Redis glob pattern ({@code KEYS}, {@code SCAN MATCH}, {@code CONFIG GET}): {@code *} any run of
 * characters, {@code ?} one character, {@code [abc]}, {@code [^abc]}, {@code [a-z]} one of a set,
 * {@code \} takes the next character literally.
 */
final class Glob {
  private final String pattern;

  Glob(String pattern) {
    this.pattern = requireNonNull(pattern, "pattern is null");
  }

  /**
   * The characters every match starts with (before the first wildcard): the store lists only the
   * keys with this prefix.
   */
  String literalPrefix() {
    StringBuilder prefix = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '*' || c == '?' || c == '[') {
        break;
      }
      if (c == '\\' && i + 1 < pattern.length()) {
        c = pattern.charAt(++i);
      }
      prefix.append(c);
    }
    return prefix.toString();
  }

  boolean matches(String s) {
    int p = 0;
    int i = 0;
    int starP = -1;
    int starI = -1;
    while (i < s.length()) {
      if (p < pattern.length() && pattern.charAt(p) == '*') {
        while (p < pattern.length() && pattern.charAt(p) == '*') {
          p++;
        }
        if (p == pattern.length()) {
          return true;
        }
        starP = p;
        starI = i;
        continue;
      }
      int next = p < pattern.length() ? matchOne(p, s.charAt(i)) : -1;
      if (next >= 0) {
        p = next;
        i++;
      } else if (starP >= 0) {
        p = starP;
        i = ++starI;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }

  /** If the pattern element at {@code p} matches {@code c}: the index after the element; else -1. */
  private int matchOne(int p, char c) {
    char pc = pattern.charAt(p);
    if (pc == '?') {
      return p + 1;
    }
    if (pc == '\\' && p + 1 < pattern.length()) {
      return pattern.charAt(p + 1) == c ? p + 2 : -1;
    }
    if (pc != '[') {
      return pc == c ? p + 1 : -1;
    }
    int q = p + 1;
    boolean negate = q < pattern.length() && pattern.charAt(q) == '^';
    if (negate) {
      q++;
    }
    boolean match = false;
    while (q < pattern.length() && pattern.charAt(q) != ']') {
      char start = pattern.charAt(q);
      if (start == '\\' && q + 1 < pattern.length()) {
        start = pattern.charAt(++q);
      }
      if (q + 2 < pattern.length() && pattern.charAt(q + 1) == '-' && pattern.charAt(q + 2) != ']') {
        char end = pattern.charAt(q + 2);
        char lo = start < end ? start : end;
        char hi = start < end ? end : start;
        match |= c >= lo && c <= hi;
        q += 3;
      } else {
        match |= start == c;
        q++;
      }
    }
    // An unterminated class ends at the end of the pattern, as in Redis.
    int after = q < pattern.length() ? q + 1 : q;
    return match != negate ? after : -1;
  }
}
