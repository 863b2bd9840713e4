package dev.kvactors.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kvactors.server.Reply;
import dev.kvactors.server.RespReader;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kv set --ttl}, {@code ttl}, {@code expire} and {@code persist} with {@code --server} send
 * the standard Redis commands ({@code SET ... PX}, {@code PTTL}, {@code PEXPIRE}, {@code PERSIST})
 * and read Redis's answers: checked against a scripted RESP peer that records what it is sent.
 */
class ExpiryOverRespTest {
  @TempDir
  Path dir;

  private ServerSocket listener;
  private Thread peer;
  private final List<String> received = Collections.synchronizedList(new ArrayList<>());
  private final Deque<String> answers = new ArrayDeque<>();

  @BeforeEach
  void startPeer() throws IOException {
    listener = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    peer = new Thread(this::serve, "scripted-resp-peer");
    peer.setDaemon(true);
    peer.start();
  }

  @AfterEach
  void stopPeer() throws Exception {
    listener.close();
    peer.join(10_000);
  }

  /** Answers each command with the next scripted reply (raw RESP), on any number of connections in turn. */
  private void serve() {
    while (!listener.isClosed()) {
      try (Socket s = listener.accept()) {
        InputStream in = new BufferedInputStream(s.getInputStream());
        OutputStream out = s.getOutputStream();
        while (true) {
          Reply command = RespReader.read(in);
          List<String> words = new ArrayList<>();
          for (Reply r : ((Reply.Multi) command).elements()) {
            words.add(new String(((Reply.Bulk) r).value(), StandardCharsets.UTF_8));
          }
          received.add(String.join(" ", words));
          String answer;
          synchronized (answers) {
            answer = answers.isEmpty() ? "-ERR nothing scripted\r\n" : answers.poll();
          }
          out.write(answer.getBytes(StandardCharsets.UTF_8));
          out.flush();
        }
      } catch (IOException e) {
        // the client closed its connection, or the listener was closed: next connection or the end
      }
    }
  }

  private KvTest.Run kv(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add(1, "--server");
    all.add(2, "127.0.0.1:" + listener.getLocalPort());
    return KvTest.run(dir, all.toArray(String[]::new));
  }

  private void script(String... replies) {
    synchronized (answers) {
      answers.addAll(List.of(replies));
    }
  }

  @Test
  void setWithATtlSendsSetWithPx() {
    script("+OK\r\n");
    KvTest.Run set = kv("set", "k", "v", "--ttl", "10s");
    assertEquals(0, set.exitCode(), set.err());
    assertEquals(List.of("SET k v PX 10000"), received);
  }

  @Test
  void ttlSendsPttlAndPrintsItsAnswer() {
    script(":1500\r\n", ":-1\r\n", ":-2\r\n");
    assertEquals("1.5s", kv("ttl", "k").out().strip());
    assertEquals("none", kv("ttl", "k").out().strip());
    KvTest.Run missing = kv("ttl", "k");
    assertEquals(1, missing.exitCode());
    assertEquals("not found: k", missing.err().strip());
    assertEquals(List.of("PTTL k", "PTTL k", "PTTL k"), received);
  }

  @Test
  void expireSendsPexpireAndPersistSendsPersist() {
    script(":1\r\n", ":0\r\n", ":1\r\n", ":0\r\n", ":-1\r\n", ":0\r\n", ":-2\r\n");
    assertEquals(0, kv("expire", "k", "1m").exitCode());
    assertEquals(1, kv("expire", "k", "500ms").exitCode());
    assertEquals(0, kv("persist", "k").exitCode());
    assertEquals(0, kv("persist", "k").exitCode(), "PERSIST 0 and PTTL -1: the key exists without expiry");
    assertEquals(1, kv("persist", "k").exitCode(), "PERSIST 0 and PTTL -2: no such key");
    assertEquals(List.of("PEXPIRE k 60000", "PEXPIRE k 500", "PERSIST k", "PERSIST k", "PTTL k", "PERSIST k",
        "PTTL k"), received);
  }

  @Test
  void aServerWithoutTheCommandIsAStoreErrorOfOneLine() {
    script("-ERR unknown command 'PTTL', with args beginning with: 'k' \r\n");
    KvTest.Run ttl = kv("ttl", "k");
    assertEquals(3, ttl.exitCode());
    assertEquals(1, ttl.err().strip().lines().count(), ttl.err());
    assertTrue(ttl.err().contains("unknown command 'PTTL'"), ttl.err());
  }
}
