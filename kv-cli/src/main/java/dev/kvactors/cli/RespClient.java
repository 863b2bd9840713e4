package dev.kvactors.cli;

import static java.util.Objects.requireNonNull;

import dev.kvactors.KvException;
import dev.kvactors.server.Reply;
import dev.kvactors.server.RespReader;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A small blocking RESP2 client over one socket, for the {@code kv} commands when a server holds
 * the data directory. One request at a time; not thread-safe.
 */
final class RespClient implements StoreClient {
  private final String address;
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private RespClient(String address, Socket socket) throws IOException {
    this.address = requireNonNull(address, "address is null");
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = new BufferedOutputStream(socket.getOutputStream());
  }

  /**
   * Connects to {@code host:port}; waits at most {@code connectTimeout} to connect and
   * {@code readTimeout} for each reply. Sends AUTH first when {@code password} is given.
   *
   * @throws IOException if nothing answers there
   */
  static RespClient connect(String host, int port, Optional<String> password, Duration connectTimeout,
      Duration readTimeout) throws IOException {
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress(host, port), (int) connectTimeout.toMillis());
      socket.setSoTimeout((int) readTimeout.toMillis());
      socket.setTcpNoDelay(true);
      RespClient client = new RespClient(host + ":" + port, socket);
      if (password.isPresent()) {
        client.check(client.call("AUTH", password.get()));
      }
      return client;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /** The {@code run_id} the server reports in {@code INFO server}, to tell it from a stale advertisement. */
  String runId() throws IOException {
    String info = new String(bulk(check(call("INFO", "server"))), StandardCharsets.UTF_8);
    return info.lines().filter(l -> l.startsWith("run_id:")).map(l -> l.substring("run_id:".length()).strip())
        .findFirst().orElse("");
  }

  @Override
  public Optional<byte[]> get(String key) {
    Reply reply = request("GET".getBytes(StandardCharsets.US_ASCII), key(key));
    return reply instanceof Reply.NullBulk ? Optional.empty() : Optional.of(bulk(reply));
  }

  @Override
  public void set(String key, byte[] value) {
    request("SET".getBytes(StandardCharsets.US_ASCII), key(key), value);
  }

  /** {@code SET key value PX ms}. */
  @Override
  public void set(String key, byte[] value, Duration ttl) {
    request(ascii("SET"), key(key), value, ascii("PX"), ascii(Long.toString(ttl.toMillis())));
  }

  /** {@code PTTL key}. */
  @Override
  public long pttl(String key) {
    return integer(request(ascii("PTTL"), key(key)));
  }

  /** {@code PEXPIRE key ms}. */
  @Override
  public boolean expire(String key, Duration ttl) {
    return integer(request(ascii("PEXPIRE"), key(key), ascii(Long.toString(ttl.toMillis())))) == 1;
  }

  /** {@code PERSIST key}. */
  @Override
  public boolean persist(String key) {
    return integer(request(ascii("PERSIST"), key(key))) == 1;
  }

  private long integer(Reply reply) {
    if (reply instanceof Reply.Int n) {
      return n.value();
    }
    throw new KvException("unexpected reply from the kv server at " + address + ": " + reply, false);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public boolean delete(String key) {
    Reply reply = request("DEL".getBytes(StandardCharsets.US_ASCII), key(key));
    return reply instanceof Reply.Int n && n.value() > 0;
  }

  @Override
  public long increment(String key, long by) {
    Reply reply = request("INCRBY".getBytes(StandardCharsets.US_ASCII), key(key),
        Long.toString(by).getBytes(StandardCharsets.US_ASCII));
    if (reply instanceof Reply.Int n) {
      return n.value();
    }
    throw new KvException("unexpected reply from the kv server at " + address + ": " + reply, false);
  }

  @Override
  public void clear() {
    request("FLUSHDB".getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  public List<String> keys(String prefix) {
    Reply reply = request("KEYS".getBytes(StandardCharsets.US_ASCII), key(escapeGlob(prefix) + "*"));
    if (!(reply instanceof Reply.Multi multi)) {
      throw new KvException("unexpected reply from the server at " + address + ": " + reply, false);
    }
    List<String> keys = new ArrayList<>();
    for (Reply element : multi.elements()) {
      keys.add(new String(bulk(element), StandardCharsets.UTF_8));
    }
    keys.sort(null); // the server answers KEYS in scan order, as Redis does; `kv keys` promises sorted
    return keys;
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing a socket we are done with: nothing is lost
    }
  }

  /** Sends one command and returns its reply; an error reply becomes a {@link KvException}. */
  private Reply request(byte[]... args) {
    try {
      return check(call(args));
    } catch (IOException e) {
      throw new KvException.Unavailable("lost the connection to the kv server at " + address + ": " + e.getMessage()
          + "; the request may or may not have been applied");
    }
  }

  Reply call(String... args) throws IOException {
    out.write(RespReader.command(args));
    out.flush();
    return read();
  }

  Reply call(byte[]... args) throws IOException {
    out.write(RespReader.command(args));
    out.flush();
    return read();
  }

  private Reply read() throws IOException {
    try {
      return RespReader.read(in);
    } catch (EOFException e) {
      throw e;
    } catch (IOException e) {
      throw new IOException(e.getMessage() + " from " + address, e);
    }
  }

  private Reply check(Reply reply) {
    if (reply instanceof Reply.Error error) {
      String message = error.message().startsWith("ERR ") ? error.message().substring(4) : error.message();
      throw new KvException(message + " (from the kv server at " + address + ")", false);
    }
    return reply;
  }

  private byte[] bulk(Reply reply) {
    if (reply instanceof Reply.Bulk bulk) {
      return bulk.value();
    }
    throw new KvException("unexpected reply from the kv server at " + address + ": " + reply, false);
  }

  private static byte[] key(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }

  static String escapeGlob(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
        out.append('\\');
      }
      out.append(c);
    }
    return out.toString();
  }
}
