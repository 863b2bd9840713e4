package dev.kvactors;

import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * The store's router, reachable from any code that holds the {@link ActorSystem}: the first call
 * of {@link #get} spawns the router (settings from the system's {@code kv} configuration), later
 * calls return the same one. The requests of {@link KeyValueStore} are sent to {@link #router()}
 * as they are: {@code kv.tell(new KeyValueStore.Get("greeting", replyTo))}.
 *
 * <p>On shutdown of the actor system (and so on SIGTERM), everything acknowledged is forced to
 * the disk before the store stops, in {@code async} mode too.
 */
public final class KvExtension implements Extension {
  private final ActorRef<Router.Command> router;
  private final KvSettings settings;

  private KvExtension(ActorSystem<?> system) {
    this.settings = KvSettings.create(system.settings().config());
    this.router = system.systemActorOf(Router.create(settings), "kv-router",
        DispatcherSelector.fromConfig("kv.dispatcher"));
    // On shutdown (ActorSystem.terminate, SIGTERM, Ctrl-C) everything acknowledged reaches the disk
    // before the actors stop, in async mode too.
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "kv-sync", () ->
        AskPattern.askWithStatus(router, KeyValueStore.Sync::new, settings.requestTimeout(), system.scheduler())
            .handle((synced, error) -> Done.getInstance()));
  }

  /**
   * The extension of {@code system}; the first call spawns the router.
   *
   * @param system the application's actor system; its configuration's {@code kv} section holds the settings
   * @return the extension, the same on every call for one system
   */
  public static KvExtension get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  /**
   * The router, to which {@link KeyValueStore.Request}s are sent as they are.
   *
   * @return the router of this actor system's store
   */
  public ActorRef<Router.Command> router() {
    return router;
  }

  /**
   * The settings the store runs with, read from the system's configuration.
   *
   * @return the settings
   */
  public KvSettings settings() {
    return settings;
  }

  /** Pekko's handle for the extension. */
  public static final class Id extends ExtensionId<KvExtension> {
    static final Id INSTANCE = new Id();

    private Id() {}

    /**
     * Creates the extension for {@code system}; called by Pekko once per system.
     *
     * @param system the actor system
     * @return the extension
     */
    @Override
    public KvExtension createExtension(ActorSystem<?> system) {
      return new KvExtension(system);
    }
  }
}
