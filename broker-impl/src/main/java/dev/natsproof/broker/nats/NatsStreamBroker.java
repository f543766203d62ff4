package dev.natsproof.broker.nats;

import static dev.natsproof.broker.nats.JetStreamErrors.STREAM_NOT_FOUND;

import dev.natsproof.broker.BrokerException;
import dev.natsproof.broker.BrokerOptions;
import dev.natsproof.broker.BrokerStats;
import dev.natsproof.broker.ConnectionListener;
import dev.natsproof.broker.ConnectionState;
import dev.natsproof.broker.ConsumeOptions;
import dev.natsproof.broker.EnqueueOptions;
import dev.natsproof.broker.EnqueueResult;
import dev.natsproof.broker.Headers;
import dev.natsproof.broker.Message;
import dev.natsproof.broker.MessageHandler;
import dev.natsproof.broker.ReplayRequest;
import dev.natsproof.broker.ServerFeatures;
import dev.natsproof.broker.StreamBroker;
import dev.natsproof.broker.StreamConsumer;
import dev.natsproof.broker.StreamMessage;
import dev.natsproof.broker.StreamMessageHandler;
import dev.natsproof.broker.StreamSpec;
import dev.natsproof.broker.Subscription;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The Stream broker on jnats: enqueue with idempotency keys and honest outcomes, durable pull
 * consumers with every ack path, idempotent provisioning, replay. Also a Core broker on the same
 * connection.
 *
 * <p>It is assembled from parts that each do one job: the connection ({@link NatsConnection}), the
 * Core broker on it ({@link NatsBroker}), enqueue ({@link Enqueuer}, sync and async under one
 * {@link RetryPolicy}), consumer supervision ({@link ConsumerSupervisor}) and provisioning ({@link
 * Provisioner}).
 */
public final class NatsStreamBroker implements StreamBroker {
  /** Default number of async enqueues in flight. */
  public static final int DEFAULT_ASYNC_WINDOW = 256;

  private final NatsConnection conn;
  private final NatsBroker core;
  private final JetStreamManagement jsm;
  private final ServerFeatures features;
  private final Enqueuer enqueuer;
  private final ConsumerSupervisor supervisor;
  private final Provisioner provisioner;

  private NatsStreamBroker(NatsConnection conn, int asyncWindow) {
    this.conn = conn;
    JetStream js;
    try {
      js = conn.nc().jetStream();
      this.jsm = conn.nc().jetStreamManagement();
    } catch (IOException e) {
      conn.close();
      throw new BrokerException(
          "cannot open JetStream on " + BrokerOptions.redact(conn.options().servers()), e);
    }
    this.core = NatsBroker.on(conn);
    String cluster = conn.nc().getServerInfo().getCluster();
    this.features = ServerFeatures.of(conn.serverVersion(), cluster != null && !cluster.isEmpty());
    RetryPolicy retry = new RetryPolicy(features);
    this.enqueuer = new Enqueuer(conn, js, retry, asyncWindow, this::isClosed);
    this.supervisor = new ConsumerSupervisor(conn.name());
    this.provisioner = new Provisioner(jsm, retry);
    conn.onReconnected(supervisor::onReconnected);
  }

  public static NatsStreamBroker connect(BrokerOptions options) {
    return connect(options, DEFAULT_ASYNC_WINDOW);
  }

  /** Connects with at most {@code asyncWindow} async enqueues in flight. */
  public static NatsStreamBroker connect(BrokerOptions options, int asyncWindow) {
    if (asyncWindow < 1) {
      throw new IllegalArgumentException(
          "asyncWindow must be >= 1 (async enqueues in flight at once), got " + asyncWindow);
    }
    return new NatsStreamBroker(new NatsConnection(options), asyncWindow);
  }

  private boolean isClosed() {
    return conn.isClosed();
  }

  @Override
  public ServerFeatures serverFeatures() {
    return features;
  }

  public int asyncWindow() {
    return enqueuer.windowSize();
  }

  /** Async enqueues currently in flight. */
  public int asyncInFlight() {
    return enqueuer.inFlight();
  }

  // ------------------------------------------------------------------ enqueue

  /** Never throws for its outcome: a closed broker answers REJECTED (NOT_SENT). */
  @Override
  public EnqueueResult enqueue(String subject, byte[] data, EnqueueOptions o) {
    return enqueuer.enqueue(subject, data, o);
  }

