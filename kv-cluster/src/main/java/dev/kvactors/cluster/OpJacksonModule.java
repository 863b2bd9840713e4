package dev.kvactors.cluster;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.kvactors.KeyValueStore;
import dev.kvactors.Op;

/**
 * Lets Pekko's Jackson serializers write and read the library's {@link Op}s and
 * {@link KeyValueStore.Expiry}s, which cross nodes inside a bucket's commands: kv-actors stays free
 * of Jackson, so the type names (the {@code "op"} and {@code "expiry"} properties) are laid over its
 * sealed interfaces here as mix-ins. The records themselves are read through their canonical
 * constructors, whose checks run as usual. Registered in kv-cluster's {@code reference.conf}
 * ({@code pekko.serialization.jackson.jackson-modules}).
 *
 * <p>The names are part of the wire format between nodes: never rename one. A new {@link Op} needs
 * its line here (the round-trip test fails until it has one).
 */
public final class OpJacksonModule extends SimpleModule {
  private static final long serialVersionUID = 1L;

  /** The module, as Pekko instantiates it from the configuration. */
  public OpJacksonModule() {
    super("kv-ops");
    setMixInAnnotation(Op.class, OpMixIn.class);
    setMixInAnnotation(KeyValueStore.Expiry.class, ExpiryMixIn.class);
  }

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "op")
  @JsonSubTypes({
      @JsonSubTypes.Type(value = Op.Get.class, name = "get"),
      @JsonSubTypes.Type(value = Op.Set.class, name = "set"),
      @JsonSubTypes.Type(value = Op.Delete.class, name = "delete"),
      @JsonSubTypes.Type(value = Op.Increment.class, name = "incr"),
      @JsonSubTypes.Type(value = Op.IncrementFloat.class, name = "incrfloat"),
      @JsonSubTypes.Type(value = Op.Append.class, name = "append"),
      @JsonSubTypes.Type(value = Op.SetRange.class, name = "setrange"),
      @JsonSubTypes.Type(value = Op.GetAndSet.class, name = "getset"),
      @JsonSubTypes.Type(value = Op.GetAndDelete.class, name = "getdel"),
      @JsonSubTypes.Type(value = Op.Rename.class, name = "rename"),
      @JsonSubTypes.Type(value = Op.Copy.class, name = "copy"),
      @JsonSubTypes.Type(value = Op.SetAll.class, name = "mset"),
      @JsonSubTypes.Type(value = Op.SetAllIfAbsent.class, name = "msetnx"),
      @JsonSubTypes.Type(value = Op.Expire.class, name = "expire"),
      @JsonSubTypes.Type(value = Op.Persist.class, name = "persist"),
      @JsonSubTypes.Type(value = Op.Ttl.class, name = "ttl")
  })
  abstract static class OpMixIn {}

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "expiry")
  @JsonSubTypes({
      @JsonSubTypes.Type(value = KeyValueStore.Expiry.None.class, name = "none"),
      @JsonSubTypes.Type(value = KeyValueStore.Expiry.Keep.class, name = "keep"),
      @JsonSubTypes.Type(value = KeyValueStore.Expiry.After.class, name = "after"),
      @JsonSubTypes.Type(value = KeyValueStore.Expiry.At.class, name = "at")
  })
  abstract static class ExpiryMixIn {}
}
