package dev.natsproof.broker.nats;

import static dev.natsproof.broker.nats.JetStreamErrors.CONSUMER_NOT_FOUND;
import static dev.natsproof.broker.nats.JetStreamErrors.STREAM_NOT_FOUND;

import dev.natsproof.broker.BrokerException;
import dev.natsproof.broker.ConsumeOptions;
import dev.natsproof.broker.ConsumerHealth;
import dev.natsproof.broker.EnqueueOptions;
import dev.natsproof.broker.EnqueueResult;
import dev.natsproof.broker.Headers;
import dev.natsproof.broker.ServerFeatures;
import dev.natsproof.broker.StreamConsumer;
import dev.natsproof.broker.StreamMessageHandler;
import dev.natsproof.broker.UndecodablePayloadException;
import dev.natsproof.broker.UnsupportedServerFeatureException;
import io.nats.client.ConsumerContext;
import io.nats.client.Dispatcher;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.MessageConsumer;
import io.nats.client.StreamContext;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.RetentionPolicy;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * A durable pull consumer driven by jnats's {@code consume()} with short pull expiries, on a
 * dispatcher of its own (closed with it), supervised from the broker's supervisor thread.
 *
 * <p><b>Dead letters.</b> With a dead-letter subject the server is allowed {@value
 * ConsumerConfigs#DEAD_LETTER_DELIVERIES} deliveries beyond the handler's last one. The handler's
 * last allowed delivery failing (a throw or a nak) is stored in the dead-letter stream at once and
 * termed; a delivery past the handler's last (its last one timed out, or the dead letter could not
 * be stored) is stored there without calling the handler, then termed. Either way the message stays
 * in its stream until its dead letter is acknowledged, so a crash of every worker in between loses
 * nothing, and nothing is read back from the stream (on work-queue streams before nats-server
 * 2.12.5 the message may be gone by then). Both paths use one message id per stream sequence, so
 * the dead-letter stream holds each message once.
 *
 * <p><b>Supervision</b> asks the server about the consumer only when deliveries are silent while
 * work is known to be pending (from the last message's metadata), or when the client's heartbeat or
 * pull-status callbacks reported trouble: an idle consumer costs no API calls. What it does is
 * counted: a fresh pull, a reset through the server's API (2.14+) when the server holds undelivered
 * work with room and pulls waiting and delivers nothing, a recreation of a durable that vanished.
 * It never deletes the durable.
 */
final class NatsStreamConsumer implements StreamConsumer, NatsConnection.PullWatcher {
  /** Nothing delivered for this long while work is pending: ask the server. */
  static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(2);

  /**
   * The first look at the server comes this long after the last; each further one waits twice as
   * long.
   */
  static final long LOOK_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(2);

  /** The longest wait between looks while a silence lasts. */
  static final long MAX_LOOK_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(30);

  /**
   * With nothing known to be pending, the first look after this long without a delivery (then twice
   * as long each time, up to {@link #MAX_IDLE_LOOK_NANOS}): the only way to notice a server that
   * holds new messages and delivers none, since heartbeats keep coming.
   */
  static final long IDLE_LOOK_NANOS = TimeUnit.SECONDS.toNanos(30);

  static final long MAX_IDLE_LOOK_NANOS = TimeUnit.MINUTES.toNanos(5);

  private final NatsStreamBroker broker;
  private final NatsConnection conn;
  private final JetStreamManagement jsm;
  private final String stream;
  private final StreamMessageHandler handler;
  private final ConsumeOptions options;
  private final ConsumerConfiguration wanted;
  private final boolean workQueue;
  private final Dispatcher dispatcher;
  private volatile ConsumerContext context;
  private volatile MessageConsumer mc;
  private volatile boolean active = true;

  private final LongAdder delivered = new LongAdder();
  private final LongAdder acked = new LongAdder();
  private final LongAdder naked = new LongAdder();
  private final LongAdder termed = new LongAdder();
  private final LongAdder deadLettered = new LongAdder();
  private final LongAdder handlerErrors = new LongAdder();
  private final LongAdder repulls = new LongAdder();
  private final LongAdder resets = new LongAdder();
  private final LongAdder recreations = new LongAdder();
  private final LongAdder wedges = new LongAdder();
  private final LongAdder looks = new LongAdder();

  /** A handler still working on a message is why nothing new arrives: not a wedge. */
  private final AtomicInteger handlersRunning = new AtomicInteger();

  private final LongAdder undecodable = new LongAdder();
  private final dev.natsproof.broker.BrokerObserver observer;

  /** With concurrency above 1, a single-thread lane per slot; null otherwise. */
  private final java.util.concurrent.ExecutorService[] lanes;

  private volatile long lastDeliveryNanos = System.nanoTime();
  private volatile long lastInProgressNanos = System.nanoTime() - TimeUnit.DAYS.toNanos(1);
  private volatile long lastLookNanos;
  private volatile long lookIntervalNanos = LOOK_INTERVAL_NANOS;
  private volatile long idleLookNanos = IDLE_LOOK_NANOS;
  private volatile long knownPending;
  private volatile long knownAckPending;
  private volatile long knownAckFloor;
  private volatile boolean trouble;
  private volatile String troubleWhat = "";
  private volatile ConsumerHealth health =
      new ConsumerHealth(ConsumerHealth.State.ACTIVE, "started", Instant.now());

  private final WedgeJudge judge;
  private volatile boolean inWedge;

  /** Settling paths, for the counters. */
  enum Settlement {
    ACK,
    NAK,
    TERM
  }

  NatsStreamConsumer(
      NatsStreamBroker broker,
      NatsConnection conn,
      String stream,
      StreamMessageHandler handler,
      ConsumeOptions o) {
    this.broker = broker;
    this.conn = conn;
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
    this.wanted = ConsumerConfigs.configuration(o);
    this.judge = new WedgeJudge(f.consumerReset());
    this.observer = conn.options().observer();
    try {
      this.jsm = conn.nc().jetStreamManagement();
      StreamContext sc = conn.nc().getStreamContext(stream);
      this.workQueue =
          sc.getStreamInfo().getConfiguration().getRetentionPolicy() == RetentionPolicy.WorkQueue;
      o.deadLetterSubject().ifPresent(this::requireStored);
      this.context = bind(sc);
      this.lanes = options.concurrency() > 1 ? lanes(options) : null;
      this.dispatcher = conn.nc().createDispatcher();
      conn.watchPulls(this);
      this.mc = startPulling();
    } catch (JetStreamApiException e) {
      if (JetStreamErrors.is(e, STREAM_NOT_FOUND)) {
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

  /** A dead letter no stream stores would be gone: refuse it before consuming anything. */
  private void requireStored(String dlq) {
    List<String> streams;
    try {
      streams = jsm.getStreamNames(dlq);
    } catch (IOException | JetStreamApiException e) {
      throw new BrokerException(
          "cannot check which stream stores dead-letter subject '" + dlq + "': " + e.getMessage(),
          e);
    }
    if (streams.isEmpty()) {
      throw new IllegalArgumentException(
          "dead-letter subject '"
              + dlq
              + "' is stored by no stream, so dead letters would be lost: provision"
              + " GameStreams.deadLetters(replicas) (subjects dlq.>) or another stream that"
              + " captures it, before consuming");
    }
  }

  /** The existing durable if it matches, else a new one; a differing one is refused. */
  private ConsumerContext bind(StreamContext sc) throws IOException, JetStreamApiException {
    ConsumerInfo existing = consumerInfoOrNull();
    if (existing != null) {
      ConsumerConfigs.requireSame(stream, wanted, existing.getConsumerConfiguration());
      remember(existing);
      return sc.getConsumerContext(options.durable());
    }
    ConsumerContext cc = sc.createOrUpdateConsumer(wanted);
    remember(cc.getConsumerInfo());
    return cc;
  }

  private ConsumerInfo consumerInfoOrNull() throws IOException, JetStreamApiException {
    try {
      return jsm.getConsumerInfo(stream, options.durable());
    } catch (JetStreamApiException e) {
      if (JetStreamErrors.is(e, CONSUMER_NOT_FOUND)) {
        return null;
      }
      throw e;
    }
  }

  private void remember(ConsumerInfo ci) {
    knownPending = ci.getNumPending();
    knownAckPending = ci.getNumAckPending();
    knownAckFloor = Math.max(knownAckFloor, ci.getAckFloor().getStreamSequence());
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
        dispatcher,
        this::onMessage);
  }

  /**
   * A fresh pull now. The old pull loop is stopped (what it already received is still handled)
   * rather than closed, so no delivered message is dropped here.
   *
   * @param why what the broker saw, reported with the intervention
   */
  synchronized void repull(String why) {
    repullLocked(why);
  }

  /** The connection is back: pull afresh, and judge starvation from here on. */
  synchronized void reconnected() {
    judge.outage();
    repullLocked("the connection is back (jnats does not re-send pulls)");
  }

  private void repullLocked(String why) {
    if (!active) {
      return;
    }
    MessageConsumer old = mc;
    try {
      mc = startPulling();
      old.stop();
      repulls.increment();
      observer.intervened(stream, options.durable(), "repull", why);
    } catch (IOException | JetStreamApiException | RuntimeException e) {
      // The server is not ready yet (e.g. JetStream still recovering): jnats's own heartbeat
      // alarm keeps the old loop pulling, and supervision looks again.
      trouble("repull failed: " + e.getMessage());
    }
  }

  @Override
  public void onPullTrouble(String durable, String what) {
    if (durable == null || durable.equals(options.durable())) {
      trouble(what);
    }
  }

  private void trouble(String what) {
    troubleWhat = what;
    trouble = true;
  }

  // ---------------------------------------------------------------- delivery

  private void onMessage(io.nats.client.Message m) {
    long now = System.nanoTime();
    lastDeliveryNanos = now;
    lookIntervalNanos = LOOK_INTERVAL_NANOS;
    idleLookNanos = IDLE_LOOK_NANOS;
    delivered.increment();
    NatsStreamMessage sm = new NatsStreamMessage(m, this);
    knownPending = sm.pendingCount();
    handlersRunning.incrementAndGet();
    if (lanes != null) {
      // One lane per key: a key's messages in delivery order, other keys in parallel.
      try {
        lanes[lane(options.orderKey(sm), lanes.length)].execute(() -> handle(sm, m));
      } catch (java.util.concurrent.RejectedExecutionException closed) {
        handlersRunning.decrementAndGet(); // closed meanwhile: the server redelivers it
      }
      return;
    }
    handle(sm, m);
  }

  /** The lane of {@code key} among {@code n}: the same key always the same lane. */
  static int lane(String key, int n) {
    return Math.floorMod(key.hashCode(), n);
  }

  private void handle(NatsStreamMessage sm, io.nats.client.Message m) {
    long start = System.nanoTime();
    String outcome = "error";
    try {
      if (beyondHandler(sm)) {
        deadLetterAfterLastDelivery(sm);
        return;
      }
      handler.onMessage(sm);
      if (!sm.isSettled() && options.autoAck() && sm.settle(Settlement.ACK)) {
        m.ack();
        acked.increment();
      }
      outcome =
          sm.settlement().map(x -> x.name().toLowerCase(java.util.Locale.ROOT)).orElse("unsettled");
    } catch (UndecodablePayloadException e) {
      // A retry would fail the same way: straight to the dead letter, then termed.
      outcome = "undecodable";
      undecodable.increment();
      if (sm.settle(Settlement.TERM)) {
        if (deadLetter(sm, e.getMessage())) {
          sm.raw().term();
          termed.increment();
        } else {
          sm.raw().nakWithDelay(Duration.ofSeconds(1)); // the dead letter is not stored yet
          naked.increment();
        }
      }
    } catch (Exception e) {
      handlerErrors.increment();
      if (sm.settle(Settlement.NAK)) {
        onNak(sm, options.redeliveryDelay(sm.deliveryCount()), "handler threw " + e);
      }
    } finally {
      handlersRunning.decrementAndGet();
      observer.handled(
          stream, options.durable(), outcome, sm.deliveryCount(), System.nanoTime() - start);
    }
    if (health.state() != ConsumerHealth.State.ACTIVE) {
      health = new ConsumerHealth(ConsumerHealth.State.ACTIVE, "delivering", Instant.now());
    }
  }

  private boolean beyondHandler(NatsStreamMessage sm) {
    return options.deadLetterSubject().isPresent()
        && options.maxDeliver() != ConsumeOptions.UNLIMITED_DELIVERIES
        && sm.deliveryCount() > options.maxDeliver();
  }

  /** The handler's last delivery ended without an ack (it timed out, or its dead letter failed). */
  private void deadLetterAfterLastDelivery(NatsStreamMessage sm) {
    if (!sm.settle(Settlement.TERM)) {
      return;
    }
    String reason =
        "not acknowledged on the last allowed delivery (max deliver "
            + options.maxDeliver()
            + ", ack wait "
            + options.ackWait()
            + ")";
    if (deadLetter(sm, reason)) {
      sm.raw().term();
      termed.increment();
    } else {
      // Not stored: the server delivers it again (up to its own limit) for another try.
      sm.raw().nakWithDelay(Duration.ofSeconds(1));
      naked.increment();
    }
  }

  void counted(Settlement how) {
    switch (how) {
      case ACK -> acked.increment();
      case NAK -> naked.increment();
      case TERM -> termed.increment();
    }
  }

  void onInProgress() {
    lastInProgressNanos = System.nanoTime();
  }

  ServerFeatures features() {
    return broker.serverFeatures();
  }

  void publishRaw(String subject, byte[] data) {
    conn.nc().publish(subject, data);
  }

  /** A nak, from the handler or for it: on the last allowed delivery it becomes a dead letter. */
  void onNak(NatsStreamMessage sm, Duration delay, String reason) {
    boolean last =
        options.maxDeliver() != ConsumeOptions.UNLIMITED_DELIVERIES
            && sm.deliveryCount() >= options.maxDeliver();
    if (last && options.deadLetterSubject().isPresent() && deadLetter(sm, reason)) {
      sm.raw().term();
      termed.increment();
      return;
    }
    // Not stored as a dead letter (or none is configured): the server delivers it again, and a
    // delivery past the handler's last is dead-lettered then.
    if (delay.isZero()) {
      sm.raw().nak();
    } else {
      sm.raw().nakWithDelay(delay);
    }
    naked.increment();
  }

  /** Stores the message in the dead-letter stream; true once it is acked there. */
  private boolean deadLetter(NatsStreamMessage sm, String reason) {
    String dlq = options.deadLetterSubject().orElseThrow();
    Headers.Builder h = Headers.builder();
    sm.headers()
        .asMap()
        .forEach(
            (k, vs) -> {
              if (!k.equalsIgnoreCase("Nats-Msg-Id")) {
                vs.forEach(v -> h.add(k, v));
              }
            });
    h.set("Natsproof-Dead-Letter-Reason", reason.replaceAll("[\\r\\n]", " "));
    h.set("Natsproof-Deliveries", Long.toString(sm.deliveryCount()));
    h.set("Natsproof-Stream", stream);
    h.set("Natsproof-Stream-Sequence", Long.toString(sm.streamSequence()));
    h.set("Natsproof-Subject", sm.subject());
    h.set("Natsproof-Consumer", options.durable());
    sm.messageId().ifPresent(id -> h.set("Natsproof-Message-Id", id));
    String id = "dlq:" + stream + ":" + options.durable() + ":" + sm.streamSequence();
    EnqueueResult r =
        broker.enqueue(
            dlq,
            sm.data(),
            EnqueueOptions.builder()
                .idempotencyKey(id)
                .headers(h.build())
                .deadline(Duration.ofSeconds(10))
                .build());
    if (r instanceof EnqueueResult.Acked a) {
      if (!a.duplicate()) {
        deadLettered.increment();
        observer.deadLettered(stream, options.durable(), reason);
      }
      return true;
    }
    handlerErrors.increment();
    return false;
  }

  // ---------------------------------------------------------------- supervision

  /** Runs on the broker's supervisor thread (never the enqueue timer), about once a second. */
  void supervise() {
    if (!active) {
      return;
    }
    long now = System.nanoTime();
    boolean owed = knownPending > 0 || knownAckPending > 0;
    long quiet = now - lastDeliveryNanos;
    boolean silent = owed && quiet > STALL_NANOS;
    boolean idleCheck = !owed && quiet > idleLookNanos && now - lastLookNanos > idleLookNanos;
    boolean look =
        trouble || silent || idleCheck || inWedge || health.state() == ConsumerHealth.State.MISSING;
    if (!look || (!trouble && !idleCheck && now - lastLookNanos < lookIntervalNanos)) {
      return;
    }
    lastLookNanos = now;
    if (idleCheck) {
      idleLookNanos = Math.min(MAX_IDLE_LOOK_NANOS, 2 * idleLookNanos);
    } else {
      lookIntervalNanos = Math.min(MAX_LOOK_INTERVAL_NANOS, 2 * lookIntervalNanos);
    }
    trouble = false;
    looks.increment();
    ConsumerInfo ci;
    try {
      ci = jsm.getConsumerInfo(stream, options.durable());
    } catch (JetStreamApiException e) {
      judge.outage();
      if (JetStreamErrors.is(e, CONSUMER_NOT_FOUND)) {
        recreate();
      }
      return;
    } catch (IOException | RuntimeException e) {
      judge.outage();
      return; // the server cannot answer right now (no leader yet): look again next time
    }
    remember(ci);
    judge(ci, now);
  }

  private void judge(ConsumerInfo ci, long now) {
    ConsumerConfiguration cc = ci.getConsumerConfiguration();
    WedgeJudge.Verdict v =
        judge.judge(
            new WedgeJudge.Look(
                now,
                ci.getNumPending(),
                ci.getNumAckPending(),
                ci.getNumWaiting(),
                ci.getDelivered().getStreamSequence(),
                ci.getAckFloor().getStreamSequence(),
                ci.getRedelivered(),
                cc.getMaxAckPending(),
                cc.getAckWait(),
                cc.getBackoff()),
            new WedgeJudge.Local(
                handlersRunning.get() > 0, lastDeliveryNanos, lastInProgressNanos));
    if (v.wedged()) {
      if (!inWedge) {
        inWedge = true;
        wedges.increment();
        observer.intervened(stream, options.durable(), "wedged", v.evidence());
      }
      health = new ConsumerHealth(ConsumerHealth.State.WEDGED, v.evidence(), Instant.now());
    } else if (inWedge) {
      inWedge = false;
      health = new ConsumerHealth(ConsumerHealth.State.ACTIVE, "deliveries resumed", Instant.now());
    }
    switch (v.action()) {
      case REPULL, REPORT -> repull(v.evidence());
      case RESET -> {
        repull(v.evidence());
        try {
          remember(jsm.resetConsumer(stream, options.durable()));
          resets.increment();
          observer.intervened(stream, options.durable(), "reset", v.evidence());
          health =
              new ConsumerHealth(
                  ConsumerHealth.State.WEDGED,
                  "reset to its ack floor; " + v.evidence(),
                  Instant.now());
        } catch (IOException | JetStreamApiException | RuntimeException e) {
          trouble("reset failed: " + e.getMessage());
        }
      }
      case NONE -> {}
    }
  }

  /**
   * The durable is gone from the server (seen after a partition on 2.15.1): create it again with
   * the same configuration, after the last ack floor seen, and pull from it. Another worker may
   * have done so first: then bind to that one.
   */
  private synchronized void recreate() {
    if (!active) {
      return;
    }
    health =
        new ConsumerHealth(
            ConsumerHealth.State.MISSING,
            "durable not found on the server; creating it again after stream sequence "
                + knownAckFloor,
            Instant.now());
    try {
      StreamContext sc = conn.nc().getStreamContext(stream);
      ConsumerInfo existing = consumerInfoOrNull();
      ConsumerContext cc;
      if (existing != null) {
        cc = sc.getConsumerContext(options.durable());
      } else {
        cc =
            sc.createOrUpdateConsumer(
                ConsumerConfigs.startingAfter(options, knownAckFloor, workQueue));
        recreations.increment();
        observer.intervened(
            stream,
            options.durable(),
            "recreated",
            "durable not found on the server; created again after stream sequence "
                + knownAckFloor);
      }
      context = cc;
      MessageConsumer old = mc;
      mc = startPulling();
      old.stop();
      health = new ConsumerHealth(ConsumerHealth.State.ACTIVE, "recreated", Instant.now());
    } catch (IOException | JetStreamApiException | RuntimeException e) {
      trouble("recreate failed: " + e.getMessage());
    }
  }

  // ---------------------------------------------------------------- API

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
  public long lag() {
    return knownPending;
  }

  @Override
  public long undecodable() {
    return undecodable.sum();
  }

  @Override
  public long handlerErrors() {
    return handlerErrors.sum();
  }

  @Override
  public long repulls() {
    return repulls.sum();
  }

  @Override
  public long resets() {
    return resets.sum();
  }

  @Override
  public long recreations() {
    return recreations.sum();
  }

  @Override
  public long wedges() {
    return wedges.sum();
  }

  /** Consumer-info requests supervision made (for the test that idle consumers make none). */
  long looks() {
    return looks.sum();
  }

  @Override
  public ConsumerHealth health() {
    return health;
  }

  @Override
  public boolean isActive() {
    return active && !mc.isStopped();
  }

  /** Stops pulling and waits until what was received is handled; false if that ran out of time. */
  boolean drainWithin(Duration timeout) {
    active = false;
    mc.stop();
    Deadline d = Deadline.in(timeout);
    // jnats reports isFinished once the last pull has ended and its messages were handled.
    while (!(mc.isFinished() && handlersRunning.get() == 0) && !d.passed()) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
    boolean done = mc.isFinished() && handlersRunning.get() == 0;
    close();
    return done;
  }

  @Override
  public void drain(Duration timeout) {
    drainWithin(timeout);
  }

  private static java.util.concurrent.ExecutorService[] lanes(ConsumeOptions o) {
    java.util.concurrent.ExecutorService[] out =
        new java.util.concurrent.ExecutorService[o.concurrency()];
    for (int i = 0; i < out.length; i++) {
      String name = "natsproof-consume-" + o.durable() + "-" + i;
      out[i] =
          java.util.concurrent.Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
              });
    }
    return out;
  }

  @Override
  public synchronized void close() {
    active = false;
    if (lanes != null) {
      for (java.util.concurrent.ExecutorService lane : lanes) {
        lane.shutdown(); // what is queued still runs; its acks need the connection, kept open
      }
    }
    conn.unwatchPulls(this);
    try {
      mc.close();
    } catch (Exception e) {
      // Closing a consumer whose connection is gone: nothing left to release.
    }
    if (!conn.isClosed()) {
      try {
        conn.nc().closeDispatcher(dispatcher);
      } catch (IllegalStateException | IllegalArgumentException e) {
        // already closed with the connection
      }
    }
    health = new ConsumerHealth(ConsumerHealth.State.STOPPED, "closed", Instant.now());
    broker.forget(this);
  }

  @Override
  public String toString() {
    return "StreamConsumer[" + stream + "/" + options.durable() + "]";
  }
}
