package dev.kvactors.server;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How Redis 7.0 describes its commands: its replies to {@code COMMAND INFO} and {@code COMMAND DOCS}
 * for the commands kv accepts, captured from a real redis-server by {@code kv-server/capture-redis-commands.sh}
 * into {@code redis-7.0-commands.resp}. {@link CommandTable} takes from it each accepted command's arity,
 * flags, key positions, ACL categories, tips, key specs and docs, so that what the server checks
 * (arity, whether a command may run before AUTH) and what it reports are the same data.
 */
final class RedisDescriptions {
  private static final String RESOURCE = "redis-7.0-commands.resp";

  /** A command's (or subcommand's, {@code config|get}) {@code COMMAND INFO} entry and {@code COMMAND DOCS} value. */
  record Description(Reply.Multi info, Reply docs) {
    String name() {
      return text(info.elements().get(0));
    }

    /** Redis's arity: {@code n > 0} exactly n arguments (the name included), {@code -n} at least n. */
    long arity() {
      return ((Reply.Int) info.elements().get(1)).value();
    }

    List<String> flags() {
      return ((Reply.Multi) info.elements().get(2)).elements().stream().map(RedisDescriptions::text).toList();
    }

    /** ACL categories without the {@code @}. */
    List<String> aclCategories() {
      return ((Reply.Multi) info.elements().get(6)).elements().stream()
          .map(r -> text(r).substring(1)).toList();
    }
  }

  private static final Map<String, Description> BY_NAME = load();

  private RedisDescriptions() {}

  /** The description of {@code name} (lower case; {@code config|get} for a subcommand). */
  static Description of(String name) {
    Description d = BY_NAME.get(name);
    if (d == null) {
      throw new IllegalStateException(name + " is not in " + RESOURCE + "; add it to capture-redis-commands.sh");
    }
    return d;
  }

  private static Map<String, Description> load() {
    try (InputStream in = RedisDescriptions.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the class path");
      }
      InputStream buffered = new BufferedInputStream(in);
      List<Reply> infos = ((Reply.Multi) RespReader.read(buffered)).elements();
      List<Reply> docs = ((Reply.Multi) RespReader.read(buffered)).elements();
      Map<String, Reply> docsByName = new HashMap<>();
      for (int i = 0; i < docs.size(); i += 2) {
        docsByName.put(text(docs.get(i)), docs.get(i + 1));
      }
      Map<String, Description> byName = new HashMap<>();
      for (Reply info : infos) {
        Reply.Multi entry = (Reply.Multi) info;
        String name = text(entry.elements().get(0));
        Reply doc = docsByName.get(name);
        byName.put(name, new Description(entry, doc));
        for (Reply sub : ((Reply.Multi) entry.elements().get(9)).elements()) {
          Reply.Multi subEntry = (Reply.Multi) sub;
          String subName = text(subEntry.elements().get(0));
          byName.put(subName, new Description(subEntry, field(doc, "subcommands") instanceof Reply.Multi subDocs
              ? field(subDocs, subName) : null));
        }
      }
      return Map.copyOf(byName);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }

  /** The value of {@code key} in a RESP2 map (a flat array of key, value, ...), or null. */
  static Reply field(Reply map, String key) {
    if (!(map instanceof Reply.Multi multi)) {
      return null;
    }
    List<Reply> e = multi.elements();
    for (int i = 0; i + 1 < e.size(); i += 2) {
      if (key.equals(text(e.get(i)))) {
        return e.get(i + 1);
      }
    }
    return null;
  }

  static String text(Reply reply) {
    if (reply instanceof Reply.Bulk b) {
      return new String(b.value(), StandardCharsets.UTF_8);
    }
    if (reply instanceof Reply.Simple s) {
      return s.text();
    }
    throw new IllegalStateException("not a string: " + reply);
  }
}
