package dev.natsproof.broker.nats;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.broker.BrokerOptions;
import dev.natsproof.broker.ConsumeOptions;
import dev.natsproof.broker.DeliverPolicy;
import dev.natsproof.broker.EnqueueOptions;
import dev.natsproof.broker.EnqueueResult;
import dev.natsproof.broker.EnqueueResult.RejectReason;
import dev.natsproof.broker.ReplayRequest;
import dev.natsproof.broker.StreamConfigMismatchException;
import dev.natsproof.broker.StreamConsumer;
import dev.natsproof.broker.StreamMessage;
import dev.natsproof.broker.StreamSpec;
import io.nats.client.api.ConsumerInfo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The Stream broker's contract, run against every server layout (single node, 3-node cluster with
 * R3 streams) by the subclasses. Each test gets its own stream.
 */
abstract class StreamBrokerContract {
  static final Duration WAIT = Duration.ofSeconds(20);
  private static final AtomicInteger STREAMS = new AtomicInteger();

  NatsStreamBroker broker;
  String stream;
  String subjects;

  abstract List<String> urls();

  abstract int replicas();

  @BeforeEach
  void connect() {
    broker = NatsStreamBroker.connect(BrokerOptions.builder().servers(urls()).build(), 16);
    int n = STREAMS.incrementAndGet();
    stream = "T" + n + "_" + replicas();
    subjects = "t" + n + "r" + replicas();
  }

  @AfterEach
  void close() {
    broker.close();
  }

  StreamSpec spec(StreamSpec.Retention retention) {
    return new StreamSpec(
        stream,
        List.of(subjects + ".>"),
        retention,
        replicas(),
        Duration.ofHours(1),
        Duration.ofMinutes(2),
        -1,
        -1);
  }

  void provision(StreamSpec.Retention retention) {
    broker.provision(spec(retention));
  }

  /**
   * The server starts ack-wait and nak-delay timers when it sends; the handler sees the message a
   * little later (client buffering, earlier handlers), so a gap measured between two handler calls
   * can fall short of the configured time by that much (observed: 2 ms).
   */
  static final long DISPATCH_SLACK_MS = 100;

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  EnqueueResult.Acked acked(EnqueueResult r) {
    return assertInstanceOf(EnqueueResult.Acked.class, r, r.toString());
  }

  ConsumerInfo info(String durable) throws Exception {
    return broker.connection().jetStreamManagement().getConsumerInfo(stream, durable);
  }

  // ---------------------------------------------------------------- enqueue

  @Test
  @DisplayName("the same idempotency key stores one message: same sequence, duplicate flag")
  void dedupByKey() {
    provision(StreamSpec.Retention.LIMITS);
    var first =
        acked(
            broker.enqueue(
                subjects + ".settle", bytes("r"), EnqueueOptions.idempotencyKey("battle-1")));
    var second =
        acked(
            broker.enqueue(
                subjects + ".settle", bytes("r"), EnqueueOptions.idempotencyKey("battle-1")));
    assertFalse(first.duplicate());
    assertTrue(second.duplicate());
    assertEquals(first.sequence(), second.sequence());
    assertEquals("battle-1", second.messageId());
  }

  @Test
  @DisplayName("without a key every enqueue gets its own generated message id")
  void generatedIds() {
    provision(StreamSpec.Retention.LIMITS);
    var a = acked(broker.enqueue(subjects + ".x", bytes("a")));
    var b = acked(broker.enqueue(subjects + ".x", bytes("b")));
    assertNotEquals(a.messageId(), b.messageId());
    assertNotEquals(a.sequence(), b.sequence());
    List<StreamMessage> back = broker.replay(ReplayRequest.sequences(stream, 1, 2));
    assertEquals(a.messageId(), back.get(0).messageId().orElseThrow());
  }

  @Test
  @DisplayName("a subject no stream captures is rejected as NO_STREAM at once")
  void rejectedNoStream() {
    EnqueueResult r = broker.enqueue("nostream." + subjects, bytes("x"));
    var rej = assertInstanceOf(EnqueueResult.Rejected.class, r, r.toString());
    assertEquals(RejectReason.NO_STREAM, rej.reason());
    assertEquals(1, rej.attempts());
  }

