package com.example;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.kvactors.KvException;
import dev.kvactors.KvStore;

/** The same from plain code, blocking: each call returns the answer or throws a KvException. */
public final class GreeterScript {
  public static int run(Config config) {
    try (KvStore store = KvStore.open(config)) { // returns once the data directory is recovered
      KvStore.Blocking kv = store.blocking();     // each call waits at most kv.request-timeout
      kv.set("greeting", "hello");
      System.out.println(kv.getString("greeting").orElse("(no greeting)"));
      System.out.println("keys: " + kv.keys("greet"));
      System.out.println("deleted: " + kv.delete("greeting"));
      return 0;
    } catch (KvException.DataDirLocked e) {       // another process holds the data directory
      System.err.println("kv: " + e.getMessage() + "; is another copy running?");
      return 2;
    } catch (KvException e) {                     // e.isRetryable(): Unavailable, try again later
      System.err.println("kv: " + e.getMessage());
      return 1;
    }
  }

  public static void main(String[] args) {
    System.exit(run(ConfigFactory.load()));
  }
}
