package dev.natsproof.broker.nats;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.broker.BrokerClosedException;
import dev.natsproof.broker.BrokerOptions;
import dev.natsproof.broker.ConnectionEvent;
import dev.natsproof.broker.ConnectionState;
import dev.natsproof.broker.Headers;
import dev.natsproof.broker.InvalidSubjectException;
import dev.natsproof.broker.Message;
import dev.natsproof.broker.NoRespondersException;
import dev.natsproof.broker.PayloadTooLargeException;
import dev.natsproof.broker.RequestTimeoutException;
import dev.natsproof.broker.Subscription;
import dev.natsproof.testkit.NatsServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** The Core broker against one real nats-server (max_payload lowered to test the limit). */
class CoreBrokerTest {
  static final Duration WAIT = Duration.ofSeconds(10);
  static NatsServer server;
  NatsBroker broker;
  String prefix;

  @BeforeAll
  static void startServer() {
    server = NatsServer.builder().config("max_payload: 4096").start();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @BeforeEach
  void connect(TestInfo info) {
    broker = NatsBroker.connect(BrokerOptions.of(server.clientUrl()));
    prefix = "t." + info.getTestMethod().orElseThrow().getName();
  }

  @AfterEach
  void close() {
    broker.close();
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("a subscriber receives every published message in order, with headers")
  void pubSub() {
    List<Message> got = new CopyOnWriteArrayList<>();
    broker.subscribe(prefix + ".>", got::add);
    broker.flush(WAIT);
    for (int i = 0; i < 100; i++) {
      broker.publish(prefix + ".x", Headers.of("seq", Integer.toString(i)), bytes("m" + i));
    }
    await().atMost(WAIT).until(() -> got.size() == 100);
    for (int i = 0; i < 100; i++) {
      assertEquals("m" + i, got.get(i).dataAsString());
      assertEquals(Integer.toString(i), got.get(i).headers().first("seq").orElseThrow());
      assertEquals(prefix + ".x", got.get(i).subject());
    }
    assertEquals(100, broker.stats().published());
    assertEquals(100, broker.stats().delivered());
  }

  @Test
  @DisplayName(
      "a handler on its own thread runs while another handler blocks; on the shared dispatcher it"
          + " cannot (the blocked handler holds the only thread); closing releases the thread")
  void ownThread() throws Exception {
    java.util.concurrent.CountDownLatch fastRan = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean overlapped =
        new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicReference<Thread> own =
        new java.util.concurrent.atomic.AtomicReference<>();
    Subscription slow =
        broker.subscribeOnOwnThread(
            prefix + ".slow",
            null,
            m -> {
              own.set(Thread.currentThread());
              overlapped.set(fastRan.await(10, java.util.concurrent.TimeUnit.SECONDS));
            });
    broker.subscribe(prefix + ".fast", m -> fastRan.countDown());
    broker.flush(WAIT);
    broker.publish(prefix + ".slow", bytes("s"));
    broker.publish(prefix + ".fast", bytes("f"));
    await().atMost(WAIT).until(() -> slow.delivered() == 1);
    assertTrue(overlapped.get(), "the fast handler ran while the slow one waited");

    // The same two on the shared dispatcher: the fast one waits behind the slow one.
    java.util.concurrent.CountDownLatch fast2 = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean overlapped2 =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    AtomicInteger shared = new AtomicInteger();
    broker.subscribe(
        prefix + ".slow2",
        m -> {
          overlapped2.set(fast2.await(500, java.util.concurrent.TimeUnit.MILLISECONDS));
          shared.incrementAndGet();
        });
    broker.subscribe(prefix + ".fast2", m -> fast2.countDown());
    broker.flush(WAIT);
    broker.publish(prefix + ".slow2", bytes("s"));
    broker.publish(prefix + ".fast2", bytes("f"));
    await().atMost(WAIT).until(() -> shared.get() == 1 && fast2.getCount() == 0);
    assertFalse(overlapped2.get(), "on the shared dispatcher the fast handler had to wait");

    slow.close();
    await().atMost(WAIT).until(() -> !own.get().isAlive());
  }

  @Test
  @DisplayName("each message to a queue group reaches exactly one member")
  void queueExclusive() {
    List<Set<String>> seen = new ArrayList<>();
    AtomicInteger total = new AtomicInteger();
    List<NatsBroker> members = new ArrayList<>();
    try {
      for (int m = 0; m < 3; m++) {
        Set<String> mine = ConcurrentHashMap.newKeySet();
        seen.add(mine);
        NatsBroker member = NatsBroker.connect(BrokerOptions.of(server.clientUrl()));
        members.add(member);
        member.queueSubscribe(
            prefix,
            "workers",
            msg -> {
              mine.add(msg.dataAsString());
              total.incrementAndGet();
            });
        member.flush(WAIT);
      }
      for (int i = 0; i < 300; i++) {
        broker.publish(prefix, bytes("cmd-" + i));
      }
      await().atMost(WAIT).until(() -> total.get() >= 300);
      Set<String> union = new HashSet<>();
      int sum = 0;
      for (Set<String> s : seen) {
        sum += s.size();
        union.addAll(s);
      }
      assertEquals(300, union.size(), "every message delivered");
      assertEquals(300, sum, "no message delivered to two members");
      // Everything sent has arrived: a further duplicate would show in the total.
      broker.flush(WAIT);
      members.forEach(b -> b.flush(WAIT));
      assertEquals(300, total.get());
    } finally {
      members.forEach(NatsBroker::close);
    }
  }

  @Test
  @DisplayName("a request gets the responder's reply")
  void requestReply() {
    broker.subscribe(prefix, m -> broker.reply(m, bytes("pong:" + m.dataAsString())));
    broker.flush(WAIT);
    try (NatsBroker client = NatsBroker.connect(BrokerOptions.of(server.clientUrl()))) {
      Message reply = client.request(prefix, bytes("ping"), Duration.ofSeconds(2));
      assertEquals("pong:ping", reply.dataAsString());
    }
  }

  @Test
  @DisplayName("a request to a subject nobody serves fails with NoRespondersException")
  void noResponders() {
    NoRespondersException e =
        assertThrows(
            NoRespondersException.class,
            () -> broker.request(prefix + ".nobody", bytes("x"), Duration.ofSeconds(2)));
    assertTrue(e.getMessage().contains(prefix + ".nobody"));
  }

  @Test
  @DisplayName("a request whose responder stays silent fails with RequestTimeoutException")
  void requestTimeout() {
    broker.subscribe(prefix, m -> {}); // present, never answers
    broker.flush(WAIT);
    RequestTimeoutException e =
        assertThrows(
            RequestTimeoutException.class,
            () -> broker.request(prefix, bytes("x"), Duration.ofMillis(200)));
    assertTrue(e.getMessage().contains("PT0.2S"), e.getMessage());
    assertEquals(1, broker.stats().requestTimeouts());
  }

  @Test
  @DisplayName("a payload over the server's max_payload is refused and nothing is sent")
  void payloadTooLarge() {
    AtomicInteger got = new AtomicInteger();
    broker.subscribe(prefix, m -> got.incrementAndGet());
    assertEquals(4096, broker.maxPayloadBytes());
    PayloadTooLargeException e =
        assertThrows(PayloadTooLargeException.class, () -> broker.publish(prefix, new byte[4097]));
    assertTrue(e.getMessage().contains("4097") && e.getMessage().contains("max_payload"));
    broker.publish(prefix, new byte[4096]);
    await().atMost(WAIT).until(() -> got.get() == 1);
    assertEquals(1, broker.stats().published());
  }

  @Test
  @DisplayName("publishing to a wildcard or a spaced subject is refused before sending")
  void invalidSubjects() {
    assertThrows(InvalidSubjectException.class, () -> broker.publish("room.*", bytes("x")));
    assertThrows(InvalidSubjectException.class, () -> broker.publish("room 1", bytes("x")));
    assertThrows(InvalidSubjectException.class, () -> broker.publish("", bytes("x")));
    assertThrows(InvalidSubjectException.class, () -> broker.subscribe("a.>.b", m -> {}));
    assertThrows(InvalidSubjectException.class, () -> broker.queueSubscribe("a", " ", m -> {}));
    assertEquals(0, broker.stats().published());
  }

  @Test
  @DisplayName("a closed broker refuses publish, subscribe and request")
  void closedBroker() {
    broker.close();
    assertEquals(ConnectionState.CLOSED, broker.state());
    assertThrows(BrokerClosedException.class, () -> broker.publish(prefix, bytes("x")));
    assertThrows(BrokerClosedException.class, () -> broker.subscribe(prefix, m -> {}));
    assertThrows(
        BrokerClosedException.class,
        () -> broker.request(prefix, bytes("x"), Duration.ofSeconds(1)));
    broker.close(); // idempotent
  }

  @Test
  @DisplayName("latest-only: a slow handler gets the newest frame and skipped ones are counted")
  void latestOnlyDrops() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    List<String> handled = new CopyOnWriteArrayList<>();
    Subscription sub =
        broker.subscribeLatest(
            prefix + ".state.>",
            m -> {
              handled.add(m.dataAsString());
              release.await(10, TimeUnit.SECONDS);
            });
    CountDownLatch marker = new CountDownLatch(1);
    broker.subscribe(prefix + ".marker", m -> marker.countDown());
    broker.flush(WAIT);
    try (NatsBroker publisher = NatsBroker.connect(BrokerOptions.of(server.clientUrl()))) {
      publisher.publish(prefix + ".state.room1", bytes("frame-0"));
      await().atMost(WAIT).until(() -> handled.size() == 1); // the handler now blocks on frame-0
      for (int i = 1; i < 100; i++) {
        publisher.publish(prefix + ".state.room1", bytes("frame-" + i));
      }
      // Delivered after all frames on this connection: when it arrives, all were offered.
      publisher.publish(prefix + ".marker", bytes("done"));
      assertTrue(marker.await(10, TimeUnit.SECONDS));
    }
    release.countDown();
    await().atMost(WAIT).until(() -> handled.size() == 2);
    // While the handler blocked, each frame replaced the one before: only the last is handled.
    assertEquals(List.of("frame-0", "frame-99"), handled);
    assertEquals(2, sub.delivered());
    assertEquals(98, sub.dropped(), "every frame is either handled or counted as dropped");
    assertEquals(98, broker.stats().dropped());
  }

  @Test
  @DisplayName("latest-only keeps one slot per subject: every room's newest frame is handled")
  void latestOnlyPerSubject() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    List<String> handled = Collections.synchronizedList(new ArrayList<>());
    broker.subscribeLatest(
        prefix + ".state.*",
        m -> {
          handled.add(m.subject() + "=" + m.dataAsString());
          release.await(10, TimeUnit.SECONDS);
        });
    CountDownLatch marker = new CountDownLatch(1);
    broker.subscribe(prefix + ".marker", m -> marker.countDown());
    broker.flush(WAIT);
    broker.publish(prefix + ".state.a", bytes("a0"));
    await().atMost(WAIT).until(() -> handled.size() == 1);
    for (int i = 1; i <= 10; i++) {
      broker.publish(prefix + ".state.a", bytes("a" + i));
      broker.publish(prefix + ".state.b", bytes("b" + i));
    }
    broker.publish(prefix + ".marker", bytes("done"));
    assertTrue(marker.await(10, TimeUnit.SECONDS));
    release.countDown();
    await().atMost(WAIT).until(() -> handled.size() == 3);
    assertEquals(prefix + ".state.a=a0", handled.get(0));
    assertEquals(
        Set.of(prefix + ".state.a=a10", prefix + ".state.b=b10"),
        new HashSet<>(handled.subList(1, 3)));
  }

