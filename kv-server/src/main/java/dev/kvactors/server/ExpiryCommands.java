package dev.kvactors.server;

import static dev.kvactors.server.Args.integer;

import dev.kvactors.KeyValueStore;
import dev.kvactors.Op;
import java.time.Duration;
import java.util.List;

/**
 * The commands on a key's deadline: SETEX, PSETEX, GETEX, EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT,
 * TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST. Times are checked here with Redis 7.0's texts; the
 * store turns a relative time into a deadline by its own clock.
 */
final class ExpiryCommands {
  private ExpiryCommands() {}

  /** Redis's {@code invalid expire time in 'name' command}. */
  static Args.Invalid invalidExpireTime(String command) {
    return Args.invalid("invalid expire time in '" + command + "' command");
  }

  /**
   * A SET/SETEX/GETEX time ({@code EX}, {@code PX}, {@code EXAT}, {@code PXAT}) as Redis's
   * {@code getExpireMillisecondsOrReply} checks it: an integer, positive, not overflowing in ms.
   */
  static KeyValueStore.Expiry time(byte[] time, boolean seconds, boolean absolute, String command) {
    long t = integer(time);
    if (t <= 0 || (seconds && t > Long.MAX_VALUE / 1000)) {
      throw invalidExpireTime(command);
    }
    long ms = seconds ? t * 1000 : t;
    if (absolute) {
      return KeyValueStore.Expiry.atMillis(ms);
    }
    if (ms > Long.MAX_VALUE - System.currentTimeMillis()) {
      throw invalidExpireTime(command); // as Redis: the deadline (now + ms) would overflow
    }
    return KeyValueStore.Expiry.after(Duration.ofMillis(ms));
  }

  /** {@code SETEX key seconds value}, {@code PSETEX key milliseconds value} */
  record SetEx(String key, byte[] value, KeyValueStore.Expiry expiry) implements StoreCommand {
    static SetEx setex(List<byte[]> args) {
      return new SetEx(Args.key(args, 1), args.get(3), time(args.get(2), true, false, "setex"));
    }

    static SetEx psetex(List<byte[]> args) {
      return new SetEx(Args.key(args, 1), args.get(3), time(args.get(2), false, false, "psetex"));
    }

    @Override
    public List<Op<?>> ops() {
      return List.of(new Op.Set(key, value, KeyValueStore.Condition.ALWAYS, expiry));
    }

    @Override
    public Reply reply(List<Object> results) {
      return Reply.OK;
    }
  }

  /** {@code GETEX key [EX s|PX ms|EXAT t|PXAT t|PERSIST]}: the value, then the deadline changes. */
  record GetEx(String key, KeyValueStore.Expiry expiry) implements StoreCommand {
    static GetEx parse(List<byte[]> args) {
      String key = Args.key(args, 1);
      KeyValueStore.Expiry expiry = KeyValueStore.Expiry.KEEP;
      String unit = null;
      byte[] time = null;
      boolean persist = false;
      for (int i = 2; i < args.size(); i++) {
        String option = Args.option(args.get(i));
        boolean hasNext = i + 1 < args.size();
        if (option.equals("PERSIST") && unit == null) {
          persist = true;
        } else if (List.of("EX", "PX", "EXAT", "PXAT").contains(option) && !persist
            && (unit == null || unit.equals(option)) && hasNext) {
          unit = option;
          time = args.get(++i);
        } else {
          throw Args.syntaxError();
        }
      }
      if (unit != null) {
        expiry = time(time, unit.equals("EX") || unit.equals("EXAT"), unit.endsWith("AT"), "getex");
      } else if (persist) {
        expiry = KeyValueStore.Expiry.NONE;
      }
      return new GetEx(key, expiry);
    }

    @Override
    public List<Op<?>> ops() {
      if (expiry == KeyValueStore.Expiry.KEEP) {
        return List.of(new Op.Get(key));
      }
      if (expiry == KeyValueStore.Expiry.NONE) {
        return List.of(new Op.Get(key), new Op.Persist(key));
      }
      return List.of(new Op.Get(key), new Op.Expire(key, expiry, KeyValueStore.ExpireCondition.ALWAYS));
    }

    @Override
    public Reply reply(List<Object> results) {
      return Reply.bulkOrNull(((KeyValueStore.Value) results.get(0)).value().orElse(null));
    }
  }

