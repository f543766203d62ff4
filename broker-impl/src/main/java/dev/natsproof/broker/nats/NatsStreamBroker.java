package dev.natsproof.broker.nats;

import dev.natsproof.broker.BrokerException;
import dev.natsproof.broker.BrokerOptions;
import dev.natsproof.broker.ConsumeOptions;
import dev.natsproof.broker.EnqueueOptions;
import dev.natsproof.broker.EnqueueResult;
import dev.natsproof.broker.EnqueueResult.RejectReason;
import dev.natsproof.broker.ReplayRequest;
import dev.natsproof.broker.ServerFeatures;
import dev.natsproof.broker.StreamBroker;
import dev.natsproof.broker.StreamConfigMismatchException;
import dev.natsproof.broker.StreamConsumer;
import dev.natsproof.broker.StreamMessage;
import dev.natsproof.broker.StreamMessageHandler;
import dev.natsproof.broker.StreamSpec;
import dev.natsproof.broker.Subjects;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.PublishOptions;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.PublishAck;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.NatsMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The Stream broker on jnats: enqueue with idempotency keys and honest outcomes, durable pull
 * consumers with every ack path, idempotent provisioning, replay.
 */
public final class NatsStreamBroker extends NatsBroker implements StreamBroker {
  /** Default number of async enqueues in flight. */
  public static final int DEFAULT_ASYNC_WINDOW = 256;

  /** The server's default duplicate window, assumed for streams not provisioned here. */
  static final Duration DEFAULT_DUPLICATE_WINDOW = Duration.ofMinutes(2);

  private final JetStream js;
  private final JetStreamManagement jsm;
  private final ServerFeatures features;
  private final Semaphore window;
  private final int windowSize;
  private final ScheduledExecutorService timers;
  private final Set<NatsStreamConsumer> consumers = ConcurrentHashMap.newKeySet();
  private final AtomicLong idCounter = new AtomicLong();
  private final String idPrefix = UUID.randomUUID().toString().substring(0, 12);
  private volatile Duration shortestDuplicateWindow = DEFAULT_DUPLICATE_WINDOW;

