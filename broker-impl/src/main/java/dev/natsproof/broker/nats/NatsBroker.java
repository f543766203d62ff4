package dev.natsproof.broker.nats;

import dev.natsproof.broker.Broker;
import dev.natsproof.broker.BrokerClosedException;
import dev.natsproof.broker.BrokerException;
import dev.natsproof.broker.BrokerObserver;
import dev.natsproof.broker.BrokerOptions;
import dev.natsproof.broker.BrokerStats;
import dev.natsproof.broker.ConnectionListener;
import dev.natsproof.broker.ConnectionState;
import dev.natsproof.broker.DrainTimeoutException;
import dev.natsproof.broker.Headers;
import dev.natsproof.broker.Message;
import dev.natsproof.broker.MessageHandler;
import dev.natsproof.broker.NoRespondersException;
import dev.natsproof.broker.PayloadTooLargeException;
import dev.natsproof.broker.RequestTimeoutException;
import dev.natsproof.broker.Subjects;
import dev.natsproof.broker.Subscription;
import dev.natsproof.broker.TraceContext;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStreamStatusException;
import io.nats.client.impl.NatsMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The Core broker on jnats. One NATS connection; plain and queue subscriptions share one jnats
 * dispatcher (one thread, in arrival order, as jnats itself does), so a handler must not block:
 * slow consumers should use {@link #subscribeLatest}, whose handlers run on the broker's own
 * bounded pool.
 */
public final class NatsBroker implements Broker {
  /** How long {@link Subscription#close()} of a latest-only subscription waits for its handler. */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

  private enum Lifecycle {
    OPEN,
    DRAINING,
    CLOSED
  }

  private final NatsConnection conn;
  private final boolean ownsConnection;
  private final Connection nc;
  private final Dispatcher dispatcher;
  private final ThreadPoolExecutor latestPool;
  private final Set<Sub> subscriptions = ConcurrentHashMap.newKeySet();
  private volatile Lifecycle lifecycle = Lifecycle.OPEN;
  private final CompletableFuture<Void> drained = new CompletableFuture<>();

  private final LongAdder published = new LongAdder();
  private final LongAdder delivered = new LongAdder();
  private final LongAdder droppedLatest = new LongAdder();
  private final LongAdder droppedByClosedSubscriptions = new LongAdder();
  private final LongAdder handlerErrors = new LongAdder();

  /** The subscription whose handler this thread is running, if any. */
  private static final ThreadLocal<Object> HANDLING = new ThreadLocal<>();

  private final LongAdder requestTimeouts = new LongAdder();

  /** A broker on a connection of its own. */
  private NatsBroker(NatsConnection conn, boolean ownsConnection) {
    this.conn = conn;
    this.ownsConnection = ownsConnection;
    this.nc = conn.nc();
    this.dispatcher = nc.createDispatcher();
    this.dispatcher.setPendingLimits(conn.options().pendingMessageLimit(), 512L * 1024 * 1024);
    // One drain task per backlogged latest-only subscription at a time, on at most this many
    // threads: a cached pool grew a thread per backlogged subscription.
    int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
    AtomicInteger ids = new AtomicInteger();
    this.latestPool =
        new ThreadPoolExecutor(
            threads,
            threads,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t =
                  new Thread(r, "natsproof-latest-" + conn.name() + "-" + ids.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.latestPool.allowCoreThreadTimeOut(true);
  }

  /** Connects to the first reachable server of {@code options}. */
  public static NatsBroker connect(BrokerOptions options) {
    return new NatsBroker(new NatsConnection(options), true);
  }

  /** The Core half of a Stream broker: same connection, closed by its owner. */
  static NatsBroker on(NatsConnection conn) {
    return new NatsBroker(conn, false);
  }

  // ---------------------------------------------------------------- publish

  /** Publishing stays allowed while draining: a handler finishing its work may still answer. */
  void ensureNotClosed() {
    if (lifecycle == Lifecycle.CLOSED || conn.isClosed()) {
      throw new BrokerClosedException(
          "broker "
              + conn.name()
              + " is closed; connect a new one with NatsBroker.connect(options)");
    }
  }

  /** New interest is refused from the moment a drain begins. */
  void ensureOpenForInterest() {
    ensureNotClosed();
    if (lifecycle == Lifecycle.DRAINING) {
      throw new BrokerClosedException(
          "broker " + conn.name() + " is draining: it takes no new subscriptions or consumers");
    }
  }

  boolean isDraining() {
    return lifecycle == Lifecycle.DRAINING;
  }

  /** Headers count against max_payload too: the server measures headers plus data. */
  void checkPayload(String subject, Headers headers, byte[] data) {
    long max = nc.getServerInfo().getMaxPayload();
    long size = payloadBytes(headers, data);
    if (max > 0 && size > max) {
      throw new PayloadTooLargeException(
          "message of "
              + size
              + " bytes (headers and data) for '"
              + subject
              + "' exceeds the server's max_payload of "
              + max
              + " bytes: split the message or raise max_payload in nats-server's config");
    }
  }

  static long payloadBytes(Headers headers, byte[] data) {
    long size = data == null ? 0 : data.length;
    if (headers != null && !headers.isEmpty()) {
      size += NatsHeaders.toNats(headers).serializedLength();
    }
    return size;
  }

  @Override
  public void publish(String subject, byte[] data) {
    publish(subject, Headers.EMPTY, data);
  }

  @Override
  public void publish(String subject, Headers headers, byte[] data) {
    ensureNotClosed();
    Subjects.requirePublishable(subject);
    headers = TraceContext.withCurrent(headers, conn.options().traceContext());
    checkPayload(subject, headers, data);
    try {
      if (headers == null || headers.isEmpty()) {
        nc.publish(subject, data);
      } else {
        nc.publish(subject, NatsHeaders.toNats(headers), data);
      }
    } catch (IllegalStateException e) {
      throw conn.stateError("publish to '" + subject + "'", e);
    }
    published.increment();
    BrokerObserver obs = conn.options().observer();
    if (obs != BrokerObserver.NONE) { // no template work per publish when nobody listens
      obs.published(conn.options().subjectTemplate(subject), data == null ? 0 : data.length);
    }
  }

  @Override
  public void reply(Message request, byte[] data) {
    String to =
        request
            .replyTo()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "message on '" + request.subject() + "' has no reply inbox to answer"));
    publish(to, data);
  }

  // ---------------------------------------------------------------- subscribe

  @Override
  public Subscription subscribe(String subject, MessageHandler handler) {
    ensureOpenForInterest();
    Subjects.requireSubscribable(subject);
    return register(new DirectSub(subject, null, handler));
  }

  @Override
  public Subscription queueSubscribe(String subject, String queue, MessageHandler handler) {
    ensureOpenForInterest();
    Subjects.requireSubscribable(subject);
    Subjects.requireQueueName(queue);
    return register(new DirectSub(subject, queue, handler));
  }

  @Override
  public Subscription subscribeOnOwnThread(String subject, String queue, MessageHandler handler) {
    ensureOpenForInterest();
    Subjects.requireSubscribable(subject);
    if (queue != null) {
      Subjects.requireQueueName(queue);
    }
    return register(new OwnThreadSub(subject, queue, handler));
  }

  @Override
  public Subscription subscribeLatest(String subject, MessageHandler handler) {
    ensureOpenForInterest();
    Subjects.requireSubscribable(subject);
    return register(new LatestOnlySub(subject, handler));
  }

  private Subscription register(Sub s) {
    if (s.handler == null) {
      throw new IllegalArgumentException("handler must not be null");
    }
    try {
      s.start();
    } catch (IllegalStateException e) {
      throw conn.stateError("subscribe to '" + s.subject() + "'", e);
    }
    subscriptions.add(s);
    return s;
  }

  static Message toMessage(io.nats.client.Message m) {
    return new Message(
        m.getSubject(), m.getReplyTo(), NatsHeaders.fromNats(m.getHeaders()), m.getData());
  }

  abstract class Sub implements Subscription {
    final String subject;
    final String queue;
    final MessageHandler handler;
    final LongAdder subDelivered = new LongAdder();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;
    volatile io.nats.client.Subscription natsSub;

    Sub(String subject, String queue, MessageHandler handler) {
      this.subject = subject;
      this.queue = queue;
      this.handler = handler;
    }

    abstract void start();

    final void handle(io.nats.client.Message m) {
      inFlight.incrementAndGet();
      Object outer = HANDLING.get();
      HANDLING.set(this);
      try {
        handler.onMessage(toMessage(m));
      } catch (Exception e) {
        handlerErrors.increment();
      } finally {
        subDelivered.increment();
        delivered.increment();
        HANDLING.set(outer);
        if (inFlight.decrementAndGet() == 0 && draining) {
          synchronized (this) {
            notifyAll();
          }
        }
      }
    }

    /**
     * Waits until no handler of this subscription is running: jnats counts a message as drained
     * once a handler has it, so a drain that trusted it alone closed the connection under a
     * responder still working (its reply lost). False if the deadline came first.
     */
    final boolean awaitHandlers(Deadline d) throws InterruptedException {
      draining = true;
      // A handler draining its own subscription waits for the others, not for itself.
      int own = HANDLING.get() == this ? 1 : 0;
      synchronized (this) {
        while (inFlight.get() > own) {
          long ms = d.left().toMillis();
          if (ms <= 0) {
            return false;
          }
          wait(ms);
        }
      }
      return true;
    }

    @Override
    public String subject() {
      return subject;
    }

    @Override
    public Optional<String> queue() {
      return Optional.ofNullable(queue);
    }

    @Override
    public long delivered() {
      return subDelivered.sum();
    }

    long clientDropped() {
      io.nats.client.Subscription s = natsSub;
      return s == null ? 0 : s.getDroppedCount();
    }

    @Override
    public boolean isActive() {
      io.nats.client.Subscription s = natsSub;
      return !ended.get() && s != null && s.isActive();
    }

    /** Keeps the broker's counters cumulative once this subscription is gone. */
    final void ended() {
      if (ended.compareAndSet(false, true)) {
        subscriptions.remove(this);
        droppedByClosedSubscriptions.add(clientDropped());
      }
    }

    /** Stops interest and handles what already arrived; false if that took longer than allowed. */
    boolean drainWithin(Duration timeout) {
      Deadline d = Deadline.in(timeout);
      io.nats.client.Subscription s = natsSub;
      try {
        boolean unsubscribed =
            s == null
                || !s.isActive()
                || s.drain(timeout).get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        return awaitHandlers(d) && unsubscribed;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      } catch (ExecutionException | TimeoutException | IllegalStateException e) {
        return false;
      } finally {
        ended();
        released();
      }
    }

    @Override
    public void drain(Duration timeout) {
      if (!drainWithin(timeout)) {
        throw new DrainTimeoutException(
            "drain of subscription '" + subject + "' did not finish within " + timeout);
      }
    }

    @Override
    public void close() {
      io.nats.client.Subscription s = natsSub;
      ended();
      if (s != null && s.isActive() && !conn.isClosed()) {
        try {
          dispatcher().unsubscribe(s);
        } catch (IllegalStateException e) {
          // Connection closed in between: nothing left to unsubscribe.
        }
      }
      released();
    }

    /** The dispatcher this subscription's handler runs on. */
    Dispatcher dispatcher() {
      return dispatcher;
    }

    /** After close: what the subscription held of its own. */
    void released() {}

    @Override
    public String toString() {
      return getClass().getSimpleName()
          + "["
          + subject
          + (queue != null ? " q=" + queue : "")
          + "]";
    }
  }

  /** A plain or queue subscription whose handler has a dispatcher (a thread) of its own. */
  private final class OwnThreadSub extends DirectSub {
    private Dispatcher own;

    OwnThreadSub(String subject, String queue, MessageHandler handler) {
      super(subject, queue, handler);
    }

    @Override
    void start() {
      own = nc.createDispatcher();
      own.setPendingLimits(conn.options().pendingMessageLimit(), 512L * 1024 * 1024);
      super.start();
    }

    @Override
    Dispatcher dispatcher() {
      return own;
    }

    @Override
    void released() {
      if (own != null && !conn.isClosed()) {
        try {
          nc.closeDispatcher(own);
        } catch (IllegalStateException | IllegalArgumentException e) {
          // closed with the connection already
        }
      }
    }
  }

  /** A plain or queue subscription on the broker's shared dispatcher. */
  private class DirectSub extends Sub {
    DirectSub(String subject, String queue, MessageHandler handler) {
      super(subject, queue, handler);
    }

    @Override
    void start() {
      Dispatcher d = dispatcher();
      natsSub =
          queue == null
              ? d.subscribe(subject, this::handle)
              : d.subscribe(subject, queue, this::handle);
    }

    @Override
    public boolean latestOnly() {
      return false;
    }

    @Override
    public long dropped() {
      return clientDropped();
    }
  }

  /**
   * Per concrete subject, only the newest undelivered message is kept. The dispatcher thread only
   * swaps a slot; a drain task on the broker's pool hands slots to the handler, one task per
   * subscription at a time, so the handler is never called concurrently for one subscription.
   */
  private final class LatestOnlySub extends Sub {
    private final ConcurrentHashMap<String, io.nats.client.Message> slots =
        new ConcurrentHashMap<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final LongAdder replaced = new LongAdder();
    // Held while the handler runs: close() takes it, so once close returns no handler runs.
    private final ReentrantLock running = new ReentrantLock();
    private volatile boolean closed;

    LatestOnlySub(String subject, MessageHandler handler) {
      super(subject, null, handler);
    }

    @Override
    void start() {
      natsSub = dispatcher.subscribe(subject, this::offer);
    }

    private void offer(io.nats.client.Message m) {
      if (closed) {
        return;
      }
      if (slots.put(m.getSubject(), m) != null) {
        replaced.increment();
        droppedLatest.increment();
      }
      schedule();
    }

    private void schedule() {
      if (scheduled.compareAndSet(false, true)) {
        try {
          latestPool.execute(this::drainSlots);
        } catch (java.util.concurrent.RejectedExecutionException e) {
          scheduled.set(false);
        }
      }
    }

    /**
     * One sweep: each slot's newest message once, then back to the end of the pool's queue if more
     * arrived meanwhile. Looping here instead kept a backlogged subscription on its thread for as
     * long as its publisher ran, and with a bounded pool the other subscriptions never ran (seen in
     * FanOutScenarioTest: 18 of 20 slow rooms starved).
     */
    private void drainSlots() {
      for (String key : slots.keySet()) {
        running.lock();
        try {
          if (closed) {
            slots.clear();
            break;
          }
          io.nats.client.Message m = slots.remove(key);
          if (m != null) {
            handle(m);
          }
        } finally {
          running.unlock();
        }
      }
      scheduled.set(false);
      // A message that arrived after the sweep found the flag set and did not schedule: do it.
      if (!closed && !slots.isEmpty()) {
        schedule();
      }
    }

    /** Nothing waiting and nothing running. */
    boolean idle() {
      return slots.isEmpty() && !scheduled.get() && !running.isLocked();
    }

    @Override
    boolean drainWithin(Duration timeout) {
      Deadline d = Deadline.in(timeout);
      boolean unsubscribed = super.drainWithin(timeout);
      while (!idle() && !d.passed()) {
        // What the dispatcher already handed over is still being handled: wait for it.
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
      }
      boolean done = idle();
      stopHandling();
      return unsubscribed && done;
    }

    @Override
    public void close() {
      super.close();
      stopHandling();
    }

    private void stopHandling() {
      closed = true;
      slots.clear();
      if (running.isHeldByCurrentThread()) {
        return; // closed from inside its own handler
      }
      try {
        if (running.tryLock(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
          running.unlock();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public boolean latestOnly() {
      return true;
    }

    @Override
    public long dropped() {
      return replaced.sum() + clientDropped();
    }
  }

  // ---------------------------------------------------------------- request

  @Override
  public Message request(String subject, byte[] data, Duration timeout) {
    try {
      return requestAsync(subject, Headers.EMPTY, data, timeout).get();
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof BrokerException be) {
        // Re-throw a fresh exception so the caller's stack trace shows up too.
        throw rethrow(be);
      }
      throw new BrokerException("request to '" + subject + "' failed: " + c, c);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BrokerException("interrupted while waiting for a reply on '" + subject + "'", e);
    }
  }

  private static BrokerException rethrow(BrokerException be) {
    if (be instanceof RequestTimeoutException) {
      return new RequestTimeoutException(be.getMessage(), be);
    }
    if (be instanceof NoRespondersException) {
      return new NoRespondersException(be.getMessage(), be);
    }
    if (be instanceof BrokerClosedException) {
      return new BrokerClosedException(be.getMessage(), be);
    }
    return new BrokerException(be.getMessage(), be);
  }

  @Override
  public CompletableFuture<Message> requestAsync(
      String subject, Headers headers, byte[] data, Duration timeout) {
    ensureNotClosed();
    Subjects.requirePublishable(subject);
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("request timeout must be positive, got " + timeout);
    }
    headers = TraceContext.withCurrent(headers, conn.options().traceContext());
    checkPayload(subject, headers, data);
    CompletableFuture<Message> out = new CompletableFuture<>();
    long start = System.nanoTime();
    CompletableFuture<io.nats.client.Message> f;
    try {
      io.nats.client.Message m =
          NatsMessage.builder()
              .subject(subject)
              .headers(headers == null || headers.isEmpty() ? null : NatsHeaders.toNats(headers))
              .data(data)
              .build();
      f = nc.requestWithTimeout(m, timeout);
    } catch (IllegalStateException e) {
      throw conn.stateError("request on '" + subject + "'", e);
    }
    published.increment();
    f.whenComplete(
        (reply, err) -> {
          if (err == null) {
            out.complete(toMessage(reply));
          } else {
            fail(out, mapRequestError(subject, timeout, err));
          }
        });
    // jnats ends a timed-out request on its cleanup tick (up to seconds late): keep our promise.
    CompletableFuture.delayedExecutor(timeout.toNanos(), TimeUnit.NANOSECONDS)
        .execute(
            () -> {
              if (!out.isDone() && fail(out, timeoutError(subject, timeout))) {
                f.cancel(false);
              }
            });
    BrokerObserver obs = conn.options().observer();
    if (obs != BrokerObserver.NONE) {
      String template = conn.options().subjectTemplate(subject);
      out.whenComplete(
          (reply, err) -> obs.requested(template, requestOutcome(err), System.nanoTime() - start));
    }
    return out;
  }

  static String requestOutcome(Throwable err) {
    if (err == null) {
      return "answered";
    }
    Throwable c =
        err instanceof java.util.concurrent.CompletionException && err.getCause() != null
            ? err.getCause()
            : err;
    if (c instanceof RequestTimeoutException) {
      return "timeout";
    }
    if (c instanceof NoRespondersException) {
      return "no-responders";
    }
    return "error";
  }

  /** Completes with an error, counting timeouts before any waiter can wake up and read stats. */
  private boolean fail(CompletableFuture<Message> out, BrokerException e) {
    boolean timeout = e instanceof RequestTimeoutException;
    if (timeout) {
      requestTimeouts.increment();
    }
    boolean won = out.completeExceptionally(e);
    if (timeout && !won) {
      requestTimeouts.decrement();
    }
    return won;
  }

  private RequestTimeoutException timeoutError(String subject, Duration timeout) {
    return new RequestTimeoutException(
        "no reply on '" + subject + "' within " + timeout + ": is the responder slow or gone?");
  }

  private BrokerException mapRequestError(String subject, Duration timeout, Throwable err) {
    Throwable e =
        err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
    if (e instanceof JetStreamStatusException jse && jse.getStatus().getCode() == 503) {
      return new NoRespondersException(
          "no responders on '" + subject + "': nothing subscribes to it (is the service up?)");
    }
    if (e instanceof TimeoutException || e instanceof CancellationException) {
      if (conn.isClosed()) {
        return new BrokerClosedException(
            "broker " + conn.name() + " closed while awaiting a reply", e);
      }
      return timeoutError(subject, timeout);
    }
    return new BrokerException("request to '" + subject + "' failed: " + e.getMessage(), e);
  }

  // ---------------------------------------------------------------- lifecycle

  @Override
  public void flush(Duration timeout) {
    ensureNotClosed();
    try {
      nc.flush(timeout);
    } catch (TimeoutException e) {
      throw new BrokerException(
          "flush did not complete within " + timeout + ": is the server reachable?", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BrokerException("interrupted during flush", e);
    } catch (IllegalStateException e) {
      throw conn.stateError("flush", e);
    }
  }

  /**
   * Stops new interest at once, lets every subscription's handlers finish what has arrived (they
   * may still publish and reply), flushes, then closes. The future completes when the broker is
   * closed; exceptionally with {@link DrainTimeoutException} when something was still outstanding
   * at the deadline (the broker is closed anyway).
   */
  @Override
  public CompletableFuture<Void> drain(Duration timeout) {
    return drainAndClose(timeout, d -> List.of());
  }

  /** The steps of a drain before the Core subscriptions go: what they left unfinished. */
  @FunctionalInterface
  interface DrainStep {
    List<String> drain(Deadline deadline);
  }

  /** A drain whose {@code first} step runs before the subscriptions are drained. */
  CompletableFuture<Void> drainAndClose(Duration timeout, DrainStep first) {
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("drain timeout must be positive, got " + timeout);
    }
    synchronized (this) {
      if (lifecycle != Lifecycle.OPEN) {
        return drained;
      }
      lifecycle = Lifecycle.DRAINING;
    }
    Thread t =
        new Thread(
            () -> {
              Deadline d = Deadline.in(timeout);
              List<String> left = new ArrayList<>();
              try {
                left.addAll(first.drain(d));
                left.addAll(drainSubscriptions(d));
                if (!conn.isClosed()) {
                  try {
                    nc.flush(d.left().isZero() ? Duration.ofMillis(1) : d.left());
                  } catch (TimeoutException | IllegalStateException e) {
                    left.add("unflushed publishes (" + e.getMessage() + ")");
                  }
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                left.add("interrupted");
              } catch (RuntimeException e) {
                left.add("drain failed: " + e);
              }
              close();
              if (left.isEmpty()) {
                drained.complete(null);
              } else {
                drained.completeExceptionally(
                    new DrainTimeoutException(
                        "drain of broker "
                            + conn.name()
                            + " did not finish within "
                            + timeout
                            + ": "
                            + String.join("; ", left)));
              }
            },
            "natsproof-drain-" + conn.name());
    t.setDaemon(true);
    t.start();
    return drained;
  }

  /** Drains every subscription; names those that did not finish by the deadline. */
  List<String> drainSubscriptions(Deadline d) {
    List<String> left = new ArrayList<>();
    for (Sub s : List.copyOf(subscriptions)) {
      Duration rest = d.left().isZero() ? Duration.ofMillis(1) : d.left();
      if (!s.drainWithin(rest)) {
        left.add("subscription '" + s.subject() + "' still had messages to handle");
      }
    }
    return left;
  }

  /** Closes the connection at once. Idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      if (lifecycle == Lifecycle.CLOSED) {
        return;
      }
      lifecycle = Lifecycle.CLOSED;
    }
    for (Sub s : List.copyOf(subscriptions)) {
      s.ended();
    }
    latestPool.shutdownNow();
    if (ownsConnection) {
      conn.close();
    }
  }

  @Override
  public ConnectionState state() {
    return conn.state();
  }

  @Override
  public BrokerStats stats() {
    // Subscriptions on the shared dispatcher are dropped at the dispatcher: jnats counts those
    // there, not per subscription, and the count lives as long as the broker.
    long clientDropped = droppedByClosedSubscriptions.sum() + dispatcher.getDroppedCount();
    for (Sub s : subscriptions) {
      clientDropped += s.clientDropped();
    }
    return new BrokerStats(
        published.sum(),
        delivered.sum(),
        droppedLatest.sum() + clientDropped,
        conn.slowConsumerEvents.sum(),
        handlerErrors.sum() + conn.listenerErrors.sum(),
        conn.reconnects.sum(),
        conn.disconnects.sum(),
        requestTimeouts.sum());
  }

  @Override
  public long maxPayloadBytes() {
    return conn.maxPayloadBytes();
  }

  @Override
  public String serverVersion() {
    return conn.serverVersion();
  }

  @Override
  public String connectedUrl() {
    return nc.getConnectedUrl();
  }

  public String name() {
    return conn.name();
  }

  public BrokerOptions options() {
    return conn.options();
  }

  /** Adds a listener after connecting (the options' listeners also see CONNECTED). */
  public void addConnectionListener(ConnectionListener listener) {
    conn.addListener(listener);
  }

  /** The underlying jnats connection, for what the broker API does not cover. */
  public Connection connection() {
    return nc;
  }

  @Override
  public String toString() {
    return "NatsBroker[" + conn + "]";
  }
}
