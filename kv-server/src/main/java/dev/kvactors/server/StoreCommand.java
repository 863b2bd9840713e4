package dev.kvactors.server;

import dev.kvactors.Op;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A command that is a list of store operations and a reply made from their results: it runs alone
 * (one {@code Execute}, or one atomic {@code Transaction} when it has several operations) or queued
 * between MULTI and EXEC, where the operations of every queued command form one transaction.
 */
interface StoreCommand extends RespCommand {

  /** The operations, in order; none for a command that needs no store (PING, ECHO). */
  List<Op<?>> ops();

  /** The reply, from the results of {@link #ops} in order (each succeeded). */
  Reply reply(List<Object> results);

  @Override
  default CompletionStage<Reply> apply(Session session) {
    return session.run(this);
  }

  /** A command whose reply is known without the store, such as an error found when it was queued. */
  record Constant(Reply answer) implements StoreCommand {
    @Override
    public List<Op<?>> ops() {
      return List.of();
    }

    @Override
    public Reply reply(List<Object> results) {
      return answer;
    }
  }
}
