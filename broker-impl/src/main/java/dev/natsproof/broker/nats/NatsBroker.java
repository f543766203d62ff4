package dev.natsproof.broker.nats;

import dev.natsproof.broker.AuthenticationException;
import dev.natsproof.broker.Broker;
import dev.natsproof.broker.BrokerClosedException;
import dev.natsproof.broker.BrokerConnectException;
import dev.natsproof.broker.BrokerException;
import dev.natsproof.broker.BrokerOptions;
import dev.natsproof.broker.BrokerStats;
import dev.natsproof.broker.ConnectionEvent;
import dev.natsproof.broker.ConnectionListener;
import dev.natsproof.broker.ConnectionState;
import dev.natsproof.broker.Headers;
import dev.natsproof.broker.Message;
import dev.natsproof.broker.MessageHandler;
import dev.natsproof.broker.NoRespondersException;
import dev.natsproof.broker.PayloadTooLargeException;
import dev.natsproof.broker.RequestTimeoutException;
import dev.natsproof.broker.Subjects;
import dev.natsproof.broker.Subscription;
import io.nats.client.Connection;
import io.nats.client.Consumer;
import io.nats.client.Dispatcher;
import io.nats.client.ErrorListener;
import io.nats.client.JetStreamStatusException;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.impl.NatsMessage;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The Core broker on jnats. One NATS connection; plain and queue subscriptions share one jnats
 * dispatcher (one thread, in arrival order, as jnats itself does), so a handler must not block:
 * slow consumers should use {@link #subscribeLatest}, whose handlers run on the broker's own pool.
 */
public class NatsBroker implements Broker {
  private static final AtomicInteger POOL_IDS = new AtomicInteger();

  protected final Connection nc;
  private final String name;
  private final BrokerOptions options;
  private final Dispatcher dispatcher;
  private final ExecutorService latestPool;
  private final List<ConnectionListener> listeners;
  private final Set<Sub> subscriptions = ConcurrentHashMap.newKeySet();
  private volatile boolean closing;

  final LongAdder published = new LongAdder();
  final LongAdder delivered = new LongAdder();
  final LongAdder droppedLatest = new LongAdder();
  final LongAdder slowConsumerEvents = new LongAdder();
  final LongAdder handlerErrors = new LongAdder();
  final LongAdder reconnects = new LongAdder();
  final LongAdder disconnects = new LongAdder();
  final LongAdder requestTimeouts = new LongAdder();

  protected NatsBroker(BrokerOptions options) {
    this.options = options;
    this.listeners = new CopyOnWriteArrayList<>(options.listeners());
    this.name = options.connectionName().orElse("natsproof-" + POOL_IDS.incrementAndGet());
    this.nc = connectNats(options);
    this.dispatcher = nc.createDispatcher();
    this.dispatcher.setPendingLimits(options.pendingMessageLimit(), 512L * 1024 * 1024);
    ThreadFactory tf =
        r -> {
          Thread t = new Thread(r, "natsproof-latest-" + name);
          t.setDaemon(true);
          return t;
        };
    this.latestPool = Executors.newCachedThreadPool(tf);
  }

  /** Connects to the first reachable server of {@code options}. */
  public static NatsBroker connect(BrokerOptions options) {
    return new NatsBroker(options);
  }

  private Connection connectNats(BrokerOptions o) {
    Options.Builder b =
        Options.builder()
            .servers(o.servers().toArray(String[]::new))
            .connectionName(name)
            .connectionTimeout(o.connectTimeout())
            .maxReconnects(o.maxReconnects())
            .reconnectWait(o.reconnectWait())
            .reconnectJitter(o.reconnectJitter())
            .reconnectBufferSize(o.reconnectBufferBytes())
            .pingInterval(o.pingInterval())
            .maxPingsOut(o.maxPingsOut())
            .reportNoResponders()
            .connectionListener(this::onNatsEvent)
            .errorListener(new Errors());
    if (o.ignoreDiscoveredServers()) {
      b.ignoreDiscoveredServers();
    }
    if (o.noRandomize()) {
      b.noRandomize();
    }
    o.user().ifPresent(u -> b.userInfo(u.toCharArray(), o.password().orElse(new char[0])));
    o.token().ifPresent(b::token);
    o.credentialsFile().ifPresent(p -> b.authHandler(Nats.credentials(p.toString())));
    o.sslContext().ifPresent(b::sslContext);
    try {
      return Nats.connect(b.build());
    } catch (io.nats.client.AuthenticationException e) {
      throw new AuthenticationException(
          "server at "
              + o.servers()
              + " refused the credentials ("
              + e.getMessage()
              + "): check user/password, token or credentials file",
          e);
    } catch (IOException e) {
      if (String.valueOf(e.getMessage()).toLowerCase().contains("authorization")) {
        throw new AuthenticationException(
            "server at " + o.servers() + " refused the credentials (" + e.getMessage() + ")", e);
      }
      throw new BrokerConnectException(
          "cannot connect to any of "
              + o.servers()
              + " within "
              + o.connectTimeout()
              + " ("
              + e.getMessage()
              + "): is nats-server running there, and is the URL right?",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BrokerConnectException("interrupted while connecting to " + o.servers(), e);
    }
  }

  // ---------------------------------------------------------------- events

  private void onNatsEvent(Connection conn, io.nats.client.ConnectionListener.Events type) {
    ConnectionEvent.Type t;
    switch (type) {
      case CONNECTED -> t = ConnectionEvent.Type.CONNECTED;
      case DISCONNECTED -> {
        disconnects.increment();
        t = ConnectionEvent.Type.DISCONNECTED;
      }
      case RECONNECTED -> {
        reconnects.increment();
        t = ConnectionEvent.Type.RECONNECTED;
        onReconnected();
      }
      case RESUBSCRIBED -> t = ConnectionEvent.Type.RESUBSCRIBED;
      case CLOSED -> t = ConnectionEvent.Type.CLOSED;
      case LAME_DUCK -> t = ConnectionEvent.Type.LAME_DUCK;
      default -> {
        return;
      }
    }
    emit(t, Optional.ofNullable(conn.getConnectedUrl()), type.toString());
  }

  protected final void emit(ConnectionEvent.Type type, Optional<String> url, String detail) {
    ConnectionEvent ev = new ConnectionEvent(type, url, detail, Instant.now());
    for (ConnectionListener l : listeners) {
      try {
        l.onEvent(ev);
      } catch (RuntimeException e) {
        // A listener's bug must not break the connection's threads.
        handlerErrors.increment();
      }
    }
  }

  /** Adds a listener after connecting (the options' listeners also see CONNECTED). */
  public void addConnectionListener(ConnectionListener listener) {
    listeners.add(listener);
  }

  private final class Errors implements ErrorListener {
    @Override
    public void slowConsumerDetected(Connection conn, Consumer consumer) {
      slowConsumerEvents.increment();
      emit(
          ConnectionEvent.Type.SLOW_CONSUMER,
          Optional.ofNullable(conn.getConnectedUrl()),
          "client dropped messages: " + consumer.getDroppedCount() + " so far on this consumer");
    }

    @Override
    public void errorOccurred(Connection conn, String error) {
      emit(ConnectionEvent.Type.ERROR, Optional.ofNullable(conn.getConnectedUrl()), error);
    }

    @Override
    public void exceptionOccurred(Connection conn, Exception exp) {
      emit(
          ConnectionEvent.Type.ERROR,
          Optional.ofNullable(conn.getConnectedUrl()),
          exp.getClass().getSimpleName() + ": " + exp.getMessage());
    }
  }

  // ---------------------------------------------------------------- publish

  protected final void ensureOpen() {
    if (closing || nc.getStatus() == Connection.Status.CLOSED) {
      throw new BrokerClosedException(
          "broker "
              + name
              + " is closed"
              + (closing ? " or draining" : "")
              + "; connect a new one with NatsBroker.connect(options)");
    }
  }

  protected final void checkPayload(String subject, Headers headers, byte[] data) {
    long max = nc.getServerInfo().getMaxPayload();
    long size = (data == null ? 0 : data.length);
    if (max > 0 && size > max) {
      throw new PayloadTooLargeException(
          "payload of "
              + size
              + " bytes for '"
              + subject
              + "' exceeds the server's max_payload of "
              + max
              + " bytes: split the message or raise max_payload in nats-server's config");
    }
  }

  @Override
  public void publish(String subject, byte[] data) {
    publish(subject, Headers.EMPTY, data);
  }

  @Override
  public void publish(String subject, Headers headers, byte[] data) {
    ensureOpen();
    Subjects.requirePublishable(subject);
    checkPayload(subject, headers, data);
    try {
      if (headers == null || headers.isEmpty()) {
        nc.publish(subject, data);
      } else {
        nc.publish(subject, NatsHeaders.toNats(headers), data);
      }
    } catch (IllegalStateException e) {
      throw mapStateError("publish to '" + subject + "'", e);
    }
    published.increment();
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

  protected final BrokerException mapStateError(String what, IllegalStateException e) {
    String m = String.valueOf(e.getMessage());
    if (m.contains("Closed") || m.contains("closed") || m.contains("draining")) {
      return new BrokerClosedException(
          "cannot " + what + ": the connection of broker " + name + " is closed", e);
    }
    return new BrokerException("cannot " + what + ": " + m, e);
  }

  // ---------------------------------------------------------------- subscribe

  @Override
  public Subscription subscribe(String subject, MessageHandler handler) {
    ensureOpen();
    Subjects.requireSubscribable(subject);
    return register(new DirectSub(subject, null, handler));
  }

  @Override
  public Subscription queueSubscribe(String subject, String queue, MessageHandler handler) {
    ensureOpen();
    Subjects.requireSubscribable(subject);
    Subjects.requireQueueName(queue);
    return register(new DirectSub(subject, queue, handler));
  }

  @Override
  public Subscription subscribeLatest(String subject, MessageHandler handler) {
    ensureOpen();
    Subjects.requireSubscribable(subject);
    return register(new LatestOnlySub(subject, handler));
  }

  private Subscription register(Sub s) {
    if (handlerIsNull(s)) {
      throw new IllegalArgumentException("handler must not be null");
    }
    try {
      s.start();
    } catch (IllegalStateException e) {
      throw mapStateError("subscribe to '" + s.subject() + "'", e);
    }
    subscriptions.add(s);
    return s;
  }

  private static boolean handlerIsNull(Sub s) {
    return s.handler == null;
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
    volatile io.nats.client.Subscription natsSub;

    Sub(String subject, String queue, MessageHandler handler) {
      this.subject = subject;
      this.queue = queue;
      this.handler = handler;
    }

    abstract void start();

    final void handle(io.nats.client.Message m) {
      try {
        handler.onMessage(toMessage(m));
      } catch (Exception e) {
        handlerErrors.increment();
      } finally {
        subDelivered.increment();
        delivered.increment();
      }
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
      return s != null && s.isActive();
    }

    @Override
    public void drain(Duration timeout) {
      io.nats.client.Subscription s = natsSub;
      if (s == null || !s.isActive()) {
        return;
      }
      try {
        s.drain(timeout).get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        throw new BrokerException(
            "drain of subscription '" + subject + "' did not finish within " + timeout, e);
      } finally {
        subscriptions.remove(this);
      }
    }

    @Override
    public void close() {
      io.nats.client.Subscription s = natsSub;
      subscriptions.remove(this);
      if (s != null && s.isActive() && nc.getStatus() != Connection.Status.CLOSED) {
        try {
          dispatcher.unsubscribe(s);
        } catch (IllegalStateException e) {
          // Connection closed in between: nothing left to unsubscribe.
        }
      }
    }

    @Override
    public String toString() {
      return getClass().getSimpleName()
          + "["
          + subject
          + (queue != null ? " q=" + queue : "")
          + "]";
    }
  }

  private final class DirectSub extends Sub {
    DirectSub(String subject, String queue, MessageHandler handler) {
      super(subject, queue, handler);
    }

    @Override
    void start() {
      natsSub =
          queue == null
              ? dispatcher.subscribe(subject, this::handle)
              : dispatcher.subscribe(subject, queue, this::handle);
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
    private final java.util.concurrent.atomic.AtomicBoolean scheduled =
        new java.util.concurrent.atomic.AtomicBoolean();
    private final LongAdder replaced = new LongAdder();

    LatestOnlySub(String subject, MessageHandler handler) {
      super(subject, null, handler);
    }

    @Override
    void start() {
      natsSub = dispatcher.subscribe(subject, this::offer);
    }

    private void offer(io.nats.client.Message m) {
      if (slots.put(m.getSubject(), m) != null) {
        replaced.increment();
        droppedLatest.increment();
      }
      if (scheduled.compareAndSet(false, true)) {
        try {
          latestPool.execute(this::drainSlots);
        } catch (java.util.concurrent.RejectedExecutionException e) {
          scheduled.set(false);
        }
      }
    }

    private void drainSlots() {
      while (true) {
        for (String key : slots.keySet()) {
          io.nats.client.Message m = slots.remove(key);
          if (m != null) {
            handle(m);
          }
        }
        scheduled.set(false);
        // A message that arrived after the last sweep but before the flag was cleared found the
        // flag set and did not schedule: sweep again if so.
        if (slots.isEmpty() || !scheduled.compareAndSet(false, true)) {
          return;
        }
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
    ensureOpen();
    Subjects.requirePublishable(subject);
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("request timeout must be positive, got " + timeout);
    }
    checkPayload(subject, headers, data);
    CompletableFuture<Message> out = new CompletableFuture<>();
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
      throw mapStateError("request on '" + subject + "'", e);
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
    return out;
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
      if (nc.getStatus() == Connection.Status.CLOSED) {
        return new BrokerClosedException("broker " + name + " closed while awaiting a reply", e);
      }
      return timeoutError(subject, timeout);
    }
    return new BrokerException("request to '" + subject + "' failed: " + e.getMessage(), e);
  }

  // ---------------------------------------------------------------- lifecycle

  @Override
  public void flush(Duration timeout) {
    ensureOpen();
    try {
      nc.flush(timeout);
    } catch (TimeoutException e) {
      throw new BrokerException(
          "flush did not complete within " + timeout + ": is the server reachable?", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BrokerException("interrupted during flush", e);
    } catch (IllegalStateException e) {
      throw mapStateError("flush", e);
    }
  }

  @Override
  public CompletableFuture<Void> drain(Duration timeout) {
    if (closing) {
      return CompletableFuture.completedFuture(null);
    }
    closing = true;
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      CompletableFuture<Boolean> f = nc.drain(timeout);
      f.whenComplete(
          (ok, err) -> {
            latestPool.shutdown();
            try {
              latestPool.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            closeQuietly();
            if (err != null) {
              done.completeExceptionally(err);
            } else {
              done.complete(null);
            }
          });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeQuietly();
      done.completeExceptionally(e);
    } catch (TimeoutException | IllegalStateException e) {
      closeQuietly();
      done.completeExceptionally(e);
    }
    return done;
  }

  @Override
  public void close() {
    closing = true;
    closeQuietly();
  }

  private void closeQuietly() {
    onClose();
    latestPool.shutdownNow();
    try {
      nc.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Hook for subclasses: the connection is back (called on a jnats thread: do not block). */
  protected void onReconnected() {}

  /** Hook for subclasses to stop their own work before the connection closes. */
  protected void onClose() {}

  @Override
  public ConnectionState state() {
    return switch (nc.getStatus()) {
      case CONNECTED -> ConnectionState.CONNECTED;
      case CONNECTING, RECONNECTING -> ConnectionState.RECONNECTING;
      case DISCONNECTED -> ConnectionState.DISCONNECTED;
      case CLOSED -> ConnectionState.CLOSED;
    };
  }

  @Override
  public BrokerStats stats() {
    long clientDropped = 0;
    for (Sub s : subscriptions) {
      clientDropped += s.clientDropped();
    }
    return new BrokerStats(
        published.sum(),
        delivered.sum(),
        droppedLatest.sum() + clientDropped,
        slowConsumerEvents.sum(),
        handlerErrors.sum(),
        reconnects.sum(),
        disconnects.sum(),
        requestTimeouts.sum());
  }

  @Override
  public long maxPayloadBytes() {
    return nc.getServerInfo().getMaxPayload();
  }

  @Override
  public String serverVersion() {
    return nc.getServerInfo().getVersion();
  }

  @Override
  public String connectedUrl() {
    return nc.getConnectedUrl();
  }

  public String name() {
    return name;
  }

  public BrokerOptions options() {
    return options;
  }

  /** The underlying jnats connection, for what the broker API does not cover. */
  public Connection connection() {
    return nc;
  }
}