  @Test
  @DisplayName("a wrong expected last sequence is rejected, the right one is stored")
  void rejectedWrongSequence() {
    provision(StreamSpec.Retention.LIMITS);
    acked(broker.enqueue(subjects + ".x", bytes("1")));
    EnqueueResult wrong =
        broker.enqueue(
            subjects + ".x", bytes("2"), EnqueueOptions.builder().expectedLastSequence(5).build());
    assertEquals(
        RejectReason.WRONG_EXPECTED_SEQUENCE,
        assertInstanceOf(EnqueueResult.Rejected.class, wrong, wrong.toString()).reason());
    acked(
        broker.enqueue(
            subjects + ".x", bytes("2"), EnqueueOptions.builder().expectedLastSequence(1).build()));
  }

  @Test
  @DisplayName("a payload over max_payload and an invalid subject are rejected before sending")
  void rejectedBeforeSending() {
    provision(StreamSpec.Retention.LIMITS);
    var big = broker.enqueue(subjects + ".x", new byte[(int) broker.maxPayloadBytes() + 1]);
    assertEquals(RejectReason.TOO_LARGE, ((EnqueueResult.Rejected) big).reason());
    var bad = broker.enqueue(subjects + ".*", bytes("x"));
    assertEquals(RejectReason.INVALID_SUBJECT, ((EnqueueResult.Rejected) bad).reason());
    assertEquals(0, ((EnqueueResult.Rejected) bad).attempts());
  }

  @Test
  @DisplayName("async enqueues are all acked, in flight never beyond the window")
  void asyncWindow() {
    provision(StreamSpec.Retention.LIMITS);
    List<CompletableFuture<EnqueueResult>> fs = new ArrayList<>();
    int maxInFlight = 0;
    for (int i = 0; i < 300; i++) {
      fs.add(
          broker.enqueueAsync(
              subjects + ".a", bytes("m" + i), EnqueueOptions.idempotencyKey("a-" + i)));
      maxInFlight = Math.max(maxInFlight, broker.asyncInFlight());
    }
    Set<Long> seqs = new HashSet<>();
    for (var f : fs) {
      seqs.add(acked(f.join()).sequence());
    }
    assertEquals(300, seqs.size());
    assertTrue(maxInFlight <= 16, "in flight " + maxInFlight);
    assertEquals(0, broker.asyncInFlight());
  }

  // ---------------------------------------------------------------- ack paths

  @Test
  @DisplayName("nak: redelivered at once, same stream sequence, delivery count + 1")
  void nakRedelivers() {
    provision(StreamSpec.Retention.WORK_QUEUE);
    List<StreamMessage> seen = new CopyOnWriteArrayList<>();
    broker.consume(
        stream,
        m -> {
          seen.add(m);
          if (m.deliveryCount() == 1) {
            m.nak();
          } else {
            m.ack();
          }
        },
        ConsumeOptions.builder().durable("w").ackWait(Duration.ofSeconds(30)).build());
    long seq = acked(broker.enqueue(subjects + ".x", bytes("n"))).sequence();
    await().atMost(WAIT).until(() -> seen.size() == 2);
    assertEquals(List.of(1L, 2L), seen.stream().map(StreamMessage::deliveryCount).toList());
    assertEquals(seq, seen.get(1).streamSequence());
  }

  @Test
  @DisplayName("nak with a delay: not redelivered before the delay")
  void nakDelay() {
    provision(StreamSpec.Retention.WORK_QUEUE);
    AtomicLong nakAt = new AtomicLong();
    AtomicLong redeliveredAt = new AtomicLong();
    broker.consume(
        stream,
        m -> {
          if (m.deliveryCount() == 1) {
            nakAt.set(System.nanoTime());
            m.nak(Duration.ofMillis(1500));
          } else {
            redeliveredAt.set(System.nanoTime());
            m.ack();
          }
        },
        ConsumeOptions.builder().durable("w").build());
    acked(broker.enqueue(subjects + ".x", bytes("d")));
    await().atMost(WAIT).until(() -> redeliveredAt.get() != 0);
    long waitedMs = (redeliveredAt.get() - nakAt.get()) / 1_000_000;
    assertTrue(
        waitedMs >= 1500 - DISPATCH_SLACK_MS,
        "redelivered after " + waitedMs + " ms, delay 1500 ms");
  }

