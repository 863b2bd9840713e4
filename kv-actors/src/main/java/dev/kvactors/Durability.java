package dev.kvactors;

import java.util.Locale;

/** When a {@code set} or {@code delete} is acknowledged to its caller. */
public enum Durability {
  /** After the record has been forced to the storage device. Survives a power cut. */
  FSYNC,
  /** After the record has been written to the operating system. Survives a process kill. */
  FLUSH,
  /** At once; the record is written shortly after. The last writes may be lost on a kill. */
  ASYNC;

  /**
   * The mode named {@code text} ({@code fsync}, {@code flush} or {@code async}, in any case).
   *
   * @param text the name, as in {@code kv.durability}
   * @return the mode
   * @throws IllegalArgumentException if {@code text} names no mode
   */
  public static Durability parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "kv.durability must be one of fsync, flush, async; was '" + text + "'", e);
    }
  }

  /**
   * The mode's name as written in the configuration.
   *
   * @return {@code fsync}, {@code flush} or {@code async}
   */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
