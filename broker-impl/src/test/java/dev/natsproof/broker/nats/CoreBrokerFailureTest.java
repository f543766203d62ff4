package dev.natsproof.broker.nats;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.broker.AuthenticationException;
import dev.natsproof.broker.BrokerConnectException;
import dev.natsproof.broker.BrokerOptions;
import dev.natsproof.broker.ConnectionEvent;
import dev.natsproof.broker.ConnectionState;
import dev.natsproof.broker.Message;
import dev.natsproof.testkit.FreePorts;
import dev.natsproof.testkit.NatsServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Connection failures, authentication and recovery, each against its own real server. */
class CoreBrokerFailureTest {
  static final Duration WAIT = Duration.ofSeconds(15);

  @Test
  @DisplayName("connecting where no server listens fails with BrokerConnectException naming it")
  void unreachable() {
    String url = "nats://127.0.0.1:" + FreePorts.next();
    BrokerConnectException e =
        assertThrows(
            BrokerConnectException.class,
            () ->
                NatsBroker.connect(
                    BrokerOptions.builder()
                        .servers(url)
                        .connectTimeout(Duration.ofMillis(500))
                        .build()));
    assertTrue(e.getMessage().contains(url), e.getMessage());
  }

  @Test
  @DisplayName("a wrong password fails with AuthenticationException; the right one connects")
  void wrongPassword() {
    try (NatsServer s =
        NatsServer.builder().config("authorization { user: game, password: \"s3cret\" }").start()) {
      AuthenticationException e =
          assertThrows(
              AuthenticationException.class,
              () ->
                  NatsBroker.connect(
                      BrokerOptions.builder()
                          .servers(s.clientUrl())
                          .userInfo("game", "wrong".toCharArray())
                          .build()));
      assertTrue(e.getMessage().contains("credentials"), e.getMessage());
      try (NatsBroker ok =
          NatsBroker.connect(
              BrokerOptions.builder()
                  .servers(s.clientUrl())
                  .userInfo("game", "s3cret".toCharArray())
                  .build())) {
        assertEquals(ConnectionState.CONNECTED, ok.state());
      }
    }
  }

  @Test
  @DisplayName("token authentication connects with the token and fails without it")
  void token() {
    try (NatsServer s =
        NatsServer.builder().config("authorization { token: \"tok-123\" }").start()) {
      try (NatsBroker ok =
          NatsBroker.connect(
              BrokerOptions.builder()
                  .servers(s.clientUrl())
                  .token("tok-123".toCharArray())
                  .build())) {
        assertEquals(ConnectionState.CONNECTED, ok.state());
      }
      assertThrows(
          AuthenticationException.class, () -> NatsBroker.connect(BrokerOptions.of(s.clientUrl())));
    }
  }

  @Test
  @DisplayName("after the server restarts, the broker reconnects and publishes arrive again")
  void reconnectAfterRestart() {
    try (NatsServer s = NatsServer.startDefault()) {
      List<ConnectionEvent.Type> events = new CopyOnWriteArrayList<>();
      List<String> got = new CopyOnWriteArrayList<>();
      try (NatsBroker sub =
              NatsBroker.connect(
                  BrokerOptions.builder()
                      .servers(s.clientUrl())
                      .connectionListener(e -> events.add(e.type()))
                      .build());
          NatsBroker pub = NatsBroker.connect(BrokerOptions.of(s.clientUrl()))) {
        sub.subscribe("room.1.state", m -> got.add(m.dataAsString()));
        sub.flush(WAIT);
        pub.publish("room.1.state", "before".getBytes());
        await().atMost(WAIT).until(() -> got.contains("before"));

        s.kill();
        await().atMost(WAIT).until(() -> events.contains(ConnectionEvent.Type.DISCONNECTED));
        s.start();
        await()
            .atMost(WAIT)
            .until(
                () ->
                    sub.state() == ConnectionState.CONNECTED
                        && pub.state() == ConnectionState.CONNECTED
                        && events.contains(ConnectionEvent.Type.RECONNECTED));
        sub.flush(WAIT); // subscription re-sent and acknowledged by the new process
        pub.publish("room.1.state", "after".getBytes());
        await().atMost(WAIT).until(() -> got.contains("after"));
        assertTrue(sub.stats().reconnects() >= 1);
        assertTrue(sub.stats().disconnects() >= 1);
      }
    }
  }

  @Test
  @DisplayName(
      "a frozen server is noticed by the pings: DISCONNECTED within ping interval x (max pings out"
          + " + 1), plus a second")
  void deadServerNoticed() {
    Duration ping = Duration.ofSeconds(1);
    int maxOut = 2;
    try (NatsServer s = NatsServer.startDefault()) {
      List<ConnectionEvent.Type> events = new CopyOnWriteArrayList<>();
      try (NatsBroker b =
          NatsBroker.connect(
              BrokerOptions.builder()
                  .servers(s.clientUrl())
                  .pingInterval(ping)
                  .maxPingsOut(maxOut)
                  .connectionListener(e -> events.add(e.type()))
                  .build())) {
        s.pause(); // the TCP connection stays up: only the pings can tell
        long t0 = System.nanoTime();
        try {
          // The bound is the option's own arithmetic: a ping every interval, the connection given
          // up once more than maxPingsOut are unanswered.
          Duration bound = ping.multipliedBy(maxOut + 1).plusSeconds(1);
          await()
              .atMost(bound.plusSeconds(2))
              .until(() -> events.contains(ConnectionEvent.Type.DISCONNECTED));
          long ms = (System.nanoTime() - t0) / 1_000_000;
          System.out.println("frozen server noticed after " + ms + " ms (bound " + bound + ")");
          assertTrue(ms >= ping.toMillis() * maxOut - 500, "noticed too early: " + ms + " ms");
        } finally {
          s.resume();
        }
      }
    }
  }

  @Test
  @DisplayName("requests work again after a reconnect")
  void requestAfterRestart() {
    try (NatsServer s = NatsServer.startDefault();
        NatsBroker service = NatsBroker.connect(BrokerOptions.of(s.clientUrl()));
        NatsBroker client = NatsBroker.connect(BrokerOptions.of(s.clientUrl()))) {
      service.subscribe("cmd.move", m -> service.reply(m, "ok".getBytes()));
      service.flush(WAIT);
      s.restart();
      await()
          .atMost(WAIT)
          .until(
              () ->
                  service.state() == ConnectionState.CONNECTED
                      && client.state() == ConnectionState.CONNECTED);
      service.flush(WAIT);
      Message r = client.request("cmd.move", "x".getBytes(), Duration.ofSeconds(2));
      assertEquals("ok", r.dataAsString());
    }
  }
}
