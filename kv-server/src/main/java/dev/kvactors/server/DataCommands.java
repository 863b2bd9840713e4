package dev.kvactors.server;

import static dev.kvactors.server.Args.ascii;
import static dev.kvactors.server.Args.option;
import static dev.kvactors.server.Session.all;
import static dev.kvactors.server.Session.done;

import dev.kvactors.KeySet;
import dev.kvactors.KeyValueStore;
import dev.kvactors.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** The commands on keys and values: each parses its arguments and makes one thin call per key to the store. */
final class DataCommands {
  private DataCommands() {}

  /** {@code GET key} */
  record Get(String key) implements StoreCommand {
    static Get parse(List<byte[]> args) {
      return new Get(Args.key(args, 1));
    }

    @Override
    public List<Op<?>> ops() {
      return List.of(new Op.Get(key));
    }

    @Override
    public Reply reply(List<Object> results) {
      return Reply.bulkOrNull(((KeyValueStore.Value) results.get(0)).value().orElse(null));
    }

    /** Alone, a plain Get joins the connection's batch. */
    @Override
    public CompletionStage<Reply> apply(Session session) {
      return session.<KeyValueStore.Value>ask(r -> new KeyValueStore.Get(key, r))
          .thenApply(v -> Reply.bulkOrNull(v.value().orElse(null)));
    }
  }

  /**
   * {@code SET key value [NX|XX] [GET] [EX s|PX ms|EXAT t|PXAT t|KEEPTTL]}, its options read as
   * Redis 7.0's {@code parseExtendedStringArgumentsOrReply} reads them (a repeated option is taken,
   * a conflicting one is a syntax error), then the time checked.
   */
  record Set(String key, byte[] value, KeyValueStore.Condition condition, KeyValueStore.Expiry expiry,
      boolean returnPrevious) implements StoreCommand {
    static Set parse(List<byte[]> args) {
      String key = Args.key(args, 1);
      byte[] value = args.get(2);
      boolean nx = false;
      boolean xx = false;
      boolean get = false;
      boolean keepTtl = false;
      String unit = null;
      byte[] time = null;
      for (int i = 3; i < args.size(); i++) {
        String option = option(args.get(i));
        boolean hasNext = i + 1 < args.size();
        if (option.equals("NX") && !xx) {
          nx = true;
        } else if (option.equals("XX") && !nx) {
          xx = true;
        } else if (option.equals("GET")) {
          get = true;
        } else if (option.equals("KEEPTTL") && unit == null) {
          keepTtl = true;
        } else if (List.of("EX", "PX", "EXAT", "PXAT").contains(option) && !keepTtl
            && (unit == null || unit.equals(option)) && hasNext) {
          unit = option;
          time = args.get(++i);
        } else {
          throw Args.syntaxError();
        }
      }
      KeyValueStore.Expiry expiry = keepTtl ? KeyValueStore.Expiry.KEEP : KeyValueStore.Expiry.NONE;
      if (unit != null) {
        expiry = ExpiryCommands.time(time, unit.equals("EX") || unit.equals("EXAT"), unit.endsWith("AT"), "set");
      }
      KeyValueStore.Condition condition = nx ? KeyValueStore.Condition.IF_ABSENT
          : xx ? KeyValueStore.Condition.IF_PRESENT : KeyValueStore.Condition.ALWAYS;
      return new Set(key, value, condition, expiry, get);
    }

    @Override
    public List<Op<?>> ops() {
      return List.of(new Op.Set(key, value, condition, expiry));
    }

    @Override
    public Reply reply(List<Object> results) {
      KeyValueStore.Stored s = (KeyValueStore.Stored) results.get(0);
      return returnPrevious ? Reply.bulkOrNull(s.previous().orElse(null)) : s.applied() ? Reply.OK : Reply.NULL_BULK;
    }

    /** Alone, a plain Set joins the connection's batch. */
    @Override
    public CompletionStage<Reply> apply(Session session) {
      CompletionStage<KeyValueStore.Stored> stored = session.ask(
          r -> new KeyValueStore.Set(key, value, condition, expiry, r));
      return stored.thenApply(s -> reply(List.of(s)));
    }
  }

