package dev.kvactors.server;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs failed AUTH attempts of one server at WARN with the client's address, at most one line per
 * {@code kv.server.auth-failure-log-interval}; a line says how many failures were not logged since
 * the previous one. Thread-safe.
 */
final class AuthFailureLog {
  private static final Logger log = LoggerFactory.getLogger(AuthFailureLog.class);

  private final long intervalNanos;
  private long lastLogged;
  private boolean loggedAny;
  private long suppressed;

  private final LongSupplier nanoClock;

  AuthFailureLog(Duration interval) {
    this(interval, System::nanoTime);
  }

  AuthFailureLog(Duration interval, LongSupplier nanoClock) {
    this.intervalNanos = requireNonNull(interval, "interval is null").toNanos();
    this.nanoClock = requireNonNull(nanoClock, "nanoClock is null");
  }

  void failed(InetSocketAddress client) {
    long now = nanoClock.getAsLong();
    long notLogged;
    synchronized (this) {
      if (loggedAny && now - lastLogged < intervalNanos) {
        suppressed++;
        return;
      }
      notLogged = suppressed;
      suppressed = 0;
      lastLogged = now;
      loggedAny = true;
    }
    if (notLogged == 0) {
      log.warn("Failed AUTH from {}: wrong password", client);
    } else {
      log.warn("Failed AUTH from {}: wrong password ({} more failed attempts from any client since the last such "
          + "line, not logged)", client, notLogged);
    }
  }
}