  @Test
  @DisplayName("term: never redelivered (the server counts it as done)")
  void termNeverRedelivered() throws Exception {
    provision(StreamSpec.Retention.LIMITS);
    List<Long> deliveries = new CopyOnWriteArrayList<>();
    broker.consume(
        stream,
        m -> {
          deliveries.add(m.deliveryCount());
          m.term();
        },
        ConsumeOptions.builder().durable("w").ackWait(Duration.ofSeconds(1)).build());
    long seq = acked(broker.enqueue(subjects + ".x", bytes("poison"))).sequence();
    await().atMost(WAIT).until(() -> info("w").getAckFloor().getStreamSequence() >= seq);
    ConsumerInfo ci = info("w");
    assertEquals(0, ci.getNumAckPending());
    assertEquals(0, ci.getRedelivered());
    assertEquals(List.of(1L), deliveries);
  }

  @Test
  @DisplayName("ack wait expiry: redelivered, not before the ack wait")
  void ackWaitRedelivers() {
    provision(StreamSpec.Retention.WORK_QUEUE);
    List<Long> at = new CopyOnWriteArrayList<>();
    broker.consume(
        stream,
        m -> {
          at.add(System.nanoTime());
          if (m.deliveryCount() >= 2) {
            m.ack();
          } // first delivery: returns without settling
        },
        ConsumeOptions.builder().durable("w").ackWait(Duration.ofSeconds(1)).build());
    acked(broker.enqueue(subjects + ".x", bytes("slow")));
    await().atMost(WAIT).until(() -> at.size() == 2);
    long ms = (at.get(1) - at.get(0)) / 1_000_000;
    assertTrue(
        ms >= 1000 - DISPATCH_SLACK_MS, "redelivered after " + ms + " ms, ack wait is 1000 ms");
  }

  @Test
  @DisplayName("in progress keeps a message from redelivery past its ack wait")
  void inProgressExtends() throws Exception {
    provision(StreamSpec.Retention.WORK_QUEUE);
    List<Long> deliveries = new CopyOnWriteArrayList<>();
    broker.consume(
        stream,
        m -> {
          deliveries.add(m.deliveryCount());
          // Work for 2.5 ack waits, telling the server every 0.3 s.
          long end = System.nanoTime() + 2_500_000_000L;
          while (System.nanoTime() < end) {
            Thread.sleep(300);
            m.inProgress();
          }
          m.ack();
        },
        ConsumeOptions.builder().durable("w").ackWait(Duration.ofSeconds(1)).build());
    acked(broker.enqueue(subjects + ".x", bytes("long job")));
    await().atMost(WAIT).until(() -> info("w").getAckFloor().getStreamSequence() >= 1);
    assertEquals(List.of(1L), deliveries);
    assertEquals(0, info("w").getRedelivered());
  }

  @Test
  @DisplayName("past max deliver a failing message is dead-lettered exactly once, with its reason")
  void maxDeliverDeadLetters() throws Exception {
    provision(StreamSpec.Retention.WORK_QUEUE);
    broker.provision(
        new StreamSpec(
            stream + "_DLQ",
            List.of("dlq." + subjects),
            StreamSpec.Retention.LIMITS,
            replicas(),
            Duration.ofHours(1),
            Duration.ofMinutes(2),
            -1,
            -1));
    List<Long> deliveries = new CopyOnWriteArrayList<>();
    StreamConsumer c =
        broker.consume(
            stream,
            m -> {
              deliveries.add(m.deliveryCount());
              throw new IllegalStateException("reward table missing");
            },
            ConsumeOptions.builder()
                .durable("w")
                .maxDeliver(3)
                .deadLetterSubject("dlq." + subjects)
                .build());
    long seq = acked(broker.enqueue(subjects + ".x", bytes("bad"))).sequence();
    await().atMost(WAIT).until(() -> c.deadLettered() == 1 && c.termed() == 1);
    assertEquals(List.of(1L, 2L, 3L), deliveries);
    List<StreamMessage> dlq = broker.replay(ReplayRequest.after(stream + "_DLQ", null, 0));
    assertEquals(1, dlq.size());
    StreamMessage d = dlq.get(0);
    assertEquals("bad", d.dataAsString());
    assertEquals("3", d.headers().first("Natsproof-Deliveries").orElseThrow());
    assertEquals(Long.toString(seq), d.headers().first("Natsproof-Stream-Sequence").orElseThrow());
    assertTrue(
        d.headers()
            .first("Natsproof-Dead-Letter-Reason")
            .orElseThrow()
            .contains("reward table missing"));
    await().atMost(WAIT).until(() -> info("w").getNumAckPending() == 0);
    assertEquals(
        0,
        broker
            .connection()
            .jetStreamManagement()
            .getStreamInfo(stream)
            .getStreamState()
            .getMsgCount());
  }

