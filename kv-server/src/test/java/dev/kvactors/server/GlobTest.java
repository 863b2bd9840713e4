package dev.kvactors.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    assertTrue(new Glob("*a*b*c").matches("xxaxxbxxc"));
    assertFalse(new Glob("*a*b*c").matches("xxaxxbxx"));
    assertTrue(new Glob("a\\*b").matches("a*b"));
    assertFalse(new Glob("a\\*b").matches("axb"));
  }

  @Test
  void literalPrefixStopsAtTheFirstWildcard() {
    assertEquals("user:", new Glob("user:*").literalPrefix());
    assertEquals("a*b", new Glob("a\\*b?").literalPrefix());
    assertEquals("", new Glob("[ab]*").literalPrefix());
  }
}
