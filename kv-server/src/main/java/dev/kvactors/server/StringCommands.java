package dev.kvactors.server;

import static dev.kvactors.server.Args.integer;

import dev.kvactors.KeyValueStore;
import dev.kvactors.Op;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The commands on one string key or a few that the store evaluates atomically ({@link Op}s): TYPE,
 * TOUCH, UNLINK, STRLEN, GETRANGE, INCR/DECR and kin, APPEND, SETRANGE, GETSET, GETDEL, SETNX,
 * MSETNX, RENAME, RENAMENX, COPY. Arguments are checked here with Redis's texts; the store's
 * failures ({@code KvException.OperationFailed}) already carry Redis's text.
 */
final class StringCommands {
  private StringCommands() {}

  private static KeyValueStore.Value value(Object result) {
    return (KeyValueStore.Value) result;
  }

  /** {@code TYPE key}: every value is a string. */
  record Type(String key) implements StoreCommand {
    static Type parse(List<byte[]> args) {
      return new Type(Args.key(args, 1));
    }

    @Override
    public List<Op<?>> ops() {
      return List.of(new Op.Get(key));
    }

    @Override
    public Reply reply(List<Object> results) {
      return new Reply.Simple(value(results.get(0)).value().isPresent() ? "string" : "none");
    }
  }

  /** {@code TOUCH key...}: how many exist (a key named twice counts twice). */
  record Touch(List<String> keys) implements StoreCommand {
    static Touch parse(List<byte[]> args) {
      return new Touch(Args.keys(args, 1, 1));
    }

    @Override
    public List<Op<?>> ops() {
      return keys.stream().<Op<?>>map(Op.Get::new).toList();
    }

    @Override
    public Reply reply(List<Object> results) {
      return new Reply.Int(results.stream().filter(r -> value(r).value().isPresent()).count());
    }
  }

  /** {@code STRLEN key} */
  record Strlen(String key) implements StoreCommand {
    static Strlen parse(List<byte[]> args) {
      return new Strlen(Args.key(args, 1));
    }

    @Override
    public List<Op<?>> ops() {
      return List.of(new Op.Get(key));
    }

    @Override
    public Reply reply(List<Object> results) {
      return new Reply.Int(value(results.get(0)).value().map(v -> v.length).orElse(0));
    }
  }

  /** {@code GETRANGE key start end}, with Redis 7.0's rules for negative and out-of-range indexes. */
  record GetRange(String key, long start, long end) implements StoreCommand {
    static GetRange parse(List<byte[]> args) {
      return new GetRange(Args.key(args, 1), integer(args.get(2)), integer(args.get(3)));
    }

    @Override
    public List<Op<?>> ops() {
      return List.of(new Op.Get(key));
    }

    @Override
    public Reply reply(List<Object> results) {
      byte[] v = value(results.get(0)).value().orElse(new byte[0]);
      long s = start;
      long e = end;
      long n = v.length;
      if (s < 0 && e < 0 && s > e) {
        return new Reply.Bulk(new byte[0]);
      }
      if (s < 0) {
        s = n + s;
      }
      if (e < 0) {
        e = n + e;
      }
      s = Math.max(s, 0);
      e = Math.max(e, 0);
      if (e >= n) {
        e = n - 1;
      }
      if (s > e || n == 0) {
        return new Reply.Bulk(new byte[0]);
      }
      return new Reply.Bulk(Arrays.copyOfRange(v, (int) s, (int) e + 1));
    }
  }

  /** {@code INCR}, {@code DECR}, {@code INCRBY}, {@code DECRBY}: the new value. */
  record Increment(String key, long by) implements StoreCommand {
    static Increment incr(List<byte[]> args) {
      return new Increment(Args.key(args, 1), 1);
    }

    static Increment decr(List<byte[]> args) {
      return new Increment(Args.key(args, 1), -1);
    }

    static Increment incrBy(List<byte[]> args) {
      return new Increment(Args.key(args, 1), integer(args.get(2)));
    }

    static Increment decrBy(List<byte[]> args) {
      long by = integer(args.get(2));
      if (by == Long.MIN_VALUE) {
        throw Args.invalid("decrement would overflow");
      }
      return new Increment(Args.key(args, 1), -by);
    }

    @Override
    public List<Op<?>> ops() {
      return List.of(new Op.Increment(key, by));
    }

    @Override
    public Reply reply(List<Object> results) {
      return new Reply.Int((Long) results.get(0));
    }
  }

  /** {@code INCRBYFLOAT key increment}: the new value as Redis formats it (the store does). */
  record IncrementFloat(String key, String by) implements StoreCommand {
    static IncrementFloat parse(List<byte[]> args) {
      return new IncrementFloat(Args.key(args, 1), Args.ascii(args.get(2)));
    }

    @Override
    public List<Op<?>> ops() {
      return List.of(new Op.IncrementFloat(key, by));
    }

    @Override
    public Reply reply(List<Object> results) {
      return Reply.bulk((String) results.get(0));
    }
  }

  /** {@code APPEND key value}: the new length. */
  record Append(String key, byte[] bytes) implements StoreCommand {
    static Append parse(List<byte[]> args) {
      return new Append(Args.key(args, 1), args.get(2));
    }

