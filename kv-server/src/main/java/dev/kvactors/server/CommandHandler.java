package dev.kvactors.server;

import static java.util.Objects.requireNonNull;

import dev.kvactors.KvException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.pattern.StatusReply;

/**
 * The dispatcher of one connection: looks each {@link RespFrame} up in the {@link CommandTable},
 * checks its arity, parses it into a {@link RespCommand} and applies that to the connection's
 * {@link Session}. {@link #handle} is called once per frame, in order, by one stream stage at a
 * time, so the connection's state needs no locking, and every request a command makes is sent to
 * the router before the next command is looked at: the store sees one connection's writes and
 * reads in the order they were sent.
 */
final class CommandHandler {

  /** The reply to one command, and whether the connection closes after it. */
  record Answer(Reply reply, boolean close) {}

  private static final CompletionStage<Answer> AFTER_CLOSE = CompletableFuture.completedFuture(
      new Answer(Reply.OK, true));

  private final Session session;
  private final ServerStats stats;

  CommandHandler(ServerContext server, long clientId) {
    requireNonNull(server, "server is null");
    this.session = new Session(server, clientId);
    this.stats = server.stats();
  }

  /** {@code n} more frames were read; each is handed to {@link #handle} in order. */
  void framesRead(int n) {
    session.framesRead(n);
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

  CompletionStage<Answer> handle(RespFrame frame) {
    try {
      return answer(frame);
    } finally {
      session.frameHandled();
    }
  }

  private CompletionStage<Answer> answer(RespFrame frame) {
    if (session.closing()) {
      return AFTER_CLOSE; // after QUIT or a protocol error nothing more is run; the stream ends before this
    }
    if (frame instanceof RespFrame.Malformed malformed) {
      session.close();
      stats.protocolError();
      return CompletableFuture.completedFuture(new Answer(Reply.err("Protocol error: " + malformed.reason()), true));
    }
    List<byte[]> args = ((RespFrame.Command) frame).args();
    stats.commandProcessed();
    CompletionStage<Reply> reply;
    try {
      reply = dispatch(args);
    } catch (Args.Invalid e) {
      reply = Session.done(e.reply);
    }
    boolean close = session.closing();
    Duration timeout = session.timeout();
    return reply.handle((r, error) -> new Answer(error == null ? r : errorReply(error, timeout), close));
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

  static Reply errorReply(Throwable error, Duration timeout) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof Args.Invalid invalid) {
      return invalid.reply;
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
