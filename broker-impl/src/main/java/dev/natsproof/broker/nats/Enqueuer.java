package dev.natsproof.broker.nats;

import dev.natsproof.broker.BrokerObserver;
import dev.natsproof.broker.EnqueueOptions;
import dev.natsproof.broker.EnqueueResult;
import dev.natsproof.broker.EnqueueResult.RejectReason;
import dev.natsproof.broker.Subjects;
import io.nats.client.JetStream;
import io.nats.client.PublishOptions;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.NatsMessage;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Enqueue, sync and async, with honest outcomes: every message carries a message id, failures are
 * sorted by {@link PublishErrors}, and {@link RetryPolicy} decides, for both paths alike, when to
 * try again and when to give up. The async path has a bounded window and its own per-attempt
 * timeout; its timer thread only completes and schedules, it never blocks on the network.
 */
final class Enqueuer implements AutoCloseable {
  private final NatsConnection conn;
  private final JetStream js;
  private final RetryPolicy retry;
  private final BooleanSupplier closed;
  private final Semaphore window;
  private final int windowSize;
  private final ScheduledExecutorService timers;
  private final AtomicLong idCounter = new AtomicLong();
  private final String idPrefix = UUID.randomUUID().toString().substring(0, 12);
  private final Set<Attempt> pendingAttempts = ConcurrentHashMap.newKeySet();

  final LongAdder acked = new LongAdder();
  final LongAdder duplicates = new LongAdder();
  final LongAdder rejected = new LongAdder();
  final LongAdder indeterminate = new LongAdder();