  @Test
  @DisplayName("drain hands already-received messages to handlers, then closes")
  void drainDelivers() throws Exception {
    AtomicInteger got = new AtomicInteger();
    broker.subscribe(
        prefix,
        m -> {
          got.incrementAndGet();
        });
    broker.flush(WAIT);
    try (NatsBroker publisher = NatsBroker.connect(BrokerOptions.of(server.clientUrl()))) {
      for (int i = 0; i < 500; i++) {
        publisher.publish(prefix, bytes("m" + i));
      }
      publisher.flush(WAIT);
    }
    broker.flush(WAIT); // the server has sent us everything before answering this PING
    broker.drain(WAIT).get(20, TimeUnit.SECONDS);
    assertEquals(500, got.get());
    assertEquals(ConnectionState.CLOSED, broker.state());
    assertThrows(BrokerClosedException.class, () -> broker.publish(prefix, bytes("x")));
  }

  @Test
  @DisplayName("connection listeners see CONNECTED and CLOSED")
  void connectionEvents() {
    List<ConnectionEvent.Type> events = new CopyOnWriteArrayList<>();
    NatsBroker b =
        NatsBroker.connect(
            BrokerOptions.builder()
                .servers(server.clientUrl())
                .connectionListener(e -> events.add(e.type()))
                .build());
    await().atMost(WAIT).until(() -> events.contains(ConnectionEvent.Type.CONNECTED));
    b.close();
    await().atMost(WAIT).until(() -> events.contains(ConnectionEvent.Type.CLOSED));
  }

