/**
 * Internal, not API: the store's file writer, its heartbeat supervision and the helpers the
 * library's own modules share (kv-server, kv-cli and kv-bench use some of them). Anything here may
 * change or go away in any release, and the library's Javadoc leaves it out; applications use the
 * package {@code dev.kvactors}.
 */
package dev.kvactors.internal;