  @Test
  @DisplayName("a last delivery that times out is dead-lettered once via the server's advisory")
  void maxDeliverByAckWait() throws Exception {
    provision(StreamSpec.Retention.WORK_QUEUE);
    broker.provision(
        new StreamSpec(
            stream + "_DLQ",
            List.of("dlq." + subjects),
            StreamSpec.Retention.LIMITS,
            replicas(),
            Duration.ofHours(1),
            Duration.ofMinutes(2),
            -1,
            -1));
    StreamConsumer c =
        broker.consume(
            stream,
            m -> {}, // never settles
            ConsumeOptions.builder()
                .durable("w")
                .ackWait(Duration.ofSeconds(1))
                .maxDeliver(2)
                .deadLetterSubject("dlq." + subjects)
                .build());
    acked(broker.enqueue(subjects + ".x", bytes("stuck")));
    await().atMost(WAIT).until(() -> c.deadLettered() == 1);
    await()
        .atMost(WAIT)
        .until(
            () ->
                broker
                        .connection()
                        .jetStreamManagement()
                        .getStreamInfo(stream)
                        .getStreamState()
                        .getMsgCount()
                    == 0);
    List<StreamMessage> dlq = broker.replay(ReplayRequest.after(stream + "_DLQ", null, 0));
    assertEquals(1, dlq.size());
    assertTrue(
        dlq.get(0)
            .headers()
            .first("Natsproof-Dead-Letter-Reason")
            .orElseThrow()
            .contains("ack wait"));
  }

  @Test
  @DisplayName("a handler that throws is nak'ed and the message comes back")
  void handlerThrowsNaks() {
    provision(StreamSpec.Retention.WORK_QUEUE);
    List<Long> deliveries = new CopyOnWriteArrayList<>();
    StreamConsumer c =
        broker.consume(
            stream,
            m -> {
              deliveries.add(m.deliveryCount());
              if (m.deliveryCount() == 1) {
                throw new IllegalStateException("transient");
              }
              m.ack();
            },
            ConsumeOptions.builder().durable("w").build());
    acked(broker.enqueue(subjects + ".x", bytes("t")));
    await().atMost(WAIT).until(() -> c.acked() == 1);
    assertEquals(List.of(1L, 2L), deliveries);
    assertEquals(1, c.handlerErrors());
    assertEquals(1, c.naked());
  }

  @Test
  @DisplayName("auto-ack acks a message whose handler returned without settling")
  void autoAck() throws Exception {
    provision(StreamSpec.Retention.WORK_QUEUE);
    StreamConsumer c =
        broker.consume(
            stream, m -> {}, ConsumeOptions.builder().durable("w").autoAck(true).build());
    acked(broker.enqueue(subjects + ".x", bytes("t")));
    await().atMost(WAIT).until(() -> c.acked() == 1);
    await().atMost(WAIT).until(() -> info("w").getNumAckPending() == 0);
  }