  @Test
  @DisplayName("an unsubscribed subscription gets nothing more")
  void unsubscribe() {
    AtomicInteger got = new AtomicInteger();
    Subscription s = broker.subscribe(prefix, m -> got.incrementAndGet());
    broker.publish(prefix, bytes("1"));
    await().atMost(WAIT).until(() -> got.get() == 1);
    s.close();
    CountDownLatch marker = new CountDownLatch(1);
    broker.subscribe(prefix + ".marker", m -> marker.countDown());
    broker.publish(prefix, bytes("2"));
    broker.publish(prefix + ".marker", bytes("m"));
    await().atMost(WAIT).until(() -> marker.getCount() == 0);
    assertEquals(1, got.get());
    assertEquals(1, s.delivered());
  }

  @Test
  @DisplayName("a handler that throws is counted and the next message is still delivered")
  void handlerErrors() {
    List<String> got = new CopyOnWriteArrayList<>();
    broker.subscribe(
        prefix,
        m -> {
          got.add(m.dataAsString());
          if (m.dataAsString().equals("bad")) {
            throw new IllegalStateException("boom");
          }
        });
    broker.publish(prefix, bytes("bad"));
    broker.publish(prefix, bytes("good"));
    await().atMost(WAIT).until(() -> got.size() == 2);
    assertEquals(1, broker.stats().handlerErrors());
    assertArrayEquals(new String[] {"bad", "good"}, got.toArray());
  }
}
