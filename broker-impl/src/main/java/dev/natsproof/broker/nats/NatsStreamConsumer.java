package dev.natsproof.broker.nats;

import dev.natsproof.broker.BrokerException;
import dev.natsproof.broker.ConsumeOptions;
import dev.natsproof.broker.DeliverPolicy;
import dev.natsproof.broker.EnqueueOptions;
import dev.natsproof.broker.EnqueueResult;
import dev.natsproof.broker.Headers;
import dev.natsproof.broker.ServerFeatures;
import dev.natsproof.broker.StreamConsumer;
import dev.natsproof.broker.StreamMessageHandler;
import dev.natsproof.broker.UnsupportedServerFeatureException;
import io.nats.client.ConsumerContext;
import io.nats.client.Dispatcher;
import io.nats.client.JetStreamApiException;
import io.nats.client.MessageConsumer;
import io.nats.client.StreamContext;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.support.JsonParser;
import io.nats.client.support.JsonValue;
import java.io.IOException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A durable pull consumer driven by jnats's {@code consume()} with short pull expiries, so that a
 * pull lost in a server restart is replaced within about 1.5 s (three missed heartbeats) instead of
 * jnats's default 45–90 s.
 *
 * <p>Dead letters have two paths, both keyed by the same message id so the dead-letter stream
 * stores each message once: the last allowed delivery failing in the handler (throw or nak), and
 * the server's MAX_DELIVERIES advisory when the last delivery simply timed out.
 */
final class NatsStreamConsumer implements StreamConsumer {
  private final NatsStreamBroker broker;
  private final String stream;
  private final StreamMessageHandler handler;
  private final ConsumeOptions options;
  private volatile ConsumerContext context;
  private volatile MessageConsumer mc;
  private final LongAdder repulls = new LongAdder();
  private final Dispatcher advisoryDispatcher;
  private final RetentionPolicy retention;
  private volatile boolean active = true;

  private final LongAdder delivered = new LongAdder();
  private final LongAdder acked = new LongAdder();
  private final LongAdder naked = new LongAdder();
  private final LongAdder termed = new LongAdder();
  private final LongAdder deadLettered = new LongAdder();
  private final LongAdder handlerErrors = new LongAdder();

