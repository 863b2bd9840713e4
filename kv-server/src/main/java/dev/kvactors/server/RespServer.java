package dev.kvactors.server;

import static java.util.Objects.requireNonNull;

import dev.kvactors.internal.Futures;
import dev.kvactors.Correlator;
import dev.kvactors.KvExtension;
import dev.kvactors.KvSettings;
import dev.kvactors.Router;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.io.Inet;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the store of an actor system (its {@link KvExtension} router) over RESP2 on Pekko Streams
 * TCP. Each connection is a stream of TCP reads: bytes, {@link RespParser} (all the commands of a read),
 * {@link CommandHandler} (runs them in order, their store requests go as one batch; up to
 * {@code pipelining-parallelism} reads in progress, replies in request order), {@link RespWriter}
 * (the replies of a read as one ByteString), bytes. While it listens it advertises itself in {@code DATA_DIR/kv.server}.
 *
 * <p>Memory: a connection reserves the bytes it reads from the server's {@link ClientMemory}
 * before it parses them, and gives them back as its replies are written ({@link ReleaseOnWrite});
 * without room its stream does not pull, so TCP stops reading from that client. A reply above
 * {@code kv.server.max-reply-bytes} is replaced by an error before it is encoded.
 *
 * <p>Stopping ({@link #stop}, which CoordinatedShutdown runs in phase {@code service-unbind}, so on
 * SIGTERM and Ctrl-C too): remove {@code kv.server}, unbind, stop reading from every connection,
 * answer the commands already read, close. The store's own shutdown task ({@code kv-sync}, in the
 * next phase) then syncs what was acknowledged.
 */
public final class RespServer {
  private static final Logger log = LoggerFactory.getLogger(RespServer.class);
  private static final long WRITE_BATCH_BYTES = 64 * 1024;

  private final ActorSystem<?> system;
  private final ActorRef<Router.Command> router;
  private final KvSettings kvSettings;
  private final ServerSettings settings;
  private final ServerStats stats = new ServerStats();
  private final ClientMemory memory;
  private final AuthFailureLog authFailures;
  private final String runId;
  private final SharedKillSwitch connections = KillSwitches.shared("kv-server-connections");
  private final Set<CompletionStage<Done>> open = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final CompletableFuture<Done> stopped = new CompletableFuture<>();
  private volatile Tcp.ServerBinding binding;
  private volatile ServerAdvertisement advertisement;
  private final ServerContext context;

  private final List<InfoSection> infoSections;

  private RespServer(ActorSystem<?> system, ServerSettings settings, ActorRef<Router.Command> router,
      KvSettings kvSettings, List<InfoSection> infoSections) {
    this.infoSections = List.copyOf(infoSections);
    this.system = requireNonNull(system, "system is null");
    this.settings = requireNonNull(settings, "settings is null");
    this.router = requireNonNull(router, "router is null");
    this.kvSettings = requireNonNull(kvSettings, "kvSettings is null");
    this.memory = new ClientMemory(settings.maxMemoryBytes(), settings.maxClientMemoryBytes());
    this.authFailures = new AuthFailureLog(settings.authFailureLogInterval());
    byte[] id = new byte[20];
    new SecureRandom().nextBytes(id);
    this.runId = HexFormat.of().formatHex(id);
    this.context = new Context(Futures.listing(system));
  }

  /** What the connections' commands see of the server. */
  private final class Context implements ServerContext {
    private final Executor listing;

    Context(Executor listing) {
      this.listing = listing;
    }

    @Override
    public ActorRef<Router.Command> router() {
      return router;
    }

    @Override
    public StoreRequests storeRequests() {
      Duration timeout = kvSettings.requestTimeout();
      return new StoreRequests(new Correlator(system, router, timeout), timeout, settings.pipeliningParallelism());
    }

    @Override
    public Scheduler scheduler() {
      return system.scheduler();
    }

    @Override
    public Executor listing() {
      return listing;
    }

    @Override
    public KvSettings kvSettings() {
      return kvSettings;
    }

    @Override
    public ServerSettings settings() {
      return settings;
    }

    @Override
    public ServerStats stats() {
      return stats;
    }

    @Override
    public int port() {
      return address().getPort();
    }

    @Override
    public String runId() {
      return runId;
    }

    @Override
    public List<InfoSection> infoSections() {
      return infoSections;
    }
  }