  @Test
  @DisplayName("a second settle of one delivery is refused")
  void doubleSettle() {
    provision(StreamSpec.Retention.WORK_QUEUE);
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    broker.consume(
        stream,
        m -> {
          m.ack();
          try {
            m.nak();
          } catch (IllegalStateException e) {
            errors.add(e);
          }
        },
        ConsumeOptions.builder().durable("w").build());
    acked(broker.enqueue(subjects + ".x", bytes("t")));
    await().atMost(WAIT).until(() -> errors.size() == 1);
    assertTrue(errors.get(0).getMessage().contains("already settled"));
  }

  // ---------------------------------------------------------------- sharing, flow control

  @Test
  @DisplayName("queue members share one durable: each message processed once, none lost")
  void queueSharing() {
    provision(StreamSpec.Retention.WORK_QUEUE);
    Set<String> seen = ConcurrentHashMap.newKeySet();
    AtomicInteger handled = new AtomicInteger();
    List<AtomicInteger> perMember = List.of(new AtomicInteger(), new AtomicInteger());
    try (NatsStreamBroker other =
        NatsStreamBroker.connect(BrokerOptions.builder().servers(urls()).build())) {
      for (int i = 0; i < 2; i++) {
        AtomicInteger mine = perMember.get(i);
        (i == 0 ? broker : other)
            .consume(
                stream,
                m -> {
                  seen.add(m.dataAsString());
                  handled.incrementAndGet();
                  mine.incrementAndGet();
                  m.ack();
                },
                ConsumeOptions.builder().queue("settlers").batchSize(10).build());
      }
      for (int i = 0; i < 300; i++) {
        acked(broker.enqueue(subjects + ".x", bytes("m" + i)));
      }
      await().atMost(WAIT).until(() -> seen.size() == 300);
      await()
          .atMost(WAIT)
          .until(
              () ->
                  broker
                          .connection()
                          .jetStreamManagement()
                          .getStreamInfo(stream)
                          .getStreamState()
                          .getMsgCount()
                      == 0);
      assertEquals(300, handled.get(), "no message handled twice");
    }
  }

  @Test
  @DisplayName("max ack pending caps unsettled deliveries; the rest follow as they are acked")
  void maxAckPending() {
    provision(StreamSpec.Retention.WORK_QUEUE);
    List<StreamMessage> held = new CopyOnWriteArrayList<>();
    broker.consume(
        stream,
        held::add,
        ConsumeOptions.builder().durable("w").maxAckPending(5).batchSize(5).build());
    for (int i = 0; i < 20; i++) {
      acked(broker.enqueue(subjects + ".x", bytes("m" + i)));
    }
    await().atMost(WAIT).until(() -> held.size() == 5);
    // The server has nothing more to give until one is acked: prove it with its own numbers.
    await().atMost(WAIT).until(() -> info("w").getNumAckPending() == 5);
    assertEquals(5, held.size());
    int acked = 0;
    while (acked < 20) {
      int n = held.size();
      for (int i = acked; i < n; i++) {
        held.get(i).ack();
      }
      acked = n;
      int target = Math.min(20, acked + 5);
      if (acked < 20) {
        await().atMost(WAIT).until(() -> held.size() == target);
      }
    }
    assertEquals(20, held.size());
  }

  @Test
  @DisplayName("max ack pending 1 delivers one at a time, in order, without stalling")
  void maxAckPendingOne() {
    provision(StreamSpec.Retention.LIMITS);
    for (int i = 0; i < 50; i++) {
      acked(broker.enqueue(subjects + ".p1", bytes("s" + i)));
    }
    List<String> got = new CopyOnWriteArrayList<>();
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    broker.consume(
        stream,
        m -> {
          maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
          got.add(m.dataAsString());
          inFlight.decrementAndGet();
          m.ack();
        },
        ConsumeOptions.builder().durable("ranker").maxAckPending(1).build());
    // A pull batch of 1 used to re-pull only on jnats's heartbeat alarm: ~2.5 s per message.
    await().atMost(WAIT).until(() -> got.size() == 50);
    for (int i = 0; i < 50; i++) {
      assertEquals("s" + i, got.get(i));
    }
    assertEquals(1, maxInFlight.get());
  }

  // ---------------------------------------------------------------- replay, provisioning

