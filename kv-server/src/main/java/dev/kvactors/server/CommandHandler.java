package dev.kvactors.server;

import static java.util.Objects.requireNonNull;

import dev.kvactors.KvException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.pattern.StatusReply;

/**
 * The dispatcher of one connection: looks each {@link RespFrame} up in the {@link CommandTable},
 * checks its arity, parses it into a {@link RespCommand} and applies that to the connection's
 * {@link Session}. {@link #handleRead} takes the commands of one TCP read as one unit: it runs them
 * in order (their {@code Get}, {@code Set} and {@code Delete} requests go to the store as one batch)
 * and completes once all are answered, with their replies in order. Reads are run one after the
 * other, never two at once, so the connection's state needs no locking, and the store sees one
 * connection's writes and reads in the order they were sent. An AUTH or HELLO waits for the
 * connection's previous one ({@link AuthGate}), and the commands after it wait with it.
 */
final class CommandHandler {

  /**
   * The replies to the commands of one read, in order, each with its request (for its input bytes);
   * {@code close}: the connection closes after the last one (QUIT, a protocol error), and the
   * commands read after that one are not run.
   */
  record Answers(List<RespParser.Sized> requests, List<Reply> replies, boolean close) {}

  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  private final Session session;
  private final ServerStats stats;
  private final AuthGate auth;
  /** Done when every command read so far has been run (sent to the store); not when answered. */
  private CompletableFuture<Void> dispatched = CompletableFuture.completedFuture(null);

  CommandHandler(ServerContext server, long clientId, AuthGate auth) {
    requireNonNull(server, "server is null");
    this.session = new Session(server, clientId);
    this.stats = server.stats();
    this.auth = requireNonNull(auth, "auth is null");
  }

  /** Whether the client has yet to authenticate: Redis's tighter request limits apply ({@link RespParser#limitWhile}). */
  boolean unauthenticated() {
    return !session.authenticated();
  }

  /** The connection ended. */
  void close() {
    session.forgetWatches();
    session.disconnected();
  }

  /**
   * Runs the commands of one read, in order, after those of the reads before. Called by one stream
   * stage, one read at a time.
   *
   * @return their replies, once every one is answered
   */
  CompletionStage<Answers> handleRead(List<RespParser.Sized> frames) {
    Read read = new Read(frames);
    dispatched = dispatched.isDone() ? run(read, 0) : dispatched.thenCompose(v -> run(read, 0));
    return read.answered;
  }

  /** Runs the commands of {@code read} from {@code from} on; done once all are sent. */
  private CompletableFuture<Void> run(Read read, int from) {
    try {
      return runFrom(read, from);
    } catch (RuntimeException e) {
      read.answered.completeExceptionally(e); // the stream fails with it; nothing waits for this read forever
      return CompletableFuture.failedFuture(e);
    }
  }

  private CompletableFuture<Void> runFrom(Read read, int from) {
    List<RespParser.Sized> frames = read.requests;
    for (int i = from; i < frames.size() && !session.closing(); i++) {
      RespFrame frame = frames.get(i).frame();
      if (AuthGate.isAuth(frame)) {
        CompletableFuture<?> turn = auth.turn();
        if (!turn.isDone()) {
          session.flush();
          int at = i;
          return turn.handle((v, e) -> null).thenCompose(v -> run(read, at));
        }
        read.add(auth.replied(answer(frame)), session.closing());
      } else {
        read.add(answer(frame), session.closing());
      }
    }
    session.flush();
    read.allSent();
    return DONE;
  }

  private CompletionStage<Reply> answer(RespFrame frame) {
    if (frame instanceof RespFrame.Malformed malformed) {
      session.close();
      stats.protocolError();
      return Session.done(Reply.err("Protocol error: " + malformed.reason()));
    }
    List<byte[]> args = ((RespFrame.Command) frame).args();
    stats.commandProcessed();
    try {
      return dispatch(args);
    } catch (Args.Invalid e) {
      return Session.done(e.reply);
    }
  }

  /** In Redis's order: unknown command or subcommand, then arity, then authentication. */
  private CompletionStage<Reply> dispatch(List<byte[]> args) {
    Optional<CommandTable.Spec> found = CommandTable.find(Args.option(args.get(0)));
    if (found.isEmpty()) {
      return rejected(Args.unknownCommand(args));
    }
    CommandTable.Spec spec = found.get();
    if (!spec.subcommands().isEmpty() && args.size() >= 2) {
      CommandTable.Spec sub = spec.subcommands().get(Args.option(args.get(1)));
      if (sub == null) {
        return rejected(Args.unknownSubcommand(args));
      }
      if (!sub.arityAccepts(args.size())) {
        stats.commands().rejected(sub.fullName());
        return rejected(Args.wrongArity(sub.fullName()));
      }
      return run(spec, sub.fullName(), args);
    }
    if (!spec.arityAccepts(args.size())) {
      stats.commands().rejected(spec.fullName());
      if (spec.name().equals("EXEC")) { // as Redis's rejectCommandSds: in MULTI or not
        return TransactionCommands.abort(session, "wrong number of arguments for 'exec' command");
      }
      return rejected(Args.wrongArity(spec.fullName()));
    }
    return run(spec, spec.fullName(), args);
  }

