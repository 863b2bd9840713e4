package dev.kvactors.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class GlobTest {
  @Test
  void matchesLikeRedis() {
    assertTrue(new Glob("*").matches(""));
    assertTrue(new Glob("user:*").matches("user:1"));
    assertFalse(new Glob("user:*").matches("users"));
    assertTrue(new Glob("h?llo").matches("hallo"));
    assertTrue(new Glob("h[ae]llo").matches("hello"));
    assertFalse(new Glob("h[^e]llo").matches("hello"));
    assertTrue(new Glob("h[a-b]llo").matches("hbllo"));
    assertTrue(new Glob("h[b-a]llo").matches("hallo"));
    assertTrue(new Glob("*a*b*c").matches("xxaxxbxxc"));
    assertFalse(new Glob("*a*b*c").matches("xxaxxbxx"));
    assertTrue(new Glob("a\\*b").matches("a*b"));
    assertFalse(new Glob("a\\*b").matches("axb"));
    assertTrue(new Glob("a[\\]]b").matches("a]b"));
    assertTrue(new Glob("a[bc").matches("ac"), "an unterminated set ends at the end of the pattern");
    assertFalse(new Glob("a[]").matches("a]"));
    assertTrue(new Glob("a[^]").matches("ax"));
    assertTrue(new Glob("ab\\").matches("ab\\"));
    assertTrue(new Glob("**x**").matches("x"));
    assertFalse(new Glob("").matches("x"));
    assertTrue(new Glob("").matches(""));
  }

  @Test
  void answersAPathologicalPatternOverALongKeyInOnePass() {
    String key = "a".repeat(4000);
    assertFalse(new Glob("*" + "a".repeat(1500) + "b").matches(key));
    assertTrue(new Glob("*" + "a".repeat(1500)).matches(key));
    assertFalse(new Glob("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b").matches(key));
  }

  @Test
  void agreesWithABacktrackingMatcherOnRandomPatterns() {
    Random random = new Random(42);
    String patternChars = "ab*?[]^-\\c";
    for (int trial = 0; trial < 20_000; trial++) {
      StringBuilder p = new StringBuilder();
      for (int i = random.nextInt(8); i > 0; i--) {
        p.append(patternChars.charAt(random.nextInt(patternChars.length())));
      }
      StringBuilder s = new StringBuilder();
      for (int i = random.nextInt(8); i > 0; i--) {
        s.append("abc-]^\\*".charAt(random.nextInt(8)));
      }
      String pattern = p.toString();
      String string = s.toString();
      assertEquals(reference(pattern, 0, string, 0), new Glob(pattern).matches(string),
          "pattern '" + pattern + "' against '" + string + "'");
    }
  }

  /** Redis's stringmatchlen, recursive and exponential: the meaning, not the method. */
  private static boolean reference(String p, int pi, String s, int si) {
    while (pi < p.length()) {
      char c = p.charAt(pi);
      if (c == '*') {
        for (int k = si; k <= s.length(); k++) {
          if (reference(p, pi + 1, s, k)) {
            return true;
          }
        }
        return false;
      }
      if (si >= s.length()) {
        return false;
      }
      char x = s.charAt(si);
      if (c == '?') {
        pi++;
      } else if (c == '\\' && pi + 1 < p.length()) {
        if (p.charAt(pi + 1) != x) {
          return false;
        }
        pi += 2;
      } else if (c == '[') {
        int q = pi + 1;
        boolean negate = q < p.length() && p.charAt(q) == '^';
        if (negate) {
          q++;
        }
        boolean match = false;
        while (q < p.length() && p.charAt(q) != ']') {
          if (p.charAt(q) == '\\' && q + 1 < p.length()) {
            match |= p.charAt(q + 1) == x;
            q += 2;
          } else if (q + 2 < p.length() && p.charAt(q + 1) == '-' && p.charAt(q + 2) != ']') {
            char lo = (char) Math.min(p.charAt(q), p.charAt(q + 2));
            char hi = (char) Math.max(p.charAt(q), p.charAt(q + 2));
            match |= x >= lo && x <= hi;
            q += 3;
          } else {
            match |= p.charAt(q) == x;
            q++;
          }
        }
        if (match == negate) {
          return false;
        }
        pi = q < p.length() ? q + 1 : q;
      } else {
        if (c != x) {
          return false;
        }
        pi++;
      }
      si++;
    }
    return si == s.length();
  }
}