  @Override
  public CompletableFuture<EnqueueResult> enqueueAsync(
      String subject, byte[] data, EnqueueOptions o) {
    return enqueuer.enqueueAsync(subject, data, o);
  }

  // ------------------------------------------------------------------ consume

  @Override
  public StreamConsumer consume(
      String stream, StreamMessageHandler handler, ConsumeOptions options) {
    core.ensureOpenForInterest();
    if (handler == null) {
      throw new IllegalArgumentException("handler must not be null");
    }
    if (options == null) {
      throw new IllegalArgumentException("consume options are required (a durable name at least)");
    }
    NatsStreamConsumer c = new NatsStreamConsumer(this, conn, stream, handler, options);
    supervisor.add(c);
    conn.options().observer().consumerStarted(c);
    return c;
  }

  @Override
  public StreamConsumer consumeSubject(
      String subject, StreamMessageHandler handler, ConsumeOptions options) {
    core.ensureOpenForInterest();
    if (options == null) {
      throw new IllegalArgumentException("consume options are required (a durable name at least)");
    }
    ConsumeOptions filtered = options.withOnlyFilter(subject);
    List<String> streams;
    try {
      streams = conn.nc().jetStreamManagement().getStreamNames(subject);
    } catch (IOException | JetStreamApiException e) {
      throw new BrokerException(
          "cannot find the stream that captures '" + subject + "': " + e.getMessage(), e);
    }
    if (streams.isEmpty()) {
      throw new IllegalArgumentException(
          "no stream captures subject '"
              + subject
              + "': provision one first (GameStreams.all(replicas) covers settle.>,"
              + " leaderboard.>, mail.>, audit.>, dlq.>), or name the stream: consume(stream, ..)");
    }
    if (streams.size() > 1) {
      throw new IllegalArgumentException(
          "subject '"
              + subject
              + "' is captured by several streams "
              + streams
              + ": name the one to consume from with consume(stream, ..), or narrow the subject");
    }
    return consume(streams.get(0), handler, filtered);
  }

  void forget(NatsStreamConsumer c) {
    supervisor.remove(c);
  }

  /** The consumers running on this broker. */
  List<NatsStreamConsumer> consumers() {
    return supervisor.consumers();
  }

  // ------------------------------------------------------------------ provision

  @Override
  public void provision(StreamSpec spec, Duration deadline) {
    core.ensureNotClosed();
    provisioner.provision(spec, deadline);
  }

  /** The server configuration {@link #provision} creates for a spec. */
  static io.nats.client.api.StreamConfiguration configuration(StreamSpec s) {
    return Provisioner.configuration(s);
  }

  // ------------------------------------------------------------------ replay