  NatsStreamConsumer(
      NatsStreamBroker broker, String stream, StreamMessageHandler handler, ConsumeOptions o) {
    this.broker = broker;
    this.stream = stream;
    this.handler = handler;
    this.options = o;
    ServerFeatures f = broker.serverFeatures();
    if (o.filterSubjects().size() > 1 && !f.multipleFilterSubjects()) {
      throw new UnsupportedServerFeatureException(
          "consumer "
              + o.durable()
              + " has "
              + o.filterSubjects().size()
              + " filter subjects, which needs nats-server 2.10+ (connected: "
              + f.version()
              + "): use one subject with a wildcard, or one consumer per subject");
    }
    try {
      StreamContext sc = broker.connection().getStreamContext(stream);
      this.retention = sc.getStreamInfo().getConfiguration().getRetentionPolicy();
      this.context = sc.createOrUpdateConsumer(configuration(o));
      this.advisoryDispatcher = o.deadLetterSubject().isPresent() ? startAdvisories() : null;
      this.mc = startPulling();
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() == 10059) {
        throw new BrokerException(
            "stream '" + stream + "' not found: provision it first (StreamBroker.provision)", e);
      }
      throw new BrokerException(
          "cannot create consumer '"
              + o.durable()
              + "' on stream '"
              + stream
              + "': "
              + e.getErrorDescription()
              + " (error "
              + e.getApiErrorCode()
              + ")",
          e);
    } catch (IOException e) {
      throw new BrokerException(
          "cannot create consumer '" + o.durable() + "' on '" + stream + "': " + e.getMessage(), e);
    }
  }

  private MessageConsumer startPulling() throws IOException, JetStreamApiException {
    // Never a batch of 1: jnats's consume then re-pulls only on its heartbeat alarm (observed: 8
    // messages in 20 s with max ack pending 1). The server still delivers at most max ack pending.
    int batch = Math.max(2, Math.min(options.batchSize(), options.maxAckPending()));
    return context.consume(
        io.nats.client.ConsumeOptions.builder()
            .batchSize(batch)
            .expiresIn(options.pullExpiry().toMillis())
            .build(),
        this::onMessage);
  }

  /**
   * After a reconnect: start a fresh pull now. The old pull loop is stopped (what it already
   * received is still handled) rather than closed, so no delivered message is dropped here.
   */
  synchronized void repull() {
    if (!active) {
      return;
    }
    MessageConsumer old = mc;
    try {
      mc = startPulling();
      old.stop();
      repulls.increment();
    } catch (IOException | JetStreamApiException | RuntimeException e) {
      // The server is not ready yet (e.g. JetStream still recovering): jnats's own heartbeat
      // alarm keeps the old loop pulling, so consumption still resumes, only later.
      handlerErrors.increment();
    }
  }

  @Override
  public long repulls() {
    return repulls.sum();
  }

  private static ConsumerConfiguration configuration(ConsumeOptions o) {
    ConsumerConfiguration.Builder b =
        ConsumerConfiguration.builder()
            .durable(o.durable())
            .ackPolicy(AckPolicy.Explicit)
            .ackWait(o.ackWait())
            .maxAckPending(o.maxAckPending())
            .maxDeliver(o.maxDeliver());
    if (!o.backoff().isEmpty()) {
      b.backoff(o.backoff().toArray(Duration[]::new));
    }
    if (o.filterSubjects().size() == 1) {
      b.filterSubject(o.filterSubjects().get(0));
    } else if (o.filterSubjects().size() > 1) {
      b.filterSubjects(o.filterSubjects());
    }
    DeliverPolicy p = o.deliverPolicy();
    if (p instanceof DeliverPolicy.New) {
      b.deliverPolicy(io.nats.client.api.DeliverPolicy.New);
    } else if (p instanceof DeliverPolicy.FromSequence s) {
      b.deliverPolicy(io.nats.client.api.DeliverPolicy.ByStartSequence).startSequence(s.sequence());
    } else if (p instanceof DeliverPolicy.FromTime t) {
      b.deliverPolicy(io.nats.client.api.DeliverPolicy.ByStartTime)
          .startTime(t.time().atZone(ZoneOffset.UTC));
    } else {
      b.deliverPolicy(io.nats.client.api.DeliverPolicy.All);
    }
    return b.build();
  }

  ServerFeatures features() {
    return broker.serverFeatures();
  }

  void publishRaw(String subject, byte[] data) {
    broker.connection().publish(subject, data);
  }

  void counted(String how) {
    switch (how) {
      case "ack" -> acked.increment();
      case "nak" -> naked.increment();
      case "term" -> termed.increment();
      default -> throw new IllegalArgumentException(how);
    }
  }

  private volatile long lastActivityNanos = System.nanoTime();

  /**
   * Called every second by the broker. When nothing was delivered for a while although the server
   * has messages pending for this consumer, start a fresh pull. This covers what reconnects do not:
   * after a partition heals the client's connection never dropped, and jnats's heartbeat alarm was
   * seen to leave the consumer idle for 15-22 s while the new consumer leader waited.
   */
  void watchdog() {
    long now = System.nanoTime();
    if (!active || now - lastActivityNanos < STALL_NANOS) {
      return;
    }
    try {
      // Asked through the management API, not the pull loop (mc): jnats answers mc's question
      // under the pull loop's own lock, and this runs on the broker's one timer thread, which the
      // async enqueue retries and their sweeper share. A clean-clone CI run left a consumer wedged
      // (2000 of 2000 acks pending, nothing redelivered) for the whole 30 s drain with no reset.
      io.nats.client.api.ConsumerInfo ci =
          broker.connection().jetStreamManagement().getConsumerInfo(stream, options.durable());
      lastActivityNanos = System.nanoTime(); // check again only after another stall period
      boolean owed = ci.getNumPending() > 0 || ci.getNumAckPending() > 0;
      // Starved: the server owes messages and sent nothing for the wedge period, although the
      // repulls of the stall periods before asked for them. A chaos-repeat round saw 2.9.10 hold
      // 5451 pending messages with 675 of 2000 acks pending and 2 pulls waiting for the whole 30 s
      // drain; only repulls were tried, and they never help a consumer the server has wedged.
      boolean starved =
          owed && now - lastDeliveryNanos > wedgeNanos() && handlersRunning.get() == 0;
      if (starved) {
        reset(ci);
      } else if (ci.getNumPending() > 0 && ci.getNumAckPending() < options.maxAckPending()) {
        repull();
      }
    } catch (IOException | JetStreamApiException | RuntimeException e) {
      // The server cannot answer right now (no leader yet): try again on the next tick.
    }
  }

  /**
   * Longer than any redelivery the server owes us: twice the ack wait (or the longest backoff
   * step), and at least 5 s. A consumer with messages pending acknowledgement that got nothing for
   * that long is wedged, not slow.
   */
  private long wedgeNanos() {
    long wait = options.ackWait().toNanos();
    for (Duration d : options.backoff()) {
      wait = Math.max(wait, d.toNanos());
    }
    return Math.max(2 * wait, TimeUnit.SECONDS.toNanos(5));
  }

  /**
   * Observed on 2.9.10 after repeated kill -9s: the restored consumer kept messages "pending
   * acknowledgement" that it never redelivered, a pull request waiting, nothing delivered for 40 s
   * and more. Recreating the durable from its ack floor gets the work flowing again; everything
   * after the floor is delivered again (at-least-once: duplicates, never a loss).
   */
  synchronized void reset(io.nats.client.api.ConsumerInfo ci) {
    if (!active) {
      return;
    }
    long floor = ci.getAckFloor().getStreamSequence();
    ConsumerConfiguration.Builder b = ConsumerConfiguration.builder(configuration(options));
    if (retention != RetentionPolicy.WorkQueue) {
      b.deliverPolicy(io.nats.client.api.DeliverPolicy.ByStartSequence).startSequence(floor + 1);
    } else {
      b.deliverPolicy(io.nats.client.api.DeliverPolicy.All); // a work queue holds only unacked
    }
    try {
      broker.connection().jetStreamManagement().deleteConsumer(stream, options.durable());
      context = broker.connection().getStreamContext(stream).createOrUpdateConsumer(b.build());
      MessageConsumer old = mc;
      mc = startPulling();
      old.stop();
      resets.increment();
      lastDeliveryNanos = System.nanoTime();
    } catch (IOException | JetStreamApiException | RuntimeException e) {
      handlerErrors.increment(); // tried again after the next wedge period
      lastDeliveryNanos = System.nanoTime();
    }
  }

  private volatile long lastDeliveryNanos = System.nanoTime();
  private final LongAdder resets = new LongAdder();

  @Override
  public long resets() {
    return resets.sum();
  }

  private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(2);

  private void onMessage(io.nats.client.Message m) {
    lastActivityNanos = System.nanoTime();
    lastDeliveryNanos = lastActivityNanos;
    delivered.increment();
    NatsStreamMessage sm = new NatsStreamMessage(m, this);
    handlersRunning.incrementAndGet();
    try {
      handler.onMessage(sm);
      if (!sm.isSettled() && options.autoAck() && sm.settle("ack")) {
        m.ack();
        acked.increment();
      }
    } catch (Exception e) {
      handlerErrors.increment();
      if (sm.settle("nak")) {
        onNak(sm, options.redeliveryDelay(sm.deliveryCount()), "handler threw " + e);
      }
    } finally {
      handlersRunning.decrementAndGet();
    }
  }

  /** A handler still working on a message is why nothing new arrives: not a wedge. */
  private final AtomicInteger handlersRunning = new AtomicInteger();

  /** A nak, from the handler or for it: on the last allowed delivery it becomes a dead letter. */
  void onNak(NatsStreamMessage sm, Duration delay, String reason) {
    boolean last =
        options.maxDeliver() != ConsumeOptions.UNLIMITED_DELIVERIES
            && sm.deliveryCount() >= options.maxDeliver();
    if (last && options.deadLetterSubject().isPresent()) {
      boolean stored =
          deadLetter(
              sm.streamSequence(),
              sm.subject(),
              sm.headers(),
              sm.data(),
              sm.deliveryCount(),
              reason);
      if (stored) {
        sm.raw().term();
        termed.increment();
        return;
      }
      // Not known to be stored: leave it to the MAX_DELIVERIES advisory path.
    }
    if (delay.isZero()) {
      sm.raw().nak();
    } else {
      sm.raw().nakWithDelay(delay);
    }
    naked.increment();
  }

  private boolean deadLetter(
      long seq, String subject, Headers original, byte[] data, long deliveries, String reason) {
    String dlq = options.deadLetterSubject().orElseThrow();
    Headers.Builder h = original.toBuilder();
    h.set("Natsproof-Dead-Letter-Reason", reason.replaceAll("[\\r\\n]", " "));
    h.set("Natsproof-Deliveries", Long.toString(deliveries));
    h.set("Natsproof-Stream", stream);
    h.set("Natsproof-Stream-Sequence", Long.toString(seq));
    h.set("Natsproof-Subject", subject);
    h.set("Natsproof-Consumer", options.durable());
    String id = "dlq:" + stream + ":" + options.durable() + ":" + seq;
    EnqueueResult r =
        broker.enqueue(
            dlq,
            data,
            EnqueueOptions.builder()
                .idempotencyKey(id)
                .headers(stripMsgId(h.build()))
                .deadline(Duration.ofSeconds(10))
                .build());
    if (r instanceof EnqueueResult.Acked a) {
      if (!a.duplicate()) {
        deadLettered.increment();
      }
      return true;
    }
    if (r instanceof EnqueueResult.Rejected rej
        && rej.reason() == EnqueueResult.RejectReason.NO_STREAM) {
      // No stream keeps the dead-letter subject: a Core publish is all that can be done.
      broker.connection().publish(dlq, NatsHeaders.toNats(stripMsgId(h.build())), data);
      deadLettered.increment();
      return true;
    }
    return false;
  }

  private static Headers stripMsgId(Headers h) {
    Headers.Builder b = Headers.builder();
    h.asMap()
        .forEach(
            (k, vs) -> {
              if (!k.equalsIgnoreCase("Nats-Msg-Id")) {
                vs.forEach(v -> b.add(k, v));
              }
            });
    return b.build();
  }

  private Dispatcher startAdvisories() {
    String subject =
        "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES." + stream + "." + options.durable();
    Dispatcher d = broker.connection().createDispatcher(this::onMaxDeliveries);
    // A queue group: every member of a shared durable hears the advisory, one acts on it.
    d.subscribe(subject, "natsproof-dlq-" + stream + "-" + options.durable());
    return d;
  }

  private void onMaxDeliveries(io.nats.client.Message advisory) {
    try {
      JsonValue v = JsonParser.parse(advisory.getData());
      JsonValue seqValue = v.map == null ? null : v.map.get("stream_seq");
      JsonValue deliveries = v.map == null ? null : v.map.get("deliveries");
      if (seqValue == null || seqValue.number == null) {
        return;
      }
      long seq = seqValue.number.longValue();
      MessageInfo mi = broker.connection().jetStreamManagement().getMessage(stream, seq);
      boolean stored =
          deadLetter(
              seq,
              mi.getSubject(),
              NatsHeaders.fromNats(mi.getHeaders()),
              mi.getData() == null ? new byte[0] : mi.getData(),
              deliveries == null || deliveries.number == null
                  ? options.maxDeliver()
                  : deliveries.number.longValue(),
              "not acknowledged within ack wait on the last allowed delivery (max deliver "
                  + options.maxDeliver()
                  + ")");
      if (stored && retention == RetentionPolicy.WorkQueue) {
        // It can no longer be termed (no delivery is outstanding): remove it from the queue.
        broker.connection().jetStreamManagement().deleteMessage(stream, seq);
      }
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() != 10037) { // 10037: no message found (already handled)
        handlerErrors.increment();
      }
    } catch (IOException | RuntimeException e) {
      handlerErrors.increment();
    }
  }

  @Override
  public String stream() {
    return stream;
  }

  @Override
  public String durable() {
    return options.durable();
  }

  @Override
  public long delivered() {
    return delivered.sum();
  }

  @Override
  public long acked() {
    return acked.sum();
  }

  @Override
  public long naked() {
    return naked.sum();
  }

  @Override
  public long termed() {
    return termed.sum();
  }

  @Override
  public long deadLettered() {
    return deadLettered.sum();
  }

  @Override
  public long handlerErrors() {
    return handlerErrors.sum();
  }

  @Override
  public boolean isActive() {
    return active && !mc.isStopped();
  }

  @Override
  public void drain(Duration timeout) {
    active = false;
    mc.stop();
    long deadline = System.nanoTime() + timeout.toNanos();
    // jnats reports isFinished once the last pull has ended and its messages were handled.
    while (!mc.isFinished() && System.nanoTime() < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
    close();
  }

  @Override
  public synchronized void close() {
    active = false;
    try {
      mc.close();
    } catch (Exception e) {
      // Closing a consumer whose connection is gone: nothing left to release.
    }
    if (advisoryDispatcher != null
        && broker.connection().getStatus() != io.nats.client.Connection.Status.CLOSED) {
      broker.connection().closeDispatcher(advisoryDispatcher);
    }
    broker.forget(this);
  }

  @Override
  public String toString() {
    return "StreamConsumer[" + stream + "/" + options.durable() + "]";
  }
}