  /** {@code DEL key...} and {@code UNLINK key...}: the number of keys that existed; atomic. */
  record Del(List<String> keys) implements StoreCommand {
    static Del parse(List<byte[]> args) {
      return new Del(Args.keys(args, 1, 1));
    }

    @Override
    public List<Op<?>> ops() {
      return keys.stream().<Op<?>>map(Op.Delete::new).toList();
    }

    @Override
    public Reply reply(List<Object> results) {
      return new Reply.Int(results.stream().filter(r -> ((KeyValueStore.Deleted) r).existed()).count());
    }
  }

  /** {@code EXISTS key...}: how many of them exist (a key named twice counts twice). */
  record Exists(List<String> keys) implements StoreCommand {
    static Exists parse(List<byte[]> args) {
      return new Exists(Args.keys(args, 1, 1));
    }

    @Override
    public List<Op<?>> ops() {
      return keys.stream().<Op<?>>map(Op.Get::new).toList();
    }

    @Override
    public Reply reply(List<Object> results) {
      return new Reply.Int(results.stream().filter(r -> ((KeyValueStore.Value) r).value().isPresent()).count());
    }

    /** Alone, plain Gets in the connection's batch, which the store takes one after another. */
    @Override
    public CompletionStage<Reply> apply(Session session) {
      return all(gets(session, keys)).thenApply(values -> reply(new ArrayList<>(values)));
    }
  }

  /** {@code MGET key...} */
  record MGet(List<String> keys) implements StoreCommand {
    static MGet parse(List<byte[]> args) {
      return new MGet(Args.keys(args, 1, 1));
    }

    @Override
    public List<Op<?>> ops() {
      return keys.stream().<Op<?>>map(Op.Get::new).toList();
    }

    @Override
    public Reply reply(List<Object> results) {
      return new Reply.Multi(results.stream()
          .map(v -> Reply.bulkOrNull(((KeyValueStore.Value) v).value().orElse(null))).toList());
    }

    /** Alone, plain Gets in the connection's batch, which the store takes one after another. */
    @Override
    public CompletionStage<Reply> apply(Session session) {
      return all(gets(session, keys)).thenApply(values -> reply(new ArrayList<>(values)));
    }
  }

  private static List<CompletionStage<KeyValueStore.Value>> gets(Session session, List<String> keys) {
    List<CompletionStage<KeyValueStore.Value>> gets = new ArrayList<>(keys.size());
    for (String key : keys) {
      gets.add(session.ask(r -> new KeyValueStore.Get(key, r)));
    }
    return gets;
  }

  /** {@code MSET key value...}: atomic, one transaction (one log record); each key's deadline is cleared. */
  record MSet(List<String> keys, List<byte[]> values) implements StoreCommand {
    static MSet parse(List<byte[]> args) {
      if (args.size() % 2 == 0) {
        throw Args.wrongArity(args);
      }
      List<String> keys = Args.keys(args, 1, 2);
      List<byte[]> values = new ArrayList<>(keys.size());
      for (int i = 0; i < keys.size(); i++) {
        values.add(args.get(2 + 2 * i));
      }
      return new MSet(keys, values);
    }

    @Override
    public List<Op<?>> ops() {
      List<Op<?>> ops = new ArrayList<>(keys.size());
      for (int i = 0; i < keys.size(); i++) {
        ops.add(new Op.Set(keys.get(i), values.get(i), KeyValueStore.Condition.ALWAYS, KeyValueStore.Expiry.NONE));
      }
      return ops;
    }

    @Override
    public Reply reply(List<Object> results) {
      return Reply.OK;
    }
  }

  /**
   * {@code KEYS pattern}: the store hands out its immutable key set in O(1); the match over every
   * key runs on {@code kv.listing-dispatcher}, never on the store's thread. Keys come in scan order.
   */
  record Keys(Glob glob) implements RespCommand {
    static Keys parse(List<byte[]> args) {
      return new Keys(Args.pattern(args.get(1)));
    }

    @Override
    public CompletionStage<Reply> apply(Session session) {
      return session.keySet().thenApplyAsync(keys -> {
        List<Reply> found = new ArrayList<>();
        for (String key : keys) {
          if (glob.matches(key)) {
            found.add(Reply.bulk(key));
          }
        }
        return new Reply.Multi(found);
      }, session.server().listing());
    }
  }