  /**
   * Binds {@code settings.bind():settings.port()} (port 0: any free port) and serves the store of
   * {@code system}; completes once listening and advertised, or fails with the reason (e.g. the
   * address is in use).
   */
  public static CompletionStage<RespServer> start(ActorSystem<?> system, ServerSettings settings) {
    KvExtension kv = KvExtension.get(system);
    return start(system, settings, kv.router(), kv.settings(), List.of());
  }

  /**
   * As {@link #start(ActorSystem, ServerSettings)}, serving {@code router} instead of the
   * extension's: any actor taking the router's requests (cluster mode's router). {@code kvSettings}
   * gives the request timeout and the directory {@code kv.server} is advertised in; INFO adds
   * {@code infoSections} to its own.
   */
  public static CompletionStage<RespServer> start(ActorSystem<?> system, ServerSettings settings,
      ActorRef<Router.Command> router, KvSettings kvSettings, List<InfoSection> infoSections) {
    return new RespServer(system, settings, router, kvSettings, infoSections).bind();
  }

  private CompletionStage<RespServer> bind() {
    Optional<Duration> idle = settings.idleTimeout().isZero() ? Optional.empty() : Optional.of(settings.idleTimeout());
    return Tcp.get(system)
        .bind(settings.bind(), settings.port(), 128, List.<Inet.SocketOption>of(), false, idle)
        .to(Sink.foreach(this::accept))
        .run(system)
        .thenApply(bound -> {
          binding = bound;
          try {
            advertise(bound.localAddress());
          } catch (IOException e) {
            bound.unbind();
            throw new UncheckedIOException("cannot write " + ServerAdvertisement.file(kvSettings.dataDir()) + ": "
                + ServerAdvertisement.reason(e), e);
          }
          CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceUnbind(), "kv-server-stop",
              this::stop);
          log.info("Serving {} over RESP on {} (durability {})", kvSettings.dataDir(), bound.localAddress(),
              kvSettings.durability().configName());
          return this;
        });
  }

  private void advertise(InetSocketAddress address) throws IOException {
    InetAddress ip = address.getAddress();
    String host = !ip.isAnyLocalAddress() ? ip.getHostAddress() : ip instanceof Inet6Address ? "::1" : "127.0.0.1";
    ServerAdvertisement ad = new ServerAdvertisement(host, address.getPort(), ProcessHandle.current().pid(), runId);
    ad.writeTo(kvSettings.dataDir());
    advertisement = ad;
  }

  private void accept(Tcp.IncomingConnection connection) {
    long clientId = stats.connectionReceived();
    if (!stats.tryConnect(settings.maxConnections())) {
      log.warn("Refused a connection from {}: {} clients connected (kv.server.max-connections)",
          connection.remoteAddress(), settings.maxConnections());
      connection.handleWith(Flow.fromSinkAndSourceCoupled(Sink.<ByteString>ignore(),
          Source.single(RespWriter.encode(Reply.err("max number of clients reached")))), system);
      return;
    }
    InetSocketAddress remote = connection.remoteAddress();
    AuthGate auth = new AuthGate(authFailures, remote, settings.authFailureDelay(), system.scheduler(),
        system.executionContext());
    CommandHandler handler = new CommandHandler(context, clientId, auth);
    RespParser parser = new RespParser(settings);
    parser.limitWhile(handler::unauthenticated);
    ClientMemory.Account account = memory.open();
    // Built per connection: the parser, the handler and the account hold that connection's state.
    // One element per TCP read: its commands are parsed, run and answered together, and their
    // replies encoded as one ByteString.
    Flow<ByteString, ByteString, CompletionStage<Done>> flow = Flow.of(ByteString.class)
        .via(connections.<ByteString>flow())
        // Room for the bytes first, then parse them: while there is none the stream does not pull,
        // and TCP stops reading from the client.
        .mapAsync(1, chunk -> {
          CompletableFuture<Void> room = account.reserve(chunk.size(), parser.midRequest()).toCompletableFuture();
          return room.isDone() ? room.thenApply(v -> parse(parser, account, chunk))
              : room.thenApplyAsync(v -> parse(parser, account, chunk), system.executionContext());
        })
        .filter(frames -> !frames.isEmpty())
        .mapAsync(settings.pipeliningParallelism(), handler::handleRead)
        .takeWhile(answers -> !answers.close(), true)
        .map(answers -> encode(answers, account, remote))
        .batchWeighted(WRITE_BATCH_BYTES, bytes -> (long) bytes.size(), bytes -> bytes, ByteString::concat)
        .via(new ReleaseOnWrite(account))
        .watchTermination((notUsed, done) -> done);
    CompletionStage<Done> done = connection.handleWith(flow, system);
    open.add(done);
    done.whenComplete((ok, error) -> {
      handler.close();
      account.close();
      stats.disconnected();
      open.remove(done);
      if (error != null) {
        log.debug("Connection {} from {} ended: {}", clientId, connection.remoteAddress(), error.toString());
      }
    });
  }

  private static List<RespParser.Sized> parse(RespParser parser, ClientMemory.Account account, ByteString chunk) {
    List<RespParser.Sized> frames = parser.parseSized(chunk);
    if (!parser.midRequest()) {
      account.requestsComplete();
    }
    return frames;
  }

  /**
   * Encodes the replies of one read as one ByteString: gives back their requests' bytes and counts
   * the replies' instead. A reply above {@code kv.server.max-reply-bytes} is not encoded: the client
   * gets an error and a WARN is logged.
   */
  private ByteString encode(CommandHandler.Answers answers, ClientMemory.Account account, InetSocketAddress remote) {
    ByteStringBuilder out = new ByteStringBuilder();
    long requestBytes = 0;
    for (int i = 0; i < answers.replies().size(); i++) {
      RespParser.Sized request = answers.requests().get(i);
      requestBytes += request.bytes();
      Reply reply = answers.replies().get(i);
      if (RespWriter.encodedSize(reply, settings.maxReplyBytes()) > settings.maxReplyBytes()) {
        reply = refused(request.frame(), remote);
      }
      RespWriter.write(reply, out);
    }
    account.release(requestBytes);
    ByteString bytes = out.result();
    account.add(bytes.size());
    return bytes;
  }

  private Reply refused(RespFrame request, InetSocketAddress remote) {
    String command = "?";
    if (request instanceof RespFrame.Command c) {
      byte[] name = c.args().get(0);
      command = RespWriter.oneLine(new String(name, 0, Math.min(name.length, 32), StandardCharsets.UTF_8))
          + " with " + (c.args().size() - 1) + " arguments";
    }
    log.warn("Refused a reply of more than {} bytes (kv.server.max-reply-bytes) to {}: {}",
        settings.maxReplyBytes(), remote, command);
    return Reply.err("reply too large: more than " + settings.maxReplyBytes()
        + " bytes (kv.server.max-reply-bytes); ask for fewer or smaller values");
  }

  /**
   * Stops listening and closes every connection once the commands it has sent are answered.
   * Idempotent; the store keeps running.
   */
  public CompletionStage<Done> stop() {
    if (!stopping.compareAndSet(false, true)) {
      return stopped;
    }
    ServerAdvertisement ad = advertisement;
    if (ad != null) {
      try {
        ad.removeFrom(kvSettings.dataDir());
      } catch (IOException e) {
        log.warn("Cannot remove {}: {}", ServerAdvertisement.file(kvSettings.dataDir()), e.toString());
      }
    }
    Tcp.ServerBinding bound = binding;
    CompletionStage<?> unbound = bound == null ? CompletableFuture.completedFuture(null) : bound.unbind();
    unbound.handle((ok, error) -> {
      connections.shutdown();
      CompletableFuture<?>[] closing = open.stream()
          .map(c -> c.toCompletableFuture().handle((d, e) -> d))
          .toArray(CompletableFuture[]::new);
      log.info("Stopped listening on {}; closing {} connections", bound == null ? "-" : bound.localAddress(),
          closing.length);
      return CompletableFuture.allOf(closing);
    }).thenCompose(all -> all).whenComplete((ok, error) -> stopped.complete(Done.getInstance()));
    return stopped;
  }

  /** The address the server listens on. */
  public InetSocketAddress address() {
    Tcp.ServerBinding bound = binding;
    return bound == null ? new InetSocketAddress(settings.bind(), settings.port()) : bound.localAddress();
  }

  /** This run's random id, as in {@code INFO server} and {@code kv.server}. */
  public String runId() {
    return runId;
  }

  /** The counts INFO reports. */
  ServerStats stats() {
    return stats;
  }

  /** Bytes held now for clients' requests and replies. */
  long clientMemoryBytes() {
    return memory.held();
  }
}
