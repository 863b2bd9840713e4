package dev.kvactors.server;

import static dev.kvactors.server.Args.ascii;
import static dev.kvactors.server.Args.option;
import static dev.kvactors.server.Session.all;
import static dev.kvactors.server.Session.done;

import dev.kvactors.KeySet;
import dev.kvactors.KeyValueStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** The commands on keys and values: each parses its arguments and makes one thin call per key to the store. */
final class DataCommands {
  private DataCommands() {}

  /** {@code GET key} */
  record Get(String key) implements RespCommand {
    static Get parse(List<byte[]> args) {
      return new Get(Args.key(args, 1));
    }

    @Override
    public CompletionStage<Reply> apply(Session session) {
      return session.<KeyValueStore.Value>ask(r -> new KeyValueStore.Get(key, r))
          .thenApply(v -> Reply.bulkOrNull(v.value().orElse(null)));
    }
  }

  /** {@code SET key value [NX|XX] [GET]}; expiry options are refused (keys do not expire). */
  record Set(String key, byte[] value, KeyValueStore.Condition condition, boolean returnPrevious)
      implements RespCommand {
    static Set parse(List<byte[]> args) {
      String key = Args.key(args, 1);
      byte[] value = args.get(2);
      KeyValueStore.Condition condition = KeyValueStore.Condition.ALWAYS;
      boolean returnPrevious = false;
      for (int i = 3; i < args.size(); i++) {
        String option = option(args.get(i));
        switch (option) {
          case "NX", "XX" -> {
            if (condition != KeyValueStore.Condition.ALWAYS) {
              throw Args.syntaxError();
            }
            condition = option.equals("NX") ? KeyValueStore.Condition.IF_ABSENT : KeyValueStore.Condition.IF_PRESENT;
          }
          case "GET" -> returnPrevious = true;
          case "EX", "PX", "EXAT", "PXAT", "KEEPTTL" -> throw Args.invalid(
              "SET " + option + " is not supported: keys do not expire");
          default -> throw Args.syntaxError();
        }
      }
      return new Set(key, value, condition, returnPrevious);
    }

    @Override
    public CompletionStage<Reply> apply(Session session) {
      CompletionStage<KeyValueStore.Stored> stored = session.ask(r -> new KeyValueStore.Set(key, value, condition, r));
      return stored.thenApply(s -> returnPrevious ? Reply.bulkOrNull(s.previous().orElse(null))
          : s.applied() ? Reply.OK : Reply.NULL_BULK);
    }
  }

  /** {@code DEL key...}: the number of keys that existed. */
  record Del(List<String> keys) implements RespCommand {
    static Del parse(List<byte[]> args) {
      return new Del(Args.keys(args, 1, 1));
    }

    @Override
    public CompletionStage<Reply> apply(Session session) {
      List<CompletionStage<KeyValueStore.Deleted>> deletes = new ArrayList<>(keys.size());
      for (String key : keys) {
        CompletionStage<KeyValueStore.Deleted> deleted = session.ask(r -> new KeyValueStore.Delete(key, r));
        deletes.add(deleted);
      }
      return all(deletes).thenApply(list -> new Reply.Int(list.stream().filter(KeyValueStore.Deleted::existed).count()));
    }
  }

  /** {@code EXISTS key...}: how many of them exist (a key named twice counts twice). */
  record Exists(List<String> keys) implements RespCommand {
    static Exists parse(List<byte[]> args) {
      return new Exists(Args.keys(args, 1, 1));
    }

    @Override
    public CompletionStage<Reply> apply(Session session) {
      return all(gets(session, keys))
          .thenApply(values -> new Reply.Int(values.stream().filter(v -> v.value().isPresent()).count()));
    }
  }

  /** {@code MGET key...} */
  record MGet(List<String> keys) implements RespCommand {
    static MGet parse(List<byte[]> args) {
      return new MGet(Args.keys(args, 1, 1));
    }

    @Override
    public CompletionStage<Reply> apply(Session session) {
      return all(gets(session, keys)).thenApply(values -> new Reply.Multi(
          values.stream().map(v -> Reply.bulkOrNull(v.value().orElse(null))).toList()));
    }
  }

  private static List<CompletionStage<KeyValueStore.Value>> gets(Session session, List<String> keys) {
    List<CompletionStage<KeyValueStore.Value>> gets = new ArrayList<>(keys.size());
    for (String key : keys) {
      gets.add(session.ask(r -> new KeyValueStore.Get(key, r)));
    }
    return gets;
  }

  /** {@code MSET key value...}: the sets go out in order; OK once every one is acknowledged. Not atomic: a crash may keep some. */
  record MSet(List<String> keys, List<byte[]> values) implements RespCommand {
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
    public CompletionStage<Reply> apply(Session session) {
      List<CompletionStage<KeyValueStore.Stored>> sets = new ArrayList<>(keys.size());
      for (int i = 0; i < keys.size(); i++) {
        String key = keys.get(i);
        byte[] value = values.get(i);
        CompletionStage<KeyValueStore.Stored> stored = session.ask(r -> new KeyValueStore.Set(key, value, r));
        sets.add(stored);
      }
      return all(sets).thenApply(done -> Reply.OK);
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
