package dev.kvactors;

import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * The store's router, reachable from any code that holds the {@link ActorSystem}: the first call
 * of {@link #get} spawns the router (settings from the system's {@code kv} configuration), later
 * calls return the same one.
 */
public final class KvExtension implements Extension {
  private final ActorRef<Router.Command> router;
  private final KvSettings settings;

  private KvExtension(ActorSystem<?> system) {
    this.settings = KvSettings.create(system.settings().config());
    this.router = system.systemActorOf(Router.create(settings), "kv-router", Props.empty());
    // On shutdown (ActorSystem.terminate, SIGTERM, Ctrl-C) everything acknowledged reaches the disk
    // before the actors stop, in async mode too.
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "kv-sync", () ->
        AskPattern.<Router.Command, KeyValueStore.Synced>askWithStatus(router,
                replyTo -> new Router.KeyValue(new KeyValueStore.Sync(replyTo)),
                settings.requestTimeout(), system.scheduler())
            .handle((synced, error) -> Done.getInstance()));
  }

  public static KvExtension get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  public ActorRef<Router.Command> router() {
    return router;
  }

  public KvSettings settings() {
    return settings;
  }

  /** Pekko's handle for the extension. */
  public static final class Id extends ExtensionId<KvExtension> {
    static final Id INSTANCE = new Id();

    private Id() {}

    @Override
    public KvExtension createExtension(ActorSystem<?> system) {
      return new KvExtension(system);
    }
  }
}