  @Test
  @DisplayName("mail replay returns one player's messages after the last seen, in order")
  void mailReplay() {
    provision(StreamSpec.Retention.LIMITS);
    List<Long> aliceSeqs = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      aliceSeqs.add(acked(broker.enqueue(subjects + ".alice.mail", bytes("a" + i))).sequence());
      acked(broker.enqueue(subjects + ".bob.mail", bytes("b" + i)));
    }
    List<StreamMessage> all = broker.replay(ReplayRequest.after(stream, subjects + ".alice.>", 0));
    assertEquals(10, all.size());
    for (int i = 0; i < 10; i++) {
      assertEquals("a" + i, all.get(i).dataAsString());
      assertEquals(aliceSeqs.get(i), all.get(i).streamSequence());
    }
    List<StreamMessage> newer =
        broker.replay(ReplayRequest.after(stream, subjects + ".alice.>", aliceSeqs.get(6)));
    assertEquals(
        List.of("a7", "a8", "a9"), newer.stream().map(StreamMessage::dataAsString).toList());
    assertTrue(broker.replay(ReplayRequest.after(stream, subjects + ".carol.>", 0)).isEmpty());
  }

  @Test
  @DisplayName("audit replay by sequence range and by time range returns exactly what was written")
  void auditReplay() {
    provision(StreamSpec.Retention.LIMITS);
    for (int i = 1; i <= 5; i++) {
      acked(broker.enqueue(subjects + ".audit", bytes("e" + i)));
    }
    Instant mid = broker.replay(ReplayRequest.sequences(stream, 5, 5)).get(0).timestamp();
    for (int i = 6; i <= 10; i++) {
      acked(broker.enqueue(subjects + ".audit", bytes("e" + i)));
    }
    assertEquals(
        List.of("e3", "e4", "e5", "e6"),
        broker.replay(ReplayRequest.sequences(stream, 3, 6)).stream()
            .map(StreamMessage::dataAsString)
            .toList());
    List<StreamMessage> before = broker.replay(ReplayRequest.between(stream, Instant.EPOCH, mid));
    assertEquals(
        List.of("e1", "e2", "e3", "e4"), before.stream().map(StreamMessage::dataAsString).toList());
    List<StreamMessage> from =
        broker.replay(ReplayRequest.between(stream, mid, Instant.now().plusSeconds(60)));
    assertEquals("e5", from.get(0).dataAsString());
    assertEquals(6, from.size());
  }

  static List<String> data(List<StreamMessage> ms) {
    return ms.stream().map(StreamMessage::dataAsString).toList();
  }

  @Test
  @DisplayName(
      "replay ends by sequence around deleted first, middle and last messages, a late start and a"
          + " message bound")
  void replayAroundDeletes() throws Exception {
    provision(StreamSpec.Retention.LIMITS);
    for (int i = 1; i <= 8; i++) {
      acked(broker.enqueue(subjects + ".audit", bytes("e" + i)));
    }
    var jsm = broker.connection().jetStreamManagement();
    for (long seq : new long[] {1, 4, 8}) {
      assertTrue(jsm.deleteMessage(stream, seq));
    }
    List<String> left = List.of("e2", "e3", "e5", "e6", "e7");
    assertEquals(left, data(broker.replay(ReplayRequest.sequences(stream, 1, 8))));
    assertEquals(left, data(broker.replay(ReplayRequest.after(stream, null, 0))));
    assertEquals(
        List.of("e5", "e6", "e7"),
        data(broker.replay(ReplayRequest.after(stream, subjects + ".>", 3))));
    Instant later = Instant.now().plusSeconds(30);
    assertTrue(broker.replay(ReplayRequest.between(stream, later, later.plusSeconds(1))).isEmpty());
    assertTrue(broker.replay(ReplayRequest.after(stream, null, 8)).isEmpty());
    assertEquals(
        List.of("e2", "e3"),
        data(broker.replay(new ReplayRequest(stream, null, 0, null, 0, null, 2))));
  }

  /**
   * Before each batch from the {@code fromBatch}-th on, takes one message from the replay's
   * consumer so the replay never receives it; {@code times} in all.
   */
  private StreamReplay.BetweenBatches thief(AtomicInteger stolen, int fromBatch, int times) {
    AtomicInteger batches = new AtomicInteger();
    return (s, consumer) -> {
      if (batches.incrementAndGet() >= fromBatch && stolen.get() < times) {
        var taken =
            broker
                .connection()
                .getStreamContext(s)
                .getConsumerContext(consumer)
                .next(Duration.ofSeconds(5));
        if (taken != null) {
          stolen.incrementAndGet();
        }
      }
    };
  }

  private List<String> enqueueNumbered(int n) {
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      acked(broker.enqueue(subjects + ".audit", bytes("m" + i)));
      sent.add("m" + i);
    }
    return sent;
  }

  @Test
  @DisplayName("a replay whose consumer loses a delivery starts again after the last one it read")
  void replayRecoversALostDelivery() throws Exception {
    provision(StreamSpec.Retention.LIMITS);
    List<String> sent = enqueueNumbered(StreamReplay.BATCH * 2 + 10);
    AtomicInteger stolen = new AtomicInteger();
    var conn = broker.connection();
    List<StreamMessage> back =
        StreamReplay.run(
            conn,
            conn.jetStreamManagement(),
            ReplayRequest.after(stream, null, 0),
            thief(stolen, 2, 1));
    assertEquals(1, stolen.get(), "the thief took one delivery");
    List<String> got = data(back);
    List<String> missing = sent.stream().filter(v -> !got.contains(v)).toList();
    assertEquals(List.of(), missing, "sent but not replayed");
    assertEquals(sent, got, "replayed in order, once each");
  }

  @Test
  @DisplayName("a replay whose consumers keep losing deliveries fails, naming what it saw")
  void replayGivesUpOnAConsumerThatKeepsLosing() {
    provision(StreamSpec.Retention.LIMITS);
    enqueueNumbered(20);
    AtomicInteger stolen = new AtomicInteger();
    var conn = broker.connection();
    var e =
        assertThrows(
            Exception.class,
            () ->
                StreamReplay.run(
                    conn,
                    conn.jetStreamManagement(),
                    ReplayRequest.after(stream, null, 0),
                    thief(stolen, 1, Integer.MAX_VALUE)));
    assertTrue(e.getMessage().contains("did not deliver"), e.getMessage());
    assertTrue(e.getMessage().contains("consumer sequence went from 0 to 2"), e.getMessage());
    assertEquals(StreamReplay.MAX_RESTARTS + 1, stolen.get());
  }

  @Test
  @DisplayName("provisioning is idempotent; a differing existing stream is a clear error")
  void provisioning() {
    provision(StreamSpec.Retention.WORK_QUEUE);
    provision(StreamSpec.Retention.WORK_QUEUE);
    StreamConfigMismatchException e =
        assertThrows(
            StreamConfigMismatchException.class, () -> provision(StreamSpec.Retention.LIMITS));
    assertTrue(e.getMessage().contains("retention"), e.getMessage());
    assertTrue(e.getMessage().contains("never changes an existing stream"), e.getMessage());
  }

  @Test
  @DisplayName("a consumer from a start sequence sees only what follows it")
  void deliverFromSequence() {
    provision(StreamSpec.Retention.LIMITS);
    for (int i = 1; i <= 5; i++) {
      acked(broker.enqueue(subjects + ".x", bytes("m" + i)));
    }
    List<String> got = new CopyOnWriteArrayList<>();
    broker.consume(
        stream,
        m -> {
          got.add(m.dataAsString());
          m.ack();
        },
        ConsumeOptions.builder().durable("w").deliverPolicy(DeliverPolicy.fromSequence(4)).build());
    await().atMost(WAIT).until(() -> got.size() == 2);
    assertEquals(List.of("m4", "m5"), got);
  }

  @Test
  @DisplayName("consuming a stream that does not exist says to provision it")
  void missingStream() {
    var e =
        assertThrows(
            dev.natsproof.broker.BrokerException.class,
            () ->
                broker.consume(
                    "NOPE_" + stream, m -> {}, ConsumeOptions.builder().durable("w").build()));
    assertTrue(e.getMessage().contains("provision"), e.getMessage());
  }
}
