package dev.kvactors.server;

import java.util.concurrent.CompletionStage;

/**
 * One command, parsed from its arguments ({@code parse(args)} in {@link CommandTable}): runs
 * against the store and the connection's {@link Session}. Requests to the store are sent before
 * {@code apply} returns, so one connection's commands reach the store in the order they were sent.
 */
interface RespCommand {

  CompletionStage<Reply> apply(Session session);
}