  Enqueuer(
      NatsConnection conn,
      JetStream js,
      RetryPolicy retry,
      int windowSize,
      BooleanSupplier closed) {
    this.conn = conn;
    this.js = js;
    this.retry = retry;
    this.closed = closed;
    this.windowSize = windowSize;
    this.window = new Semaphore(windowSize);
    this.timers =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "natsproof-enqueue-timer-" + conn.name());
              t.setDaemon(true);
              return t;
            });
    this.timers.scheduleWithFixedDelay(this::sweepAttempts, 20, 20, TimeUnit.MILLISECONDS);
  }

  int windowSize() {
    return windowSize;
  }

  int inFlight() {
    return windowSize - window.availablePermits();
  }

  /** The thread that times async attempts out: nothing else may ever run on it. */
  ScheduledExecutorService timers() {
    return timers;
  }

  private String messageId(EnqueueOptions o) {
    return o.idempotencyKey().orElseGet(() -> "np-" + idPrefix + "-" + idCounter.incrementAndGet());
  }

  /** The message without its id: jnats writes the id from the publish options. */
  private io.nats.client.Message message(String subject, byte[] data, EnqueueOptions o) {
    NatsMessage.Builder b = NatsMessage.builder().subject(subject).data(data);
    dev.natsproof.broker.Headers h =
        dev.natsproof.broker.TraceContext.withCurrent(o.headers(), conn.options().traceContext());
    if (!h.isEmpty()) {
      b.headers(NatsHeaders.toNats(h));
    }
    return b.build();
  }

  private static PublishOptions publishOptions(EnqueueOptions o, String id, Duration timeout) {
    PublishOptions.Builder b = PublishOptions.builder().messageId(id).streamTimeout(timeout);
    o.expectedLastSequence().ifPresent(b::expectedLastSequence);
    o.expectedLastSubjectSequence().ifPresent(b::expectedLastSubjectSequence);
    o.expectedStream().ifPresent(b::expectedStream);
    return b.build();
  }

  /** Checks that can reject before anything is sent; null when the message may go. */
  private EnqueueResult.Rejected precheck(
      String subject, byte[] data, EnqueueOptions o, String id) {
    if (closed.getAsBoolean()) {
      return new EnqueueResult.Rejected(
          id, RejectReason.NOT_SENT, "broker " + conn.name() + " is closed", 0);
    }
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
    long max = conn.maxPayloadBytes();
    long size = NatsBroker.payloadBytes(o.headers(), data);
    if (max > 0 && size > max) {
      return new EnqueueResult.Rejected(
          id,
          RejectReason.TOO_LARGE,
          size + " bytes (headers and data) exceed the server's max_payload of " + max,
          0);
    }
    return null;
  }

  /** Counts the outcome and reports it with the time since the call began. */
  private EnqueueResult counted(String subject, long startNanos, EnqueueResult r) {
    counted(r);
    BrokerObserver obs = conn.options().observer();
    if (obs != BrokerObserver.NONE) { // no template work on the hot path when nobody listens
      obs.enqueued(conn.options().subjectTemplate(subject), r, System.nanoTime() - startNanos);
    }
    return r;
  }

  private EnqueueResult counted(EnqueueResult r) {
    if (r instanceof EnqueueResult.Acked a) {
      acked.increment();
      if (a.duplicate()) {
        duplicates.increment();
      }
    } else if (r instanceof EnqueueResult.Rejected) {
      rejected.increment();
    } else {
      indeterminate.increment();
    }
    return r;
  }

  EnqueueResult enqueue(String subject, byte[] data, EnqueueOptions o) {
    long start = System.nanoTime();
    String id = messageId(o);
    EnqueueResult.Rejected early = precheck(subject, data, o, id);
    if (early != null) {
      return counted(subject, start, early);
    }
    Deadline deadline = retry.deadline(o);
    io.nats.client.Message msg = message(subject, data, o);
    RetryPolicy.Attempts a = new RetryPolicy.Attempts(id);
    while (true) {
      a.count++;
      Duration timeout = retry.attemptTimeout(deadline, o);
      try {
        PublishAck ack = js.publish(msg, publishOptions(o, id, timeout));
        return counted(
            subject,
            start,
            new EnqueueResult.Acked(
                id, ack.getStream(), ack.getSeqno(), ack.isDuplicate(), a.count));
      } catch (Exception e) {
        EnqueueResult end = retry.afterFailure(a, PublishErrors.classify(e), deadline);
        if (end != null) {
          return counted(subject, start, end);
        }
      }
      if (closed.getAsBoolean()) {
        return counted(subject, start, retry.givenUp(a));
      }
      LockSupport.parkNanos(retry.pauseNanos(a.count));
    }
  }

  CompletableFuture<EnqueueResult> enqueueAsync(String subject, byte[] data, EnqueueOptions o) {
    long start = System.nanoTime();
    String id = messageId(o);
    EnqueueResult.Rejected early = precheck(subject, data, o, id);
    if (early != null) {
      return CompletableFuture.completedFuture(counted(subject, start, early));
    }
    Deadline deadline = retry.deadline(o);
    try {
      if (!window.tryAcquire(deadline.left().toNanos(), TimeUnit.NANOSECONDS)) {
        return CompletableFuture.completedFuture(
            counted(
                subject,
                start,
                new EnqueueResult.Rejected(
                    id,
                    RejectReason.WINDOW_FULL,
                    windowSize + " async enqueues stayed in flight until the deadline",
                    0)));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CompletableFuture.completedFuture(
          counted(
              subject,
              start,
              new EnqueueResult.Rejected(id, RejectReason.NOT_SENT, "interrupted", 0)));
    }
    AsyncEnqueue a = new AsyncEnqueue(message(subject, data, o), o, id, deadline, start);
    a.attempt();
    return a.result;
  }

  /** An async publish attempt waiting for its ack, and when it stops waiting. */
  private record Attempt(
      CompletableFuture<PublishAck> future, long deadlineNanos, Duration timeout, int number) {}

  private void sweepAttempts() {
    long now = System.nanoTime();
    for (Attempt a : pendingAttempts) {
      if (now >= a.deadlineNanos()) {
        pendingAttempts.remove(a);
        a.future()
            .completeExceptionally(
                new TimeoutException(
                    "no ack within " + a.timeout() + " (attempt " + a.number() + ")"));
      }
    }
  }

  /** One async enqueue: attempts with its own timeout, retries, one permit released once. */
  private final class AsyncEnqueue {
    final io.nats.client.Message msg;
    final EnqueueOptions o;
    final Deadline deadline;
    final RetryPolicy.Attempts attempts;
    final CompletableFuture<EnqueueResult> result = new CompletableFuture<>();
    final AtomicBoolean finished = new AtomicBoolean();
    final long startNanos;

    AsyncEnqueue(
        io.nats.client.Message msg, EnqueueOptions o, String id, Deadline deadline, long start) {
      this.startNanos = start;
      this.msg = msg;
      this.o = o;
      this.deadline = deadline;
      this.attempts = new RetryPolicy.Attempts(id);
    }

    synchronized void attempt() {
      if (result.isDone()) {
        return;
      }
      int n = ++attempts.count;
      Duration timeout = retry.attemptTimeout(deadline, o);
      CompletableFuture<PublishAck> f;
      try {
        f = js.publishAsync(msg, publishOptions(o, attempts.id, timeout));
      } catch (Exception e) {
        failed(e);
        return;
      }
      // jnats's async futures end on its cleanup tick, 5-10 s late: this attempt ends on time.
      // One sweeper for all attempts; a scheduled task per message cost ~40% of async throughput.
      Attempt a = new Attempt(f, System.nanoTime() + timeout.toNanos(), timeout, n);
      pendingAttempts.add(a);
      f.whenComplete(
          (ack, err) -> {
            pendingAttempts.remove(a);
            if (err == null) {
              finish(
                  new EnqueueResult.Acked(
                      attempts.id, ack.getStream(), ack.getSeqno(), ack.isDuplicate(), n));
            } else {
              failed(err);
            }
          });
    }

    synchronized void failed(Throwable err) {
      EnqueueResult end = retry.afterFailure(attempts, PublishErrors.classify(err), deadline);
      if (end != null) {
        finish(end);
        return;
      }
      if (closed.getAsBoolean()) {
        finish(retry.givenUp(attempts));
        return;
      }
      try {
        timers.schedule(this::attempt, retry.pauseNanos(attempts.count), TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        finish(retry.givenUp(attempts));
      }
    }

    void finish(EnqueueResult r) {
      if (finished.compareAndSet(false, true)) {
        counted(msg.getSubject(), startNanos, r);
        window.release();
        result.complete(r);
      }
    }
  }

  /** Ends every async enqueue still waiting: their futures complete now, by the rules above. */
  @Override
  public void close() {
    timers.shutdownNow();
    for (Attempt a : pendingAttempts) {
      pendingAttempts.remove(a);
      a.future().completeExceptionally(new TimeoutException("broker closed"));
    }
  }
}
