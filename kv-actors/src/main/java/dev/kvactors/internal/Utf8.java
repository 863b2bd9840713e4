package dev.kvactors.internal;

/** UTF-8 length of a string without encoding it. */
public final class Utf8 {
  private Utf8() {}

  /** The number of bytes {@code s} takes in UTF-8, or -1 if it holds an unpaired surrogate. */
  public static int length(String s) {
    int bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return -1;
        }
        bytes += 4;
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return -1;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }
}
