package dev.kvactors.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class AuthFailureLogTest {
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(AuthFailureLog.class);

  @BeforeEach
  void capture() {
    appender.start();
    logger.addAppender(appender);
  }

  @AfterEach
  void release() {
    logger.detachAppender(appender);
  }

  private List<String> lines() {
    return appender.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
  }

  @Test
  void logsAtMostOneLinePerIntervalWithTheClientAndTheCountOfTheOthers() {
    AtomicLong now = new AtomicLong(1_000);
    AuthFailureLog log = new AuthFailureLog(Duration.ofSeconds(10), now::get);
    InetSocketAddress client = new InetSocketAddress("127.0.0.1", 40001);
    log.failed(client);
    now.addAndGet(Duration.ofSeconds(1).toNanos());
    log.failed(client);
    log.failed(new InetSocketAddress("127.0.0.1", 40002));
    log.failed(client);
    assertEquals(1, lines().size(), lines().toString());
    now.addAndGet(Duration.ofSeconds(10).toNanos());
    log.failed(new InetSocketAddress("127.0.0.1", 40003));
    assertEquals(2, lines().size(), lines().toString());
    assertTrue(lines().get(0).startsWith("WARN Failed AUTH from /127.0.0.1:40001"), lines().get(0));
    assertTrue(lines().get(1).contains("/127.0.0.1:40003") && lines().get(1).contains("3 more failed attempts"),
        lines().get(1));
  }
}