  private CompletionStage<Reply> run(CommandTable.Spec spec, String statsName, List<byte[]> args) {
    if (!session.authenticated() && !spec.beforeAuth()) {
      stats.commands().rejected(statsName);
      return rejected(Reply.error("NOAUTH Authentication required."));
    }
    if (session.multi().open() && !RUN_IN_MULTI.contains(spec.name())) {
      return queue(spec, args);
    }
    long start = System.nanoTime();
    CompletionStage<Reply> reply;
    try {
      reply = spec.parse().apply(args).apply(session);
    } catch (Args.Invalid e) {
      stats.commands().ran(statsName, System.nanoTime() - start, true);
      throw e;
    }
    return reply.whenComplete((r, error) -> stats.commands().ran(statsName, System.nanoTime() - start,
        error != null || r instanceof Reply.Error));
  }

  /** Commands run at once between MULTI and EXEC, as in Redis; every other one is queued. */
  private static final java.util.Set<String> RUN_IN_MULTI = java.util.Set.of("EXEC", "DISCARD", "MULTI", "WATCH",
      "QUIT");

  /** A command refused before it ran: inside MULTI, it makes EXEC answer EXECABORT (Redis's rejectCommand). */
  private CompletionStage<Reply> rejected(Reply error) {
    if (session.multi().open()) {
      session.multi().fail();
    }
    return Session.done(error);
  }

  /**
   * Queues a command between MULTI and EXEC: +QUEUED. An argument error is found now but, as in
   * Redis (where the command's own code finds it), answered in its slot of EXEC's array. A command
   * that is not a {@link StoreCommand} (KEYS, SCAN, FLUSHDB, INFO, ...) cannot be part of a store
   * transaction: it is refused now, and EXEC answers EXECABORT, so nothing of the transaction runs.
   */
  private CompletionStage<Reply> queue(CommandTable.Spec spec, List<byte[]> args) {
    RespCommand command;
    try {
      command = spec.parse().apply(args);
    } catch (Args.Invalid e) {
      session.multi().queue(new StoreCommand.Constant(e.reply));
      return Session.done(TransactionCommands.QUEUED);
    }
    if (!(command instanceof StoreCommand store)) {
      return rejected(Reply.err("'" + spec.fullName() + "' inside MULTI is not supported by kv serve; "
          + "the transaction will be discarded"));
    }
    session.multi().queue(store);
    return Session.done(TransactionCommands.QUEUED);
  }

  /** The commands of one read run so far and their replies; completes {@code answered} once all are in. */
  private final class Read {
    final List<RespParser.Sized> requests;
    final List<CompletableFuture<Reply>> replies;
    final CompletableFuture<Answers> answered = new CompletableFuture<>();
    /** Replies not yet in, plus one until every command is sent. */
    final AtomicInteger pending = new AtomicInteger(1);
    boolean close;

    Read(List<RespParser.Sized> requests) {
      this.requests = requests;
      this.replies = new ArrayList<>(requests.size());
    }

    void add(CompletionStage<Reply> reply, boolean closeAfter) {
      CompletableFuture<Reply> future = reply.toCompletableFuture();
      replies.add(future);
      close = closeAfter;
      if (!future.isDone()) {
        pending.incrementAndGet();
        future.whenComplete((r, e) -> arrived());
      }
    }

    void allSent() {
      arrived();
    }

    private void arrived() {
      if (pending.decrementAndGet() == 0) {
        Duration timeout = session.timeout();
        List<Reply> out = new ArrayList<>(replies.size());
        for (CompletableFuture<Reply> reply : replies) {
          out.add(reply.handle((r, error) -> error == null ? r : errorReply(error, timeout)).join());
        }
        answered.complete(new Answers(requests.subList(0, out.size()), out, close));
      }
    }
  }

  static Reply errorReply(Throwable error, Duration timeout) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof Args.Invalid invalid) {
      return invalid.reply;
    }
    if (t instanceof KvException.CrossSlot) {
      return Reply.error("CROSSSLOT " + t.getMessage()); // Redis Cluster's code, not ERR
    }
    if (t instanceof KvException && t.getMessage() != null) {
      return Reply.err(t.getMessage());
    }
    if (t instanceof TimeoutException) {
      return Reply.err("no answer from the store within " + timeout.toMillis()
          + " ms (it may be resetting or overloaded); retry");
    }
    if (t instanceof StatusReply.ErrorMessage) {
      return Reply.err(t.getMessage());
    }
    return Reply.err("internal error: " + t);
  }
}
