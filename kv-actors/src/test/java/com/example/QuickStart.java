package com.example;

import com.typesafe.config.Config;
import dev.kvactors.KvException;
import dev.kvactors.KvStore;
import java.util.Optional;

/** The README's quick-start lines (between the markers), run by EmbeddingExampleTest. */
public final class QuickStart {
  private QuickStart() {}

  /** Stores and reads a greeting; returns what was read, or empty after printing the error. */
  public static Optional<String> run(Config config) {
    Optional<String> greeting = Optional.empty();
    // quick start {
    try (KvStore store = KvStore.open(config)) {                  // recovers the data directory
      store.blocking().set("greeting", "hello");                 // returns once acknowledged
      greeting = store.blocking().getString("greeting");         // Optional[hello]
    } catch (KvException e) {                                     // one line for a user, e.g. locked
      System.err.println("kv: " + e.getMessage());
    }
    // }
    return greeting;
  }
}
