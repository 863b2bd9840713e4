package dev.kvactors.server;

import static dev.kvactors.server.Session.done;

import dev.kvactors.KeyValueStore;
import dev.kvactors.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.pattern.StatusReply;

/**
 * MULTI, EXEC, DISCARD, WATCH, UNWATCH as Redis 7.0 has them. Between MULTI and EXEC the
 * dispatcher ({@link CommandHandler}) queues each {@link StoreCommand} (+QUEUED); EXEC sends the
 * operations of every queued command as one store {@code Transaction}: applied in order, all in one
 * log record, checked against the connection's WATCH; a command's run-time error is its slot of
 * EXEC's array, as in Redis (no rollback).
 */
final class TransactionCommands {
  static final Reply QUEUED = new Reply.Simple("QUEUED");

  private TransactionCommands() {}

  /** {@code MULTI} */
  record MultiCommand() implements RespCommand {
    static MultiCommand parse(List<byte[]> args) {
      return new MultiCommand();
    }

    @Override
    public CompletionStage<Reply> apply(Session session) {
      if (session.multi().open()) {
        return done(Reply.err("MULTI calls can not be nested"));
      }
      session.multi().begin();
      return done(Reply.OK);
    }
  }

  /** {@code DISCARD} */
  record Discard() implements RespCommand {
    static Discard parse(List<byte[]> args) {
      return new Discard();
    }

    @Override
    public CompletionStage<Reply> apply(Session session) {
      if (!session.multi().open()) {
        return done(Reply.err("DISCARD without MULTI"));
      }
      session.multi().end();
      return unwatch(session).thenApply(d -> Reply.OK);
    }
  }

  /** {@code EXEC} */
  record Exec() implements RespCommand {
    static Exec parse(List<byte[]> args) {
      return new Exec();
    }

    @Override
    public CompletionStage<Reply> apply(Session session) {
      Multi multi = session.multi();
      if (!multi.open()) {
        return done(Reply.err("EXEC without MULTI"));
      }
      boolean failed = multi.failed();
      List<StoreCommand> commands = multi.end();
      if (failed) {
        return unwatch(session).thenApply(d -> Reply.error("EXECABORT Transaction discarded because of previous errors."));
      }
      List<Op<?>> ops = new ArrayList<>();
      for (StoreCommand command : commands) {
        ops.addAll(command.ops());
      }
      KeyValueStore.Watcher watcher = multi.watching() ? multi.watcher() : null;
      multi.unwatched(); // the store forgets the watcher's keys with this transaction
      if (ops.isEmpty() && watcher == null) {
        return done(new Reply.Multi(commands.stream().map(c -> c.reply(List.of())).toList()));
      }
      return session.transaction(ops, watcher).thenApply(executed -> {
        if (executed.aborted()) {
          return new Reply.NullArray();
        }
        List<Reply> replies = new ArrayList<>(commands.size());
        int next = 0;
        for (StoreCommand command : commands) {
          int n = command.ops().size();
          replies.add(reply(session, command, executed.results().subList(next, next + n)));
          next += n;
        }
        return new Reply.Multi(replies);
      });
    }

    /** A queued command's reply: its first failed operation's error, else its own reply. */
    private static Reply reply(Session session, StoreCommand command, List<StatusReply<?>> results) {
      List<Object> values = new ArrayList<>(results.size());
      for (StatusReply<?> result : results) {
        if (result.isError()) {
          return CommandHandler.errorReply(result.getError(), session.timeout());
        }
        values.add(result.getValue());
      }
      return command.reply(values);
    }
  }

  /** {@code WATCH key...} */
  record Watch(List<String> keys) implements RespCommand {
    static Watch parse(List<byte[]> args) {
      return new Watch(Args.keys(args, 1, 1));
    }

    @Override
    public CompletionStage<Reply> apply(Session session) {
      if (session.multi().open()) {
        return done(Reply.err("WATCH inside MULTI is not allowed"));
      }
      KeyValueStore.Watcher watcher = session.multi().watch();
      return session.<KeyValueStore.Done>ask(r -> new KeyValueStore.Watch(watcher, keys, r)).thenApply(d -> Reply.OK);
    }
  }

  /** {@code UNWATCH} */
  record Unwatch() implements RespCommand {
    static Unwatch parse(List<byte[]> args) {
      return new Unwatch();
    }

    @Override
    public CompletionStage<Reply> apply(Session session) {
      return unwatch(session).thenApply(d -> Reply.OK);
    }
  }

  /**
   * Redis's {@code execCommandAbort}, for an EXEC refused before it runs (wrong arity): the
   * transaction, if any, is discarded, the keys unwatched, and the reply says why.
   */
  static CompletionStage<Reply> abort(Session session, String reason) {
    if (session.multi().open()) {
      session.multi().end();
    }
    return unwatch(session).thenApply(d -> Reply.error("EXECABORT Transaction discarded because of: " + reason));
  }

  private static CompletionStage<Object> unwatch(Session session) {
    Multi multi = session.multi();
    if (!multi.watching()) {
      return done(null).thenApply(r -> null);
    }
    multi.unwatched();
    KeyValueStore.Watcher watcher = multi.watcher();
    return session.<KeyValueStore.Done>ask(r -> new KeyValueStore.Unwatch(watcher, r)).thenApply(d -> null);
  }
}