  @Override
  public List<StreamMessage> replay(ReplayRequest r) {
    core.ensureNotClosed();
    try {
      return StreamReplay.run(conn.nc(), jsm, r);
    } catch (JetStreamApiException e) {
      if (JetStreamErrors.is(e, STREAM_NOT_FOUND)) {
        throw new BrokerException("stream '" + r.stream() + "' not found: nothing to replay", e);
      }
      throw new BrokerException(
          "replay of " + r.stream() + " failed: " + e.getErrorDescription(), e);
    } catch (IOException e) {
      throw new BrokerException("replay of " + r.stream() + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BrokerException("replay of " + r.stream() + " interrupted", e);
    } catch (BrokerException e) {
      throw e;
    } catch (Exception e) {
      throw new BrokerException("replay of " + r.stream() + " failed: " + e, e);
    }
  }

  // ------------------------------------------------------------------ Core, on the same connection

  @Override
  public void publish(String subject, byte[] data) {
    core.publish(subject, data);
  }

  @Override
  public void publish(String subject, Headers headers, byte[] data) {
    core.publish(subject, headers, data);
  }

  @Override
  public void reply(Message request, byte[] data) {
    core.reply(request, data);
  }

  @Override
  public Subscription subscribe(String subject, MessageHandler handler) {
    return core.subscribe(subject, handler);
  }

  @Override
  public Subscription queueSubscribe(String subject, String queue, MessageHandler handler) {
    return core.queueSubscribe(subject, queue, handler);
  }

  @Override
  public Subscription subscribeLatest(String subject, MessageHandler handler) {
    return core.subscribeLatest(subject, handler);
  }

  @Override
  public Subscription subscribeOnOwnThread(String subject, String queue, MessageHandler handler) {
    return core.subscribeOnOwnThread(subject, queue, handler);
  }

  @Override
  public Message request(String subject, byte[] data, Duration timeout) {
    return core.request(subject, data, timeout);
  }

  @Override
  public CompletableFuture<Message> requestAsync(
      String subject, Headers headers, byte[] data, Duration timeout) {
    return core.requestAsync(subject, headers, data, timeout);
  }

  @Override
  public void flush(Duration timeout) {
    core.flush(timeout);
  }

  /**
   * Connected, JetStream answering an account request, and every consumer of this broker active;
   * DEGRADED when a consumer is wedged or its durable missing, DOWN when the connection or
   * JetStream is not there. One API request per call: for a health endpoint, not a hot loop.
   */
  @Override
  public dev.natsproof.broker.BrokerHealth health() {
    ConnectionState s = state();
    List<String> problems = new ArrayList<>();
    if (s != ConnectionState.CONNECTED) {
      problems.add("connection " + s);
      return new dev.natsproof.broker.BrokerHealth(
          dev.natsproof.broker.BrokerHealth.Status.DOWN, s, false, problems);
    }
    boolean js;
    try {
      conn.nc().jetStreamManagement().getAccountStatistics();
      js = true;
    } catch (IOException | JetStreamApiException | RuntimeException e) {
      js = false;
      problems.add("JetStream does not answer: " + e.getMessage());
    }
    for (NatsStreamConsumer c : consumers()) {
      dev.natsproof.broker.ConsumerHealth h = c.health();
      if (h.state() == dev.natsproof.broker.ConsumerHealth.State.WEDGED
          || h.state() == dev.natsproof.broker.ConsumerHealth.State.MISSING) {
        problems.add(c.stream() + "/" + c.durable() + " " + h.state() + ": " + h.detail());
      }
    }
    dev.natsproof.broker.BrokerHealth.Status status =
        !js
            ? dev.natsproof.broker.BrokerHealth.Status.DOWN
            : problems.isEmpty()
                ? dev.natsproof.broker.BrokerHealth.Status.UP
                : dev.natsproof.broker.BrokerHealth.Status.DEGRADED;
    return new dev.natsproof.broker.BrokerHealth(status, s, js, problems);
  }

  @Override
  public ConnectionState state() {
    return core.state();
  }

  @Override
  public BrokerStats stats() {
    return core.stats();
  }

  @Override
  public long maxPayloadBytes() {
    return core.maxPayloadBytes();
  }

  @Override
  public String serverVersion() {
    return core.serverVersion();
  }

  @Override
  public String connectedUrl() {
    return core.connectedUrl();
  }

  public String name() {
    return conn.name();
  }

  public BrokerOptions options() {
    return conn.options();
  }

  public void addConnectionListener(ConnectionListener listener) {
    conn.addListener(listener);
  }

  NatsConnection natsConnection() {
    return conn;
  }

  /** The underlying jnats connection, for what the broker API does not cover. */
  public Connection connection() {
    return conn.nc();
  }

  // ------------------------------------------------------------------ lifecycle

  /**
   * Consumers first (they stop pulling; their handlers finish and may still enqueue, ack and
   * publish), then the Core subscriptions, then a flush, then close. Completes exceptionally with
   * {@code DrainTimeoutException} naming what was still outstanding at the deadline.
   */
  @Override
  public CompletableFuture<Void> drain(Duration timeout) {
    CompletableFuture<Void> f =
        core.drainAndClose(
            timeout,
            d -> {
              List<String> left = new ArrayList<>();
              for (NatsStreamConsumer c : supervisor.consumers()) {
                Duration rest = d.left().isZero() ? Duration.ofMillis(1) : d.left();
                if (!c.drainWithin(rest)) {
                  left.add("consumer " + c.stream() + "/" + c.durable() + " was still handling");
                }
              }
              return left;
            });
    return f.whenComplete((ok, err) -> closeParts());
  }

  @Override
  public void close() {
    for (NatsStreamConsumer c : supervisor.consumers()) {
      c.close();
    }
    core.close();
    closeParts();
  }

  private void closeParts() {
    supervisor.close();
    enqueuer.close();
    conn.close();
  }

  @Override
  public String toString() {
    return "NatsStreamBroker[" + conn + "]";
  }
}