  private NatsStreamBroker(BrokerOptions options, int asyncWindow) {
    super(options);
    if (asyncWindow < 1) {
      close();
      throw new IllegalArgumentException("asyncWindow must be >= 1, got " + asyncWindow);
    }
    try {
      this.js = nc.jetStream();
      this.jsm = nc.jetStreamManagement();
    } catch (IOException e) {
      close();
      throw new BrokerException("cannot open JetStream on " + options.servers(), e);
    }
    this.features = ServerFeatures.of(nc.getServerInfo().getVersion());
    this.windowSize = asyncWindow;
    this.window = new Semaphore(asyncWindow);
    this.timers =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "natsproof-enqueue-timer-" + name());
              t.setDaemon(true);
              return t;
            });
    this.timers.scheduleWithFixedDelay(this::sweepAttempts, 20, 20, TimeUnit.MILLISECONDS);
  }

  public static NatsStreamBroker connect(BrokerOptions options) {
    return connect(options, DEFAULT_ASYNC_WINDOW);
  }

  /** Connects with at most {@code asyncWindow} async enqueues in flight. */
  public static NatsStreamBroker connect(BrokerOptions options, int asyncWindow) {
    return new NatsStreamBroker(options, asyncWindow);
  }

  @Override
  public ServerFeatures serverFeatures() {
    return features;
  }

  public int asyncWindow() {
    return windowSize;
  }

  /** Async enqueues currently in flight. */
  public int asyncInFlight() {
    return windowSize - window.availablePermits();
  }

  // ------------------------------------------------------------------ enqueue

  private String messageId(EnqueueOptions o) {
    return o.idempotencyKey().orElseGet(() -> "np-" + idPrefix + "-" + idCounter.incrementAndGet());
  }

  /** Retries must end inside the duplicate window, or a late retry could store a second copy. */
  private long deadlineNanos(EnqueueOptions o) {
    Duration cap = shortestDuplicateWindow.minus(o.attemptTimeout());
    Duration d = o.deadline().compareTo(cap) > 0 ? cap : o.deadline();
    if (d.isNegative() || d.isZero()) {
      d = o.attemptTimeout();
    }
    return System.nanoTime() + d.toNanos();
  }

  /**
   * The message without its id: {@link #publishOptions} carries the id, and jnats writes it into a
   * copy of the headers as {@code Nats-Msg-Id} on every publish.
   */
  private io.nats.client.Message message(String subject, byte[] data, EnqueueOptions o) {
    NatsMessage.Builder b = NatsMessage.builder().subject(subject).data(data);
    if (!o.headers().isEmpty()) {
      b.headers(NatsHeaders.toNats(o.headers()));
    }
    return b.build();
  }

  private PublishOptions publishOptions(EnqueueOptions o, String id, Duration attemptTimeout) {
    PublishOptions.Builder b = PublishOptions.builder().messageId(id).streamTimeout(attemptTimeout);
    o.expectedLastSequence().ifPresent(b::expectedLastSequence);
    o.expectedLastSubjectSequence().ifPresent(b::expectedLastSubjectSequence);
    o.expectedStream().ifPresent(b::expectedStream);
    return b.build();
  }

  /** Checks that can reject before anything is sent; null when the message may go. */
  private EnqueueResult.Rejected precheck(String subject, byte[] data, String id) {
    ensureOpen();
    if (!Subjects.isPublishable(subject)) {
      String why;
      try {
        Subjects.requirePublishable(subject);
        why = "invalid subject";
      } catch (RuntimeException e) {
        why = e.getMessage();
      }
      return new EnqueueResult.Rejected(id, RejectReason.INVALID_SUBJECT, why, 0);
    }
    long max = nc.getServerInfo().getMaxPayload();
    if (data != null && max > 0 && data.length > max) {
      return new EnqueueResult.Rejected(
          id,
          RejectReason.TOO_LARGE,
          data.length + " bytes exceed the server's max_payload of " + max,
          0);
    }
    return null;
  }

  @Override
  public EnqueueResult enqueue(String subject, byte[] data, EnqueueOptions o) {
    String id = messageId(o);
    EnqueueResult.Rejected early = precheck(subject, data, id);
    if (early != null) {
      return early;
    }
    long deadline = deadlineNanos(o);
    io.nats.client.Message msg = message(subject, data, o);
    int attempts = 0;
    boolean maybeStored = false;
    String lastError = null;
    while (true) {
      attempts++;
      Duration attemptTimeout = remaining(deadline, o.attemptTimeout());
      try {
        PublishAck ack = js.publish(msg, publishOptions(o, id, attemptTimeout));
        published.increment();
        return new EnqueueResult.Acked(
            id, ack.getStream(), ack.getSeqno(), ack.isDuplicate(), attempts);
      } catch (Exception e) {
        PublishErrors.Classified c = PublishErrors.classify(e);
        lastError = c.detail();
        EnqueueResult definite = definite(c, id, attempts, maybeStored);
        if (definite != null) {
          return definite;
        }
        maybeStored |= c.sent();
      }
      long pause = retryPauseNanos(attempts);
      if (System.nanoTime() + pause + TimeUnit.MILLISECONDS.toNanos(50) >= deadline) {
        return maybeStored
            ? new EnqueueResult.Indeterminate(id, lastError, attempts)
            : new EnqueueResult.Rejected(id, RejectReason.NOT_SENT, lastError, attempts);
      }
      LockSupport.parkNanos(pause);
    }
  }

  /**
   * A definite answer ends the retries. After an attempt that may have stored the message, only a
   * wrong-expected-sequence stays definite (dedup is checked before expectations, so a stored
   * earlier attempt would have come back as a duplicate ack); any other error then leaves the
   * outcome indeterminate.
   */
  private static EnqueueResult definite(
      PublishErrors.Classified c, String id, int attempts, boolean maybeStored) {
    if (!c.definite() || c.reason() == RejectReason.NOT_SENT) {
      return null;
    }
    if (maybeStored && c.reason() != RejectReason.WRONG_EXPECTED_SEQUENCE) {
      return new EnqueueResult.Indeterminate(
          id, c.detail() + " (after an attempt that may have stored it)", attempts);
    }
    return new EnqueueResult.Rejected(id, c.reason(), c.detail(), attempts);
  }

  private static Duration remaining(long deadlineNanos, Duration attemptTimeout) {
    long left = deadlineNanos - System.nanoTime();
    long ms =
        Math.max(100, Math.min(attemptTimeout.toMillis(), TimeUnit.NANOSECONDS.toMillis(left)));
    return Duration.ofMillis(ms);
  }

  /** 50 ms, 100 ms, 200 ms … up to 1 s between attempts: the server is restarting or far. */
  private static long retryPauseNanos(int attempts) {
    long ms = Math.min(1000, 50L << Math.min(5, attempts - 1));
    return TimeUnit.MILLISECONDS.toNanos(ms);
  }

  @Override
  public CompletableFuture<EnqueueResult> enqueueAsync(
      String subject, byte[] data, EnqueueOptions o) {
    String id = messageId(o);
    EnqueueResult.Rejected early = precheck(subject, data, id);
    if (early != null) {
      return CompletableFuture.completedFuture(early);
    }
    long deadline = deadlineNanos(o);
    try {
      if (!window.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        return CompletableFuture.completedFuture(
            new EnqueueResult.Rejected(
                id,
                RejectReason.WINDOW_FULL,
                windowSize + " async enqueues stayed in flight until the deadline",
                0));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CompletableFuture.completedFuture(
          new EnqueueResult.Rejected(id, RejectReason.NOT_SENT, "interrupted", 0));
    }
    AsyncEnqueue a = new AsyncEnqueue(message(subject, data, o), o, id, deadline);
    a.attempt();
    return a.result;
  }

  /** An async publish attempt waiting for its ack, and when it stops waiting. */
  private record Attempt(
      CompletableFuture<PublishAck> future, long deadlineNanos, Duration timeout, int number) {}

  private final Set<Attempt> pendingAttempts = ConcurrentHashMap.newKeySet();

  private void sweepAttempts() {
    long now = System.nanoTime();
    for (Attempt a : pendingAttempts) {
      if (now >= a.deadlineNanos()) {
        pendingAttempts.remove(a);
        a.future()
            .completeExceptionally(
                new java.util.concurrent.TimeoutException(
                    "no ack within " + a.timeout() + " (attempt " + a.number() + ")"));
      }
    }
  }

  /** One async enqueue: attempts with its own timeout, retries, one permit released once. */
  private final class AsyncEnqueue {
    final io.nats.client.Message msg;
    final EnqueueOptions o;
    final String id;
    final long deadline;
    final CompletableFuture<EnqueueResult> result = new CompletableFuture<>();
    final AtomicBoolean released = new AtomicBoolean();
    volatile int attempts;
    volatile boolean maybeStored;
    volatile String lastError;

    AsyncEnqueue(io.nats.client.Message msg, EnqueueOptions o, String id, long deadline) {
      this.msg = msg;
      this.o = o;
      this.id = id;
      this.deadline = deadline;
    }

    void attempt() {
      if (result.isDone()) {
        return;
      }
      int n = ++attempts;
      Duration attemptTimeout = remaining(deadline, o.attemptTimeout());
      CompletableFuture<PublishAck> f;
      try {
        f = js.publishAsync(msg, publishOptions(o, id, attemptTimeout));
      } catch (Exception e) {
        failed(n, e);
        return;
      }
      // jnats's async futures end on its cleanup tick, 5-10 s late: this attempt ends on time.
      // One sweeper for all attempts; a scheduled task per message cost ~40% of async throughput.
      Attempt a = new Attempt(f, System.nanoTime() + attemptTimeout.toNanos(), attemptTimeout, n);
      pendingAttempts.add(a);
      f.whenComplete(
          (ack, err) -> {
            pendingAttempts.remove(a);
            if (err == null) {
              published.increment();
              finish(
                  new EnqueueResult.Acked(
                      id, ack.getStream(), ack.getSeqno(), ack.isDuplicate(), n));
            } else {
              failed(n, err);
            }
          });
    }

    void failed(int n, Throwable err) {
      PublishErrors.Classified c = PublishErrors.classify(err);
      lastError = c.detail();
      EnqueueResult definite = definite(c, id, n, maybeStored);
      if (definite != null) {
        finish(definite);
        return;
      }
      if (c.sent()) {
        maybeStored = true;
      }
      long pause = retryPauseNanos(n);
      if (System.nanoTime() + pause + TimeUnit.MILLISECONDS.toNanos(50) >= deadline) {
        finish(
            maybeStored
                ? new EnqueueResult.Indeterminate(id, lastError, n)
                : new EnqueueResult.Rejected(id, RejectReason.NOT_SENT, lastError, n));
        return;
      }
      try {
        timers.schedule(this::attempt, pause, TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        finish(
            maybeStored
                ? new EnqueueResult.Indeterminate(id, "broker closed during retries", n)
                : new EnqueueResult.Rejected(id, RejectReason.NOT_SENT, "broker closed", n));
      }
    }

    void finish(EnqueueResult r) {
      if (released.compareAndSet(false, true)) {
        window.release();
      }
      result.complete(r);
    }
  }

  // ------------------------------------------------------------------ consume

  @Override
  public StreamConsumer consume(
      String stream, StreamMessageHandler handler, ConsumeOptions options) {
    ensureOpen();
    if (handler == null) {
      throw new IllegalArgumentException("handler must not be null");
    }
    if (options == null) {
      throw new IllegalArgumentException("consume options are required (a durable name at least)");
    }
    NatsStreamConsumer c = new NatsStreamConsumer(this, stream, handler, options);
    consumers.add(c);
    startWatchdog();
    return c;
  }

  /**
   * jnats re-sends subscriptions on reconnect but not pull requests; it re-pulls only when a pull's
   * heartbeats have been missing long enough (observed ~2.4 s with 1 s pulls, 45-90 s with the
   * defaults). Pull again as soon as the connection is back.
   */
  @Override
  protected void onReconnected() {
    for (NatsStreamConsumer c : consumers) {
      try {
        timers.execute(c::repull);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        return; // closing
      }
    }
  }

  private final AtomicBoolean watchdogStarted = new AtomicBoolean();

  private void startWatchdog() {
    if (watchdogStarted.compareAndSet(false, true)) {
      timers.scheduleWithFixedDelay(
          () -> {
            for (NatsStreamConsumer c : consumers) {
              c.watchdog();
            }
          },
          1,
          1,
          TimeUnit.SECONDS);
    }
  }

  void forget(NatsStreamConsumer c) {
    consumers.remove(c);
  }

  @Override
  protected void onClose() {
    for (NatsStreamConsumer c : List.copyOf(consumers)) {
      c.close();
    }
    timers.shutdownNow();
  }

  // ------------------------------------------------------------------ provision

  @Override
  public void provision(StreamSpec spec, Duration deadline) {
    ensureOpen();
    if (deadline == null || deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException(
          "provision deadline must be > 0, got " + deadline + ": give how long to keep asking");
    }
    StreamConfiguration wanted = configuration(spec);
    long until = System.nanoTime() + deadline.toNanos();
    long backoffMillis = 100;
    for (int attempt = 1; ; attempt++) {
      try {
        provisionOnce(spec, wanted);
        return;
      } catch (JetStreamApiException e) {
        if (e.getApiErrorCode() != JS_TEMPORARILY_UNAVAILABLE || System.nanoTime() >= until) {
          throw new BrokerException(
              "cannot provision stream "
                  + spec.name()
                  + ": "
                  + e.getErrorDescription()
                  + " (error "
                  + e.getApiErrorCode()
                  + (attempt > 1 ? ", after " + attempt + " attempts" : "")
                  + ")",
              e);
        }
      } catch (IOException e) {
        if (System.nanoTime() >= until) {
          throw new BrokerException(
              "cannot provision stream "
                  + spec.name()
                  + ": the JetStream API did not answer within "
                  + deadline
                  + " ("
                  + attempt
                  + " attempts; last: "
                  + e.getMessage()
                  + "). Check that the servers run JetStream and that a cluster has a meta leader"
                  + " (nats server report jetstream), or give a longer deadline.",
              e);
        }
      }
      long leftMillis = TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime());
      try {
        // A back-off between attempts at a remote API, not a wait for an event of ours.
        Thread.sleep(Math.max(1, Math.min(backoffMillis, leftMillis)));
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        throw new BrokerException("provisioning stream " + spec.name() + " interrupted", ie);
      }
      backoffMillis = Math.min(backoffMillis * 2, 2_000);
    }
  }

  /** JetStream's "temporarily unavailable" API error, seen while a cluster has no meta leader. */
  private static final int JS_TEMPORARILY_UNAVAILABLE = 10008;

  private void provisionOnce(StreamSpec spec, StreamConfiguration wanted)
      throws IOException, JetStreamApiException {
    StreamConfiguration existing;
    try {
      existing = jsm.getStreamInfo(spec.name()).getConfiguration();
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() != 10059) {
        throw e;
      }
      try {
        jsm.addStream(wanted);
        remember(spec);
        return;
      } catch (JetStreamApiException raced) {
        // 10058: name in use: a racing provisioner, or an earlier attempt of ours whose answer
        // was lost.
        if (raced.getApiErrorCode() != 10058) {
          throw raced;
        }
        existing = jsm.getStreamInfo(spec.name()).getConfiguration();
      }
    }
    requireSame(spec, existing);
    remember(spec);
  }

  private void remember(StreamSpec spec) {
    synchronized (this) {
      if (spec.duplicateWindow().compareTo(shortestDuplicateWindow) < 0) {
        shortestDuplicateWindow = spec.duplicateWindow();
      }
    }
  }

  static StreamConfiguration configuration(StreamSpec s) {
    return StreamConfiguration.builder()
        .name(s.name())
        .subjects(s.subjects())
        .retentionPolicy(retention(s.retention()))
        .storageType(StorageType.File)
        .replicas(s.replicas())
        .maxAge(s.maxAge())
        .duplicateWindow(s.duplicateWindow())
        .maxMessagesPerSubject(s.maxMessagesPerSubject())
        .maximumMessageSize(s.maxMessageBytes())
        .discardPolicy(DiscardPolicy.Old)
        .build();
  }

  private static RetentionPolicy retention(StreamSpec.Retention r) {
    return switch (r) {
      case LIMITS -> RetentionPolicy.Limits;
      case WORK_QUEUE -> RetentionPolicy.WorkQueue;
      case INTEREST -> RetentionPolicy.Interest;
    };
  }

  private static void requireSame(StreamSpec spec, StreamConfiguration c) {
    List<String> diffs = new ArrayList<>();
    if (!new HashSet<>(c.getSubjects()).equals(new HashSet<>(spec.subjects()))) {
      diffs.add("subjects: existing " + c.getSubjects() + ", wanted " + spec.subjects());
    }
    if (c.getRetentionPolicy() != retention(spec.retention())) {
      diffs.add("retention: existing " + c.getRetentionPolicy() + ", wanted " + spec.retention());
    }
    if (c.getStorageType() != StorageType.File) {
      diffs.add("storage: existing " + c.getStorageType() + ", wanted File");
    }
    if (c.getReplicas() != spec.replicas()) {
      diffs.add("replicas: existing " + c.getReplicas() + ", wanted " + spec.replicas());
    }
    if (!c.getMaxAge().equals(spec.maxAge())) {
      diffs.add("maxAge: existing " + c.getMaxAge() + ", wanted " + spec.maxAge());
    }
    if (!c.getDuplicateWindow().equals(spec.duplicateWindow())) {
      diffs.add(
          "duplicateWindow: existing "
              + c.getDuplicateWindow()
              + ", wanted "
              + spec.duplicateWindow());
    }
    if (c.getMaxMsgsPerSubject() != spec.maxMessagesPerSubject()) {
      diffs.add(
          "maxMessagesPerSubject: existing "
              + c.getMaxMsgsPerSubject()
              + ", wanted "
              + spec.maxMessagesPerSubject());
    }
    if (c.getMaximumMessageSize() != spec.maxMessageBytes()) {
      diffs.add(
          "maxMessageBytes: existing "
              + c.getMaximumMessageSize()
              + ", wanted "
              + spec.maxMessageBytes());
    }
    if (!diffs.isEmpty()) {
      throw new StreamConfigMismatchException(
          "stream "
              + spec.name()
              + " exists with different settings: "
              + String.join("; ", diffs)
              + ". natsproof never changes an existing stream: migrate it deliberately (nats"
              + " stream edit, or a new stream and a mirror), or delete it if its data may go.");
    }
  }

  // ------------------------------------------------------------------ replay

  @Override
  public List<StreamMessage> replay(ReplayRequest r) {
    ensureOpen();
    try {
      return StreamReplay.run(nc, jsm, r);
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() == 10059) {
        throw new BrokerException("stream '" + r.stream() + "' not found: nothing to replay", e);
      }
      throw new BrokerException(
          "replay of " + r.stream() + " failed: " + e.getErrorDescription(), e);
    } catch (IOException e) {
      throw new BrokerException("replay of " + r.stream() + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BrokerException("replay of " + r.stream() + " interrupted", e);
    } catch (Exception e) {
      if (e instanceof BrokerException be) {
        throw be;
      }
      throw new BrokerException("replay of " + r.stream() + " failed: " + e, e);
    }
  }
}
