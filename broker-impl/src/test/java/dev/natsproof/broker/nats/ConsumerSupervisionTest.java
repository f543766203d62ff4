package dev.natsproof.broker.nats;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.natsproof.broker.BrokerOptions;
import dev.natsproof.broker.ConsumeOptions;
import dev.natsproof.broker.ConsumerHealth;
import dev.natsproof.broker.EnqueueOptions;
import dev.natsproof.broker.EnqueueResult;
import dev.natsproof.broker.GameStreams;
import dev.natsproof.broker.StreamConsumer;
import dev.natsproof.broker.StreamMessage;
import dev.natsproof.testkit.NatsServer;
import dev.natsproof.testkit.NatsServerBinary;
import io.nats.client.Connection;
import io.nats.client.Nats;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the consumer supervision does and, above all, does not do, against a real nats-server: it
 * never takes one worker's idleness for a wedge, never deletes a durable, costs an idle consumer no
 * API calls, and does not hold up async enqueue timeouts while it waits on the server.
 */
class ConsumerSupervisionTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  NatsServer server;
  NatsStreamBroker broker;

  @BeforeEach
  void start() {
    server = NatsServer.startDefault();
    broker = NatsStreamBroker.connect(BrokerOptions.of(server.clientUrl()));
    broker.provision(GameStreams.settlement(1));
  }

  @AfterEach
  void stop() {
    broker.close();
    server.close();
  }

  /** A handler that takes {@code job} for each message and tracks overlapping work per message. */
  static final class SlowSettler {
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger overlaps = new AtomicInteger();
    final List<String> handled = new CopyOnWriteArrayList<>();
    final ScheduledExecutorService jobs = Executors.newScheduledThreadPool(2);

    /** Hands the message to a job that heartbeats every 500 ms and acks after {@code job}. */
    void handle(StreamMessage m, Duration job) {
      if (running.incrementAndGet() > 1) {
        overlaps.incrementAndGet(); // the same settlement processed twice at the same time
      }
      handled.add(m.dataAsString());
      long ticks = job.toMillis() / 500;
      AtomicInteger n = new AtomicInteger();
      var beat =
          jobs.scheduleAtFixedRate(
              () -> {
                if (n.incrementAndGet() < ticks) {
                  m.inProgress();
                }
              },
              500,
              500,
              TimeUnit.MILLISECONDS);
      jobs.schedule(
          () -> {
            beat.cancel(false);
            running.decrementAndGet();
            m.ack();
          },
          job.toMillis(),
          TimeUnit.MILLISECONDS);
    }
  }

  ConsumeOptions settlers() {
    return ConsumeOptions.builder()
        .queue("settlers")
        .ackWait(Duration.ofSeconds(2)) // the broker's wedge period: 5 s
        .maxAckPending(10)
        .build();
  }

  @Test
  @DisplayName(
      "two workers, one busy with a 9 s settlement: the idle one never resets the durable, and"
          + " the settlement is never processed twice at once")
  void idleWorkerDoesNotResetASharedDurable() throws Exception {
    SlowSettler s = new SlowSettler();
    try (NatsStreamBroker second = NatsStreamBroker.connect(BrokerOptions.of(server.clientUrl()))) {
      StreamConsumer a =
          broker.consume("SETTLEMENT", m -> s.handle(m, Duration.ofSeconds(9)), settlers());
      StreamConsumer b =
          second.consume("SETTLEMENT", m -> s.handle(m, Duration.ofSeconds(9)), settlers());
      assertTrue(broker.enqueue("settle.battle.9", "reward".getBytes()).isAcked());
      await().atMost(WAIT).until(() -> s.handled.size() == 1 && s.running.get() == 0);
      assertEquals(0, s.overlaps.get(), "the same settlement ran twice at once");
      assertEquals(List.of("reward"), s.handled);
      assertEquals(0, a.resets() + b.resets(), "no reset");
      assertEquals(0, a.recreations() + b.recreations());
    } finally {
      s.jobs.shutdownNow();
    }
  }

  @Test
  @DisplayName("one worker with a long job that sends in-progress is left alone: no redelivery")
  void inProgressKeepsALongJob() throws Exception {
    SlowSettler s = new SlowSettler();
    try {
      StreamConsumer c =
          broker.consume("SETTLEMENT", m -> s.handle(m, Duration.ofSeconds(9)), settlers());
      String created =
          broker
              .connection()
              .jetStreamManagement()
              .getConsumerInfo("SETTLEMENT", "settlers")
              .getCreationTime()
              .toString();
      assertTrue(broker.enqueue("settle.battle.1", "long".getBytes()).isAcked());
      await().atMost(WAIT).until(() -> s.handled.size() == 1 && s.running.get() == 0);
      assertEquals(List.of("long"), s.handled, "delivered once");
      assertEquals(0, c.resets());
      assertEquals(
          created,
          broker
              .connection()
              .jetStreamManagement()
              .getConsumerInfo("SETTLEMENT", "settlers")
              .getCreationTime()
              .toString(),
          "the durable was never deleted and created again");
    } finally {
      s.jobs.shutdownNow();
    }
  }

  @Test
  @DisplayName("an idle consumer asks the server nothing: no consumer-info requests in 8 s")
  void idleConsumerMakesNoApiCalls() throws Exception {
    List<String> infoRequests = new CopyOnWriteArrayList<>();
    try (Connection watcher = Nats.connect(server.clientUrl())) {
      var d = watcher.createDispatcher(m -> infoRequests.add(m.getSubject()));
      d.subscribe("$JS.API.CONSUMER.INFO.>");
      watcher.flush(Duration.ofSeconds(5));
      List<String> got = new CopyOnWriteArrayList<>();
      StreamConsumer c =
          broker.consume(
              "SETTLEMENT",
              m -> {
                got.add(m.dataAsString());
                m.ack();
              },
              ConsumeOptions.builder().durable("idle").build());
      assertTrue(broker.enqueue("settle.battle.i", "one".getBytes()).isAcked());
      await().atMost(WAIT).until(() -> got.size() == 1);
      int before = infoRequests.size(); // the consume itself asked once or twice
      // The idle period is the behaviour under test: 8 s would have held four watchdog looks.
      Thread.sleep(8_000);
      assertEquals(
          List.of(), infoRequests.subList(before, infoRequests.size()), "info requests while idle");
      assertEquals(0, ((NatsStreamConsumer) c).looks());
    }
  }

  @Test
  @DisplayName(
      "async enqueue timeouts hold while supervision waits on a frozen server (it has its own thread)")
  void supervisionDoesNotDelayEnqueueTimeouts() throws Exception {
    broker.provision(GameStreams.audit(1));
    for (int i = 0; i < 3; i++) {
      broker.consume("AUDIT", m -> {}, ConsumeOptions.builder().durable("hold" + i).build());
    }
    for (int i = 0; i < 30; i++) {
      assertTrue(broker.enqueue("audit.game.h" + i, "held".getBytes()).isAcked());
    }
    server.pause();
    try {
      // Heartbeats stop: supervision looks at every consumer and each look waits for its timeout.
      long t0 = System.nanoTime();
      List<CompletableFuture<EnqueueResult>> fs = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        fs.add(
            broker.enqueueAsync(
                "settle.battle.p" + i,
                "x".getBytes(),
                EnqueueOptions.builder()
                    .attemptTimeout(Duration.ofMillis(300))
                    .deadline(Duration.ofMillis(1200))
                    .build()));
        Thread.sleep(1000); // spread over the period in which the looks block
      }
      for (var f : fs) {
        f.get(30, TimeUnit.SECONDS);
      }
      long ms = (System.nanoTime() - t0) / 1_000_000;
      // 4 s of spacing plus one 1.2 s deadline; with looks on the timer thread each enqueue
      // waited behind three consumer-info timeouts.
      assertTrue(ms < 9_000, "5 enqueues with a 1.2 s deadline ended after " + ms + " ms");
    } finally {
      server.resume();
    }
  }

  @Test
  @DisplayName("starting and stopping 100 consumers leaves no dispatcher thread behind")
  void noDispatcherThreadLeak() {
    broker.provision(GameStreams.audit(1));
    int before = Thread.activeCount();
    for (int i = 0; i < 100; i++) {
      StreamConsumer c =
          broker.consume("AUDIT", m -> m.ack(), ConsumeOptions.builder().durable("t" + i).build());
      c.close();
    }
    await().atMost(WAIT).until(() -> Thread.activeCount() <= before + 5);
  }

  static Stream<NatsServerBinary> versions() {
    return NatsServerBinary.matrix().stream();
  }

  @ParameterizedTest(name = "nats-server {0}")
  @MethodSource("versions")
  @DisplayName(
      "a paused durable holding work is reported WEDGED; reset through the API only where the"
          + " server has one (2.14+), and never deleted")
  void pausedConsumerIsReported(NatsServerBinary binary) throws Exception {
    assumeTrue(
        binary.serverVersion().atLeast(dev.natsproof.results.ServerVersion.of(2, 11, 0)),
        "consumer pause needs nats-server 2.11+, this is " + binary.version());
    try (NatsServer s = NatsServer.builder().binary(binary).start();
        NatsStreamBroker b = NatsStreamBroker.connect(BrokerOptions.of(s.clientUrl()))) {
      b.provision(GameStreams.settlement(1));
      List<String> got = new CopyOnWriteArrayList<>();
      StreamConsumer c =
          b.consume(
              "SETTLEMENT",
              m -> {
                got.add(m.dataAsString());
                m.ack();
              },
              ConsumeOptions.builder().durable("paused").ackWait(Duration.ofSeconds(1)).build());
      assertTrue(b.enqueue("settle.battle.a", "first".getBytes()).isAcked());
      await().atMost(WAIT).until(() -> got.size() == 1);
      var jsm = b.connection().jetStreamManagement();
      String created = jsm.getConsumerInfo("SETTLEMENT", "paused").getCreationTime().toString();
      jsm.pauseConsumer("SETTLEMENT", "paused", ZonedDateTime.now().plusMinutes(10));
      for (int i = 0; i < 5; i++) {
        assertTrue(b.enqueue("settle.battle.w" + i, "waiting".getBytes()).isAcked());
      }
      // Nothing known pending and heartbeats arriving: the idle look (after 30 s) finds the held
      // messages, the next looks see them stay put.
      await().atMost(Duration.ofSeconds(90)).until(() -> c.wedges() >= 1);
      assertEquals(ConsumerHealth.State.WEDGED, c.health().state(), c.health().toString());
      boolean resetApi = b.serverFeatures().consumerReset();
      if (resetApi) {
        await().atMost(WAIT).until(() -> c.resets() >= 1);
      } else {
        assertEquals(0, c.resets(), "no reset API before 2.14: reported only");
      }
      assertEquals(0, c.recreations());
      assertEquals(
          created,
          jsm.getConsumerInfo("SETTLEMENT", "paused").getCreationTime().toString(),
          "never deleted");
      jsm.resumeConsumer("SETTLEMENT", "paused");
      await().atMost(WAIT).until(() -> got.size() >= 6);
      await().atMost(WAIT).until(() -> c.health().state() == ConsumerHealth.State.ACTIVE);
    }
  }
}
