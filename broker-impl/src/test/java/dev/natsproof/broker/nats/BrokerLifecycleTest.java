package dev.natsproof.broker.nats;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.broker.BrokerClosedException;
import dev.natsproof.broker.BrokerOptions;
import dev.natsproof.broker.ConsumeOptions;
import dev.natsproof.broker.DrainTimeoutException;
import dev.natsproof.broker.EnqueueResult;
import dev.natsproof.broker.GameStreams;
import dev.natsproof.broker.Headers;
import dev.natsproof.broker.Message;
import dev.natsproof.broker.PayloadTooLargeException;
import dev.natsproof.broker.Subscription;
import dev.natsproof.testkit.NatsServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Drain, close and resource bounds of the Core and Stream brokers, against a real nats-server. */
class BrokerLifecycleTest {
  static final Duration WAIT = Duration.ofSeconds(20);
  static NatsServer server;

  @BeforeAll
  static void start() {
    server = NatsServer.builder().config("max_payload: 4096").start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static int connections() throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(server.monitorUrl() + "/connz")).build(),
                HttpResponse.BodyHandlers.ofString());
    Matcher m = Pattern.compile("\"num_connections\"\\s*:\\s*(\\d+)").matcher(r.body());
    assertTrue(m.find(), r.body());
    return Integer.parseInt(m.group(1));
  }

  @Test
  @DisplayName("a responder still working when drain begins gets its reply out before the close")
  void drainLetsAHandlerReply() throws Exception {
    CountDownLatch inHandler = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    try (NatsBroker responder = NatsBroker.connect(BrokerOptions.of(server.clientUrl()));
        NatsBroker client = NatsBroker.connect(BrokerOptions.of(server.clientUrl()))) {
      responder.subscribe(
          "cmd.deploy",
          m -> {
            inHandler.countDown();
            finish.await(10, TimeUnit.SECONDS);
            responder.reply(m, bytes("done"));
          });
      responder.flush(WAIT);
      CompletableFuture<Message> reply =
          client.requestAsync("cmd.deploy", Headers.EMPTY, bytes("go"), Duration.ofSeconds(10));
      assertTrue(inHandler.await(10, TimeUnit.SECONDS));
      CompletableFuture<Void> drained = responder.drain(WAIT); // the deploy starts here
      assertThrows(
          BrokerClosedException.class,
          () -> responder.subscribe("cmd.other", m -> {}),
          "no new interest while draining");
      // The handler is still held: the drain must not finish (and close the connection under it).
      // A drain that trusted jnats alone was done within milliseconds here.
      assertThrows(
          TimeoutException.class,
          () -> drained.get(500, TimeUnit.MILLISECONDS),
          "drain finished while a handler was still running");
      finish.countDown();
      assertEquals("done", reply.get(10, TimeUnit.SECONDS).dataAsString());
      drained.get(20, TimeUnit.SECONDS);
    }
  }

  @Test
  @DisplayName("a handler that drains its own subscription does not wait for itself")
  void handlerDrainsItsOwnSubscription() throws Exception {
    CompletableFuture<Long> tookMs = new CompletableFuture<>();
    AtomicReference<Subscription> self = new AtomicReference<>();
    try (NatsBroker b = NatsBroker.connect(BrokerOptions.of(server.clientUrl()))) {
      self.set(
          b.subscribe(
              "cmd.last",
              m -> {
                long t0 = System.nanoTime();
                try {
                  self.get().drain(Duration.ofSeconds(5));
                  tookMs.complete((System.nanoTime() - t0) / 1_000_000);
                } catch (RuntimeException e) {
                  tookMs.completeExceptionally(e);
                }
              }));
      b.flush(WAIT);
      b.publish("cmd.last", bytes("x"));
      // With the handler waiting for itself this would be a DrainTimeoutException after 5 s.
      assertTrue(tookMs.get(10, TimeUnit.SECONDS) < 5000);
      assertTrue(!self.get().isActive());
    }
  }

  @Test
  @DisplayName("a drain that runs out of time says so: DrainTimeoutException naming what was left")
  void drainTimeoutIsReported() throws Exception {
    CountDownLatch inHandler = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    NatsBroker b = NatsBroker.connect(BrokerOptions.of(server.clientUrl()));
    try (NatsBroker pub = NatsBroker.connect(BrokerOptions.of(server.clientUrl()))) {
      b.subscribeLatest(
          "room.1.state",
          m -> {
            inHandler.countDown();
            release.await(20, TimeUnit.SECONDS);
          });
      b.flush(WAIT);
      pub.publish("room.1.state", bytes("f"));
      assertTrue(inHandler.await(10, TimeUnit.SECONDS));
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () -> b.drain(Duration.ofMillis(500)).get(20, TimeUnit.SECONDS));
      assertTrue(e.getCause() instanceof DrainTimeoutException, e.toString());
      assertTrue(e.getCause().getMessage().contains("room.1.state"), e.getCause().getMessage());
    } finally {
      release.countDown();
      b.close();
    }
  }

  @Test
  @DisplayName("a Stream broker's drain lets a running handler enqueue and ack before closing")
  void streamDrainLetsHandlersFinish() throws Exception {
    CountDownLatch inHandler = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    List<EnqueueResult> followUps = new CopyOnWriteArrayList<>();
    NatsStreamBroker b = NatsStreamBroker.connect(BrokerOptions.of(server.clientUrl()));
    b.provision(GameStreams.settlement(1));
    b.provision(GameStreams.audit(1));
    b.consume(
        "SETTLEMENT",
        m -> {
          inHandler.countDown();
          finish.await(10, TimeUnit.SECONDS);
          followUps.add(b.enqueue("audit.settlement.done", m.data()));
          m.ack();
        },
        ConsumeOptions.builder().durable("drainers").build());
    assertTrue(b.enqueue("settle.battle.d", bytes("reward")).isAcked());
    assertTrue(inHandler.await(10, TimeUnit.SECONDS));
    CompletableFuture<Void> drained = b.drain(WAIT);
    finish.countDown();
    drained.get(30, TimeUnit.SECONDS);
    assertEquals(1, followUps.size());
    assertTrue(followUps.get(0).isAcked(), followUps.toString());
    try (NatsStreamBroker check = NatsStreamBroker.connect(BrokerOptions.of(server.clientUrl()))) {
      var jsm = check.connection().jetStreamManagement();
      assertEquals(0, jsm.getStreamInfo("SETTLEMENT").getStreamState().getMsgCount(), "acked");
      jsm.deleteStream("SETTLEMENT");
      jsm.deleteStream("AUDIT");
    }
  }

  @Test
  @DisplayName("an async window of 0 is refused before connecting: no connection is left open")
  void badWindowLeaksNothing() throws Exception {
    int before = connections();
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> NatsStreamBroker.connect(BrokerOptions.of(server.clientUrl()), 0));
    assertTrue(e.getMessage().contains("asyncWindow"), e.getMessage());
    assertEquals(before, connections());
  }

  @Test
  @DisplayName("headers count toward max_payload on Core publish too")
  void headersCountOnPublish() {
    try (NatsBroker b = NatsBroker.connect(BrokerOptions.of(server.clientUrl()))) {
      PayloadTooLargeException e =
          assertThrows(
              PayloadTooLargeException.class,
              () ->
                  b.publish("room.1.state", Headers.of("Trace", "x".repeat(200)), new byte[4000]));
      assertTrue(e.getMessage().contains("headers and data"), e.getMessage());
    }
  }

  @Test
  @DisplayName("the TLS reconnect jitter is the configured jitter, not jnats's own 1 s")
  void tlsJitter() {
    try (NatsBroker b =
        NatsBroker.connect(
            BrokerOptions.builder()
                .servers(server.clientUrl())
                .reconnectJitter(Duration.ofMillis(40))
                .build())) {
      assertEquals(Duration.ofMillis(40), b.connection().getOptions().getReconnectJitterTls());
      assertEquals(Duration.ofMillis(40), b.connection().getOptions().getReconnectJitter());
    }
  }

  @Test
  @DisplayName("50 backlogged latest-only subscriptions share a bounded pool, not a thread each")
  void latestPoolIsBounded() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger handling = new AtomicInteger();
    try (NatsBroker b = NatsBroker.connect(BrokerOptions.of(server.clientUrl()))) {
      for (int i = 0; i < 50; i++) {
        b.subscribeLatest(
            "room." + i + ".state",
            m -> {
              handling.incrementAndGet();
              release.await(10, TimeUnit.SECONDS);
            });
      }
      b.flush(WAIT);
      for (int i = 0; i < 50; i++) {
        b.publish("room." + i + ".state", bytes("f"));
      }
      int pool = Math.max(2, Runtime.getRuntime().availableProcessors());
      await().atMost(WAIT).until(() -> handling.get() == pool);
      long latestThreads =
          Thread.getAllStackTraces().keySet().stream()
              .filter(t -> t.getName().startsWith("natsproof-latest-" + b.name()))
              .count();
      assertEquals(pool, latestThreads);
      release.countDown();
      await().atMost(WAIT).until(() -> handling.get() == 50);
    }
  }

  @Test
  @DisplayName("once close() of a latest-only subscription returns, its handler never runs again")
  void noLatestHandlerAfterClose() throws Exception {
    CountDownLatch inHandler = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean closedReturned = new AtomicBoolean();
    AtomicInteger afterClose = new AtomicInteger();
    try (NatsBroker b = NatsBroker.connect(BrokerOptions.of(server.clientUrl()))) {
      Subscription s =
          b.subscribeLatest(
              "room.9.state",
              m -> {
                if (closedReturned.get()) {
                  afterClose.incrementAndGet();
                }
                inHandler.countDown();
                release.await(5, TimeUnit.SECONDS);
              });
      b.flush(WAIT);
      b.publish("room.9.state", bytes("f0"));
      assertTrue(inHandler.await(10, TimeUnit.SECONDS));
      b.publish("room.9.state", bytes("f1")); // waits in the slot behind the running handler
      b.flush(WAIT);
      Thread releaser = new Thread(release::countDown);
      releaser.start(); // close() waits for the running handler, which this lets finish
      s.close();
      closedReturned.set(true);
      b.publish("room.9.state", bytes("f2"));
      b.flush(WAIT);
      assertEquals(0, afterClose.get(), "a handler ran after close() returned");
    }
  }

  @Test
  @DisplayName("dropped stays cumulative after the subscription that dropped is closed")
  void droppedIsCumulative() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch first = new CountDownLatch(1);
    try (NatsBroker b =
            NatsBroker.connect(
                BrokerOptions.builder()
                    .servers(server.clientUrl())
                    .pendingMessageLimit(10)
                    .build());
        NatsBroker pub = NatsBroker.connect(BrokerOptions.of(server.clientUrl()))) {
      Subscription s =
          b.subscribe(
              "cmd.slow",
              m -> {
                first.countDown();
                release.await(10, TimeUnit.SECONDS);
              });
      b.flush(WAIT);
      pub.publish("cmd.slow", bytes("0"));
      assertTrue(first.await(10, TimeUnit.SECONDS)); // the dispatcher is now blocked
      for (int i = 1; i <= 200; i++) {
        pub.publish("cmd.slow", bytes(Integer.toString(i)));
      }
      pub.flush(WAIT);
      // The client drops past 10 pending: counted at the shared dispatcher, for the broker.
      await().atMost(WAIT).until(() -> b.stats().dropped() > 0);
      long dropped = b.stats().dropped();
      s.close();
      release.countDown();
      assertTrue(
          b.stats().dropped() >= dropped,
          "the closed subscription's " + dropped + " drops still count: " + b.stats());
      assertTrue(b.stats().slowConsumerEvents() >= 1, b.stats().toString());
    }
  }
}
