package dev.kvactors.server;

import dev.kvactors.KvSettings;
import dev.kvactors.Router;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;

/** What a connection's commands need from the server: the store's router and what INFO and CONFIG report. */
interface ServerContext {

  ActorRef<Router.Command> router();

  /** A new way to the store for one connection: its own reply-to, its requests batched per TCP read. */
  StoreRequests storeRequests();

  Scheduler scheduler();

  /** Where KEYS and SCAN match and page, off the store's thread ({@code kv.listing-dispatcher}). */
  Executor listing();

  KvSettings kvSettings();

  ServerSettings settings();

  ServerStats stats();

  /** The port the server listens on. */
  int port();

  /** This run's random id. */
  String runId();

  /** The sections INFO adds to its own (cluster mode's {@code cluster}). */
  default java.util.List<InfoSection> infoSections() {
    return java.util.List.of();
  }
}
