package dev.kvactors.cluster;

/**
 * Marks a message, event or snapshot that crosses nodes or goes to the journal: bound to Pekko's
 * {@code jackson-cbor} serializer in kv-cluster's {@code reference.conf}.
 */
public interface CborSerializable {}