  /**
   * {@code SCAN cursor [MATCH pattern] [COUNT n] [TYPE string]}. Keys are visited in the order of a
   * 62-bit hash of the key ({@link KeySet#scanHash}); the cursor is the hash to go on from, so a key
   * present during the whole scan is returned exactly once, whatever is added or removed meanwhile,
   * and cursor 0 ends the scan. As in Redis, a step looks at about COUNT keys (default 10) and
   * returns those that match, possibly none; each step costs O(log n + COUNT), off the store's
   * thread.
   */
  record Scan(long cursor, Glob glob, int count, boolean strings) implements RespCommand {
    static Scan parse(List<byte[]> args) {
      long cursor = Args.cursor(args.get(1));
      Glob glob = null;
      long count = 10;
      boolean strings = true;
      for (int i = 2; i < args.size(); i += 2) {
        if (i + 1 >= args.size()) {
          throw Args.syntaxError();
        }
        switch (option(args.get(i))) {
          case "MATCH" -> glob = Args.pattern(args.get(i + 1));
          case "COUNT" -> {
            count = Args.integer(args.get(i + 1));
            if (count < 1) {
              throw Args.syntaxError();
            }
          }
          case "TYPE" -> strings = ascii(args.get(i + 1)).equalsIgnoreCase("string");
          default -> throw Args.syntaxError();
        }
      }
      return new Scan(cursor, glob, (int) Math.min(count, Integer.MAX_VALUE), strings);
    }

    @Override
    public CompletionStage<Reply> apply(Session session) {
      if (!strings) {
        return done(new Reply.Multi(List.of(Reply.bulk("0"), Reply.EMPTY_ARRAY)));
      }
      return session.keySet().thenApplyAsync(keys -> {
        KeySet.Page page = keys.scan(cursor, count, glob == null ? key -> true : glob::matches);
        return new Reply.Multi(List.of(Reply.bulk(Long.toUnsignedString(page.next())),
            new Reply.Multi(page.keys().stream().map(Reply::bulk).toList())));
      }, session.server().listing());
    }
  }

  /**
   * {@code RANDOMKEY}: a key at a random point of the key set's scan order (the first at or after a
   * random 62-bit hash, wrapping round), found off the store's thread; nil when there is none.
   */
  record RandomKey() implements RespCommand {
    static RandomKey parse(List<byte[]> args) {
      return new RandomKey();
    }

    @Override
    public CompletionStage<Reply> apply(Session session) {
      long start = java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 2;
      return session.keySet().thenApplyAsync(keys -> {
        for (long cursor : new long[] {start, 0}) {
          do {
            KeySet.Page page = keys.scan(cursor, 16, key -> true);
            if (!page.keys().isEmpty()) {
              return Reply.bulk(page.keys().get(0));
            }
            cursor = page.next();
          } while (cursor != 0);
        }
        return Reply.NULL_BULK;
      }, session.server().listing());
    }
  }

  /** {@code DBSIZE}: O(1) on the store's key set. */
  record DbSize() implements RespCommand {
    static DbSize parse(List<byte[]> args) {
      return new DbSize();
    }

    @Override
    public CompletionStage<Reply> apply(Session session) {
      return session.keySet().thenApply(keys -> new Reply.Int(keys.size()));
    }
  }

  /**
   * {@code FLUSHDB [ASYNC|SYNC]} and {@code FLUSHALL [ASYNC|SYNC]} (the server has one database):
   * OK once the clear is acknowledged. ASYNC runs as SYNC: the reply always follows the clear, and
   * commands sent after it never see a key from before.
   */
  record Flush() implements RespCommand {
    static Flush parse(List<byte[]> args) {
      if (args.size() > 2 || (args.size() == 2 && !List.of("ASYNC", "SYNC").contains(option(args.get(1))))) {
        throw Args.syntaxError(); // Redis 7.0's reply to any other argument or to more than one
      }
      return new Flush();
    }

    @Override
    public CompletionStage<Reply> apply(Session session) {
      return session.<KeyValueStore.Cleared>ask(KeyValueStore.Clear::new).thenApply(cleared -> Reply.OK);
    }
  }
}