  /** {@code EXPIRE}, {@code PEXPIRE}, {@code EXPIREAT}, {@code PEXPIREAT} {@code key time [NX|XX|GT|LT]}: 1 if changed. */
  record Expire(String key, KeyValueStore.Expiry deadline, KeyValueStore.ExpireCondition condition)
      implements StoreCommand {
    static Expire expire(List<byte[]> args) {
      return parse(args, true, false, "expire");
    }

    static Expire pexpire(List<byte[]> args) {
      return parse(args, false, false, "pexpire");
    }

    static Expire expireAt(List<byte[]> args) {
      return parse(args, true, true, "expireat");
    }

    static Expire pexpireAt(List<byte[]> args) {
      return parse(args, false, true, "pexpireat");
    }

    /** As Redis's {@code expireGenericCommand}: options first, then the time, then its overflow checks. */
    private static Expire parse(List<byte[]> args, boolean seconds, boolean absolute, String command) {
      boolean nx = false;
      boolean xx = false;
      boolean gt = false;
      boolean lt = false;
      for (int i = 3; i < args.size(); i++) {
        switch (Args.option(args.get(i))) {
          case "NX" -> nx = true;
          case "XX" -> xx = true;
          case "GT" -> gt = true;
          case "LT" -> lt = true;
          default -> throw Args.invalid("Unsupported option " + new String(args.get(i),
              java.nio.charset.StandardCharsets.UTF_8));
        }
      }
      KeyValueStore.ExpireCondition condition;
      try {
        condition = KeyValueStore.ExpireCondition.of(nx, xx, gt, lt);
      } catch (IllegalArgumentException e) {
        throw Args.invalid(e.getMessage());
      }
      long when = integer(args.get(2));
      if (seconds) {
        if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000) {
          throw invalidExpireTime(command);
        }
        when *= 1000;
      }
      KeyValueStore.Expiry deadline;
      if (absolute) {
        // Every deadline at or before the epoch is as past as 1 ms after it (the store keeps 0 for "none").
        deadline = KeyValueStore.Expiry.atMillis(Math.max(when, 1));
      } else {
        if (when > Long.MAX_VALUE - System.currentTimeMillis()) {
          throw invalidExpireTime(command);
        }
        // A time of 0 or less is a deadline now or past, which removes the key, as Redis; the store
        // adds its clock to the time, so a very negative one must not reach it and wrap round.
        deadline = KeyValueStore.Expiry.after(Duration.ofMillis(Math.max(when, 0)));
      }
      return new Expire(Args.key(args, 1), deadline, condition);
    }

    @Override
    public List<Op<?>> ops() {
      return List.of(new Op.Expire(key, deadline, condition));
    }

    @Override
    public Reply reply(List<Object> results) {
      return new Reply.Int(((KeyValueStore.DeadlineChanged) results.get(0)).changed() ? 1 : 0);
    }
  }

  /** {@code PERSIST key}: 1 if a deadline was removed. */
  record Persist(String key) implements StoreCommand {
    static Persist parse(List<byte[]> args) {
      return new Persist(Args.key(args, 1));
    }

    @Override
    public List<Op<?>> ops() {
      return List.of(new Op.Persist(key));
    }

    @Override
    public Reply reply(List<Object> results) {
      return new Reply.Int(((KeyValueStore.DeadlineChanged) results.get(0)).changed() ? 1 : 0);
    }
  }

  /** Which figure of a key's deadline: TTL, PTTL, EXPIRETIME, PEXPIRETIME. */
  enum Figure { TTL, PTTL, EXPIRETIME, PEXPIRETIME }

  /** {@code TTL}, {@code PTTL}, {@code EXPIRETIME}, {@code PEXPIRETIME} {@code key}: -2 no key, -1 no deadline. */
  record Ttl(String key, Figure figure) implements StoreCommand {
    static Ttl ttl(List<byte[]> args) {
      return new Ttl(Args.key(args, 1), Figure.TTL);
    }

    static Ttl pttl(List<byte[]> args) {
      return new Ttl(Args.key(args, 1), Figure.PTTL);
    }

    static Ttl expireTime(List<byte[]> args) {
      return new Ttl(Args.key(args, 1), Figure.EXPIRETIME);
    }

    static Ttl pexpireTime(List<byte[]> args) {
      return new Ttl(Args.key(args, 1), Figure.PEXPIRETIME);
    }

    @Override
    public List<Op<?>> ops() {
      return List.of(new Op.Ttl(key));
    }

    @Override
    public Reply reply(List<Object> results) {
      KeyValueStore.TimeToLive t = (KeyValueStore.TimeToLive) results.get(0);
      return new Reply.Int(switch (figure) {
        case TTL -> t.ttl();
        case PTTL -> t.pttl();
        case EXPIRETIME -> t.expireTime();
        case PEXPIRETIME -> t.pexpireTime();
      });
    }
  }
}
