package dev.natsproof.broker.nats;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.natsproof.broker.BrokerOptions;
import dev.natsproof.broker.ConsumeOptions;
import dev.natsproof.broker.ConsumerConfigMismatchException;
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
import java.util.Map;
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

  // ---------------------------------------------------------------- consume by subject

  @Test
  @DisplayName(
      "consume by subject finds the one stream that captures it and gets only that subject; none"
          + " or several capturing streams, or a conflicting filter, are refused by name")
  void consumeBySubject() throws Exception {
    provision(StreamSpec.Retention.LIMITS);
    acked(broker.enqueue(subjects + ".battle.1", bytes("b1")));
    acked(broker.enqueue(subjects + ".mail.1", bytes("m1")));
    acked(broker.enqueue(subjects + ".battle.2", bytes("b2")));
    List<String> got = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (StreamConsumer c =
        broker.consumeSubject(
            subjects + ".battle.>",
            m -> {
              got.add(m.dataAsString());
              m.ack();
            },
            ConsumeOptions.builder().durable("by-subject").build())) {
      await().atMost(WAIT).until(() -> got.size() == 2);
      assertEquals(List.of("b1", "b2"), got);
      assertEquals(
          List.of(subjects + ".battle.>"),
          info("by-subject").getConsumerConfiguration().getFilterSubjects());
    }
    IllegalArgumentException none =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                broker.consumeSubject(
                    "nobody.captures.this",
                    m -> {},
                    ConsumeOptions.builder().durable("none").build()));
    assertTrue(none.getMessage().contains("no stream captures"), none.getMessage());
    broker.provision(
        new StreamSpec(
            stream + "_B",
            List.of(subjects + "b.>"),
            StreamSpec.Retention.LIMITS,
            replicas(),
            Duration.ofHours(1),
            Duration.ofMinutes(2),
            -1,
            -1));
    IllegalArgumentException two =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                broker.consumeSubject(
                    ">", m -> {}, ConsumeOptions.builder().durable("two").build()));
    assertTrue(
        two.getMessage().contains(stream) && two.getMessage().contains(stream + "_B"),
        two.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            broker.consumeSubject(
                subjects + ".battle.1",
                m -> {},
                ConsumeOptions.builder().durable("f").filterSubject(subjects + ".mail.1").build()));
  }

  // ---------------------------------------------------------------- codecs

  /** A settlement as a game server sends it. */
  public record Reward(String battle, String player, long gold) {}

  @Test
  @DisplayName(
      "typed payloads: JSON in with its content type, decoded for the handler; a payload that"
          + " does not decode goes to the dead letter at once with the reason, never retried")
  void codec() throws Exception {
    provision(StreamSpec.Retention.WORK_QUEUE);
    broker.provision(
        new StreamSpec(
            stream + "_DLQ",
            List.of(subjects + "dlq.>"),
            StreamSpec.Retention.LIMITS,
            replicas(),
            Duration.ofHours(1),
            Duration.ofMinutes(2),
            -1,
            -1));
    var codec = dev.natsproof.broker.JsonCodec.of(Reward.class);
    acked(
        broker.enqueue(
            subjects + ".settle.1", new Reward("b1", "p7", 40), codec, EnqueueOptions.DEFAULTS));
    acked(broker.enqueue(subjects + ".settle.2", bytes("{not json")));
    acked(
        broker.enqueue(
            subjects + ".settle.3", new Reward("b3", "p8", 60), codec, EnqueueOptions.DEFAULTS));
    List<Reward> got = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<String> contentTypes = new java.util.concurrent.CopyOnWriteArrayList<>();
    ConsumeOptions o =
        ConsumeOptions.builder()
            .durable("typed")
            .maxDeliver(5)
            .deadLetterSubject(subjects + "dlq.settle")
            .build();
    try (StreamConsumer c =
        broker.consume(
            stream,
            codec,
            (r, m) -> {
              got.add(r);
              contentTypes.add(
                  m.headers().first(dev.natsproof.broker.Codec.CONTENT_TYPE).orElse(""));
              m.ack();
            },
            o)) {
      await().atMost(WAIT).until(() -> got.size() == 2 && c.deadLettered() == 1);
      assertEquals(List.of(new Reward("b1", "p7", 40), new Reward("b3", "p8", 60)), got);
      assertEquals(List.of("application/json", "application/json"), contentTypes);
      assertEquals(1, c.undecodable());
      assertEquals(0, c.handlerErrors(), "an undecodable payload is not a handler error to retry");
    }
    List<StreamMessage> dead = broker.replay(ReplayRequest.sequences(stream + "_DLQ", 1, 1));
    assertEquals("{not json", dead.get(0).dataAsString());
    String reason = dead.get(0).headers().first("Natsproof-Dead-Letter-Reason").orElseThrow();
    assertTrue(reason.contains("cannot be decoded as Reward"), reason);
    assertEquals(
        "1",
        dead.get(0).headers().first("Natsproof-Deliveries").orElseThrow(),
        "first delivery: no retry");
    assertThrows(
        IllegalArgumentException.class,
        () ->
            broker.consume(
                stream, codec, (r, m) -> {}, ConsumeOptions.builder().durable("nodlq").build()));
  }

  // ---------------------------------------------------------------- concurrency

  @Test
  @DisplayName(
      "concurrency 8: keys handled in parallel (one key's handler waits for another's), each"
          + " key's messages in enqueue order, every message once")
  void concurrencyKeepsOrderPerKey() throws Exception {
    provision(StreamSpec.Retention.WORK_QUEUE);
    int n = 8;
    List<String> keys = new ArrayList<>();
    for (int k = 0; keys.size() < 4; k++) {
      String key = "p" + k;
      if (keys.stream()
          .noneMatch(x -> NatsStreamConsumer.lane(x, n) == NatsStreamConsumer.lane(key, n))) {
        keys.add(key); // four keys on four different lanes
      }
    }
    for (int i = 0; i < 25; i++) {
      for (String key : keys) {
        acked(broker.enqueue(subjects + ".battle." + key, bytes(key + ":" + i)));
      }
    }
    java.util.concurrent.CountDownLatch secondKeyStarted =
        new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean parallel =
        new java.util.concurrent.atomic.AtomicBoolean();
    Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
    java.util.concurrent.atomic.AtomicInteger handled =
        new java.util.concurrent.atomic.AtomicInteger();
    try (StreamConsumer c =
        broker.consume(
            stream,
            m -> {
              String[] kv = m.dataAsString().split(":");
              if (kv[0].equals(keys.get(1))) {
                secondKeyStarted.countDown();
              }
              if (kv[0].equals(keys.get(0)) && kv[1].equals("0")) {
                // Only a handler running beside this one can release it.
                parallel.set(secondKeyStarted.await(20, java.util.concurrent.TimeUnit.SECONDS));
              }
              seen.computeIfAbsent(kv[0], x -> new java.util.concurrent.CopyOnWriteArrayList<>())
                  .add(Integer.parseInt(kv[1]));
              m.ack();
              handled.incrementAndGet();
            },
            ConsumeOptions.builder().durable("parallel").concurrency(n).build())) {
      await().atMost(WAIT).until(() -> handled.get() == 100);
    }
    assertTrue(parallel.get(), "the first key's handler ran while another key's handler started");
    List<Integer> inOrder = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      inOrder.add(i);
    }
    for (String key : keys) {
      assertEquals(inOrder, seen.get(key), "key " + key + " handled in enqueue order, once each");
    }
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
  @DisplayName(
      "a last delivery that times out is dead-lettered once, when the server delivers it past the"
          + " handler's last")
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

  StreamSpec deadLetterSpec() {
    return new StreamSpec(
        stream + "_DLQ",
        List.of("dlq." + subjects),
        StreamSpec.Retention.LIMITS,
        replicas(),
        Duration.ofHours(1),
        Duration.ofMinutes(2),
        -1,
        -1);
  }

  @Test
  @DisplayName("a dead-letter subject that no stream stores is refused when consuming starts")
  void deadLetterSubjectMustBeStored() {
    provision(StreamSpec.Retention.WORK_QUEUE);
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                broker.consume(
                    stream,
                    m -> m.ack(),
                    ConsumeOptions.builder()
                        .durable("w")
                        .maxDeliver(3)
                        .deadLetterSubject("dlq.nowhere." + subjects)
                        .build()));
    assertTrue(e.getMessage().contains("stored by no stream"), e.getMessage());
    assertTrue(e.getMessage().contains("GameStreams.deadLetters"), e.getMessage());
  }

  @Test
  @DisplayName(
      "a last delivery that timed out while no worker ran is dead-lettered once when one comes back")
  void deadLetterWhileEveryWorkerIsDown() throws Exception {
    provision(StreamSpec.Retention.WORK_QUEUE);
    broker.provision(deadLetterSpec());
    ConsumeOptions o =
        ConsumeOptions.builder()
            .durable("w")
            .ackWait(Duration.ofSeconds(1))
            .maxDeliver(2)
            .deadLetterSubject("dlq." + subjects)
            .build();
    List<Long> deliveries = new CopyOnWriteArrayList<>();
    StreamConsumer first = broker.consume(stream, m -> deliveries.add(m.deliveryCount()), o);
    acked(broker.enqueue(subjects + ".x", bytes("orphan")));
    await().atMost(WAIT).until(() -> deliveries.size() == 2);
    first.close(); // every worker is gone while the last delivery's ack wait runs out
    try (NatsStreamBroker later =
        NatsStreamBroker.connect(BrokerOptions.builder().servers(urls()).build())) {
      StreamConsumer back =
          later.consume(stream, m -> fail("the handler's deliveries are used up: " + m), o);
      await().atMost(WAIT).until(() -> back.deadLettered() == 1 && back.termed() == 1);
      List<StreamMessage> dlq = broker.replay(ReplayRequest.after(stream + "_DLQ", null, 0));
      assertEquals(1, dlq.size(), "stored once");
      assertEquals("orphan", dlq.get(0).dataAsString());
      assertTrue(
          dlq.get(0)
              .headers()
              .first("Natsproof-Dead-Letter-Reason")
              .orElseThrow()
              .contains("last allowed delivery"));
      assertEquals(List.of(1L, 2L), deliveries);
    }
  }

  @Test
  @DisplayName("a durable that exists with other settings is refused, naming the difference")
  void consumerDrift() {
    provision(StreamSpec.Retention.WORK_QUEUE);
    broker.consume(
        stream,
        m -> m.ack(),
        ConsumeOptions.builder().durable("shared").ackWait(Duration.ofSeconds(30)).build());
    var e =
        assertThrows(
            ConsumerConfigMismatchException.class,
            () ->
                broker.consume(
                    stream,
                    m -> m.ack(),
                    ConsumeOptions.builder()
                        .durable("shared")
                        .ackWait(Duration.ofSeconds(5))
                        .build()));
    assertTrue(e.getMessage().contains("ackWait"), e.getMessage());
    // The same settings join the durable as a second worker.
    broker.consume(
        stream,
        m -> m.ack(),
        ConsumeOptions.builder().durable("shared").ackWait(Duration.ofSeconds(30)).build());
  }

  @Test
  @DisplayName(
      "a durable deleted behind the broker's back is created again and consumption goes on")
  void vanishedDurableIsRecreated() throws Exception {
    provision(StreamSpec.Retention.WORK_QUEUE);
    Set<String> got = ConcurrentHashMap.newKeySet();
    StreamConsumer c =
        broker.consume(
            stream,
            m -> {
              got.add(m.dataAsString());
              m.ack();
            },
            ConsumeOptions.builder().durable("w").build());
    acked(broker.enqueue(subjects + ".x", bytes("before")));
    await().atMost(WAIT).until(() -> got.contains("before"));
    broker.connection().jetStreamManagement().deleteConsumer(stream, "w");
    acked(broker.enqueue(subjects + ".x", bytes("after")));
    await().atMost(Duration.ofSeconds(30)).until(() -> got.contains("after"));
    assertEquals(1, c.recreations());
    assertEquals(0, c.resets());
  }

  @Test
  @DisplayName("enqueue on a closed broker is rejected as not sent, never thrown")
  void enqueueOnClosedBroker() throws Exception {
    provision(StreamSpec.Retention.LIMITS);
    broker.close();
    var r =
        assertInstanceOf(EnqueueResult.Rejected.class, broker.enqueue(subjects + ".x", bytes("x")));
    assertEquals(RejectReason.NOT_SENT, r.reason());
    var a =
        assertInstanceOf(
            EnqueueResult.Rejected.class,
            broker.enqueueAsync(subjects + ".x", bytes("x"), EnqueueOptions.DEFAULTS).get());
    assertEquals(RejectReason.NOT_SENT, a.reason());
  }

  @Test
  @DisplayName("headers count toward max_payload: rejected TOO_LARGE before sending")
  void headersCountTowardMaxPayload() {
    provision(StreamSpec.Retention.LIMITS);
    int max = (int) broker.maxPayloadBytes();
    var r =
        broker.enqueue(
            subjects + ".x",
            new byte[max - 10],
            EnqueueOptions.builder()
                .headers(dev.natsproof.broker.Headers.of("Trace", "x".repeat(100)))
                .build());
    var rej = assertInstanceOf(EnqueueResult.Rejected.class, r, r.toString());
    assertEquals(RejectReason.TOO_LARGE, rej.reason());
    assertEquals(0, rej.attempts());
  }

  @Test
  @DisplayName("a full discard-new stream rejects STREAM_FULL: nothing accepted is dropped")
  void fullStreamRejects() {
    broker.provision(spec(StreamSpec.Retention.LIMITS).withLimit(4096, StreamSpec.Discard.NEW));
    EnqueueResult last = null;
    int stored = 0;
    for (int i = 0; i < 100 && !(last instanceof EnqueueResult.Rejected); i++) {
      last = broker.enqueue(subjects + ".x", new byte[500]);
      if (last.isAcked()) {
        stored++;
      }
    }
    var rej = assertInstanceOf(EnqueueResult.Rejected.class, last, String.valueOf(last));
    assertEquals(RejectReason.STREAM_FULL, rej.reason(), rej.toString());
    assertTrue(stored > 0);
    assertEquals(
        stored,
        broker.replay(ReplayRequest.after(stream, null, 0)).size(),
        "what was accepted is all still there");
  }

  @Test
  @DisplayName(
      "compare-and-set by subject sequence: the right expectation stores, a stale one is rejected")
  void compareAndSetBySubject() {
    provision(StreamSpec.Retention.LIMITS);
    String key = subjects + ".board.p1";
    long first =
        acked(
                broker.enqueue(
                    key,
                    bytes("10"),
                    EnqueueOptions.builder().expectedLastSubjectSequence(0).build()))
            .sequence();
    acked(broker.enqueue(subjects + ".board.p2", bytes("other key")));
    acked(
        broker.enqueue(
            key, bytes("20"), EnqueueOptions.builder().expectedLastSubjectSequence(first).build()));
    var stale =
        broker.enqueue(
            key, bytes("15"), EnqueueOptions.builder().expectedLastSubjectSequence(first).build());
    assertEquals(
        RejectReason.WRONG_EXPECTED_SEQUENCE,
        assertInstanceOf(EnqueueResult.Rejected.class, stale, stale.toString()).reason());
  }

  @Test
  @DisplayName(
      "ackSync returns once the server recorded the ack: the message is gone from a work queue")
  void ackSyncConfirms() throws Exception {
    provision(StreamSpec.Retention.WORK_QUEUE);
    List<String> errors = new CopyOnWriteArrayList<>();
    AtomicInteger confirmed = new AtomicInteger();
    broker.consume(
        stream,
        m -> {
          try {
            m.ackSync(Duration.ofSeconds(5));
            confirmed.incrementAndGet();
          } catch (RuntimeException e) {
            errors.add(e.toString());
          }
        },
        ConsumeOptions.builder().durable("sync").build());
    for (int i = 0; i < 20; i++) {
      acked(broker.enqueue(subjects + ".x", bytes("s" + i)));
    }
    await().atMost(WAIT).until(() -> confirmed.get() + errors.size() == 20);
    assertEquals(List.of(), errors);
    assertEquals(0, info("sync").getNumAckPending());
  }

  @Test
  @DisplayName(
      "a handler that throws is nak'ed with the backoff: its redelivery waits the first step")
  void backoffOnThrow() {
    provision(StreamSpec.Retention.WORK_QUEUE);
    List<Long> at = new CopyOnWriteArrayList<>();
    broker.consume(
        stream,
        m -> {
          at.add(System.nanoTime());
          if (at.size() == 1) {
            throw new IllegalStateException("first try fails");
          }
          m.ack();
        },
        ConsumeOptions.builder()
            .durable("b")
            .maxDeliver(5)
            .backoff(Duration.ofMillis(1500), Duration.ofSeconds(3))
            .build());
    acked(broker.enqueue(subjects + ".x", bytes("retry me")));
    await().atMost(WAIT).until(() -> at.size() == 2);
    long gapMs = (at.get(1) - at.get(0)) / 1_000_000;
    assertTrue(
        gapMs >= 1500 - DISPATCH_SLACK_MS,
        "redelivered after " + gapMs + " ms, before the 1.5 s step");
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