    @Override
    public List<Op<?>> ops() {
      return List.of(new Op.Append(key, bytes));
    }

    @Override
    public Reply reply(List<Object> results) {
      return new Reply.Int((Long) results.get(0));
    }
  }

  /** {@code SETRANGE key offset value}: the new length. */
  record SetRange(String key, long offset, byte[] bytes) implements StoreCommand {
    static SetRange parse(List<byte[]> args) {
      long offset = integer(args.get(2));
      if (offset < 0) {
        throw Args.invalid("offset is out of range");
      }
      return new SetRange(Args.key(args, 1), offset, args.get(3));
    }

    @Override
    public List<Op<?>> ops() {
      return List.of(new Op.SetRange(key, offset, bytes));
    }

    @Override
    public Reply reply(List<Object> results) {
      return new Reply.Int((Long) results.get(0));
    }
  }

  /** {@code GETSET key value}: the previous value; the deadline is cleared, as SET does. */
  record GetSet(String key, byte[] value) implements StoreCommand {
    static GetSet parse(List<byte[]> args) {
      return new GetSet(Args.key(args, 1), args.get(2));
    }

    @Override
    public List<Op<?>> ops() {
      return List.of(new Op.GetAndSet(key, value));
    }

    @Override
    public Reply reply(List<Object> results) {
      return Reply.bulkOrNull(StringCommands.value(results.get(0)).value().orElse(null));
    }
  }

  /** {@code GETDEL key}: the value it had. */
  record GetDel(String key) implements StoreCommand {
    static GetDel parse(List<byte[]> args) {
      return new GetDel(Args.key(args, 1));
    }

    @Override
    public List<Op<?>> ops() {
      return List.of(new Op.GetAndDelete(key));
    }

    @Override
    public Reply reply(List<Object> results) {
      return Reply.bulkOrNull(StringCommands.value(results.get(0)).value().orElse(null));
    }
  }

  /** {@code SETNX key value}: 1 if set. */
  record SetNx(String key, byte[] value) implements StoreCommand {
    static SetNx parse(List<byte[]> args) {
      return new SetNx(Args.key(args, 1), args.get(2));
    }

    @Override
    public List<Op<?>> ops() {
      return List.of(new Op.Set(key, value, KeyValueStore.Condition.IF_ABSENT, KeyValueStore.Expiry.NONE));
    }

    @Override
    public Reply reply(List<Object> results) {
      return new Reply.Int(((KeyValueStore.Stored) results.get(0)).applied() ? 1 : 0);
    }
  }

  /** {@code MSETNX key value...}: all set (1), or none because one exists (0). */
  record MSetNx(List<Map.Entry<String, byte[]>> entries) implements StoreCommand {
    static MSetNx parse(List<byte[]> args) {
      if (args.size() % 2 == 0) {
        throw Args.wrongArity(args);
      }
      List<Map.Entry<String, byte[]>> entries = new ArrayList<>();
      for (int i = 1; i < args.size(); i += 2) {
        entries.add(Map.entry(Args.key(args, i), args.get(i + 1)));
      }
      return new MSetNx(entries);
    }

    @Override
    public List<Op<?>> ops() {
      return List.of(new Op.SetAllIfAbsent(entries));
    }

    @Override
    public Reply reply(List<Object> results) {
      return new Reply.Int((Boolean) results.get(0) ? 1 : 0);
    }
  }

  /** {@code RENAME key newkey} (OK) and {@code RENAMENX key newkey} (1 or 0). */
  record Rename(String from, String to, boolean onlyIfAbsent) implements StoreCommand {
    static Rename rename(List<byte[]> args) {
      return new Rename(Args.key(args, 1), Args.key(args, 2), false);
    }

    static Rename renameNx(List<byte[]> args) {
      return new Rename(Args.key(args, 1), Args.key(args, 2), true);
    }

    @Override
    public List<Op<?>> ops() {
      return List.of(new Op.Rename(from, to, onlyIfAbsent));
    }

    @Override
    public Reply reply(List<Object> results) {
      boolean applied = (Boolean) results.get(0);
      return onlyIfAbsent ? new Reply.Int(applied ? 1 : 0) : Reply.OK;
    }
  }

  /** {@code COPY source destination [DB 0] [REPLACE]}: kv has database 0 only. */
  record Copy(String from, String to, boolean replace) implements StoreCommand {
    static Copy parse(List<byte[]> args) {
      boolean replace = false;
      long db = 0;
      for (int i = 3; i < args.size(); i++) {
        String option = Args.option(args.get(i));
        if (option.equals("REPLACE")) {
          replace = true;
        } else if (option.equals("DB") && i + 1 < args.size()) {
          db = integer(args.get(++i));
        } else {
          throw Args.syntaxError();
        }
      }
      if (db != 0) {
        throw Args.invalid("DB index is out of range");
      }
      return new Copy(Args.key(args, 1), Args.key(args, 2), replace);
    }

    @Override
    public List<Op<?>> ops() {
      return List.of(new Op.Copy(from, to, replace));
    }

    @Override
    public Reply reply(List<Object> results) {
      return new Reply.Int((Boolean) results.get(0) ? 1 : 0);
    }
  }
}
