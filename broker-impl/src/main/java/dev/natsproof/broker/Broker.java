package dev.natsproof.broker;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The Core (real-time) broker: fire-and-forget publish, subscriptions, queue groups and
 * request/reply on NATS Core. At-most-once: a message published while no one listens, or while the
 * connection is down past its reconnect buffer, is gone. Anything that must not be lost goes
 * through {@code StreamBroker} instead.
 *
 * <p>Thread-safe. Every method throws {@link BrokerClosedException} once the broker is closed and
 * {@link InvalidSubjectException} for a malformed subject, before anything is sent.
 */
public interface Broker extends AutoCloseable {

  /** Publishes a message; returns once it is buffered for sending (not once it is received). */
  void publish(String subject, byte[] data);

  /** Publishes a message with headers. */
  void publish(String subject, Headers headers, byte[] data);

  /** Publishes a reply to a request's reply inbox. */
  void reply(Message request, byte[] data);

  /** Every message on {@code subject} (wildcards allowed) goes to {@code handler}. */
  Subscription subscribe(String subject, MessageHandler handler);

  /** Each message goes to exactly one member of the queue group {@code queue}. */
  Subscription queueSubscribe(String subject, String queue, MessageHandler handler);

  /**
   * As {@link #subscribe} (or {@link #queueSubscribe} when {@code queue} is not null), with the
   * handler on a thread of its own: a slow handler then delays only its own messages, not every
   * plain and queue subscription sharing the connection's dispatcher. Costs a thread per
   * subscription; use it for the few handlers that may block.
   */
  Subscription subscribeOnOwnThread(String subject, String queue, MessageHandler handler);

  /**
   * Latest-only delivery for state sync: per concrete subject only the newest message waits for the
   * handler. When the handler is slower than the publisher, intermediate messages are replaced and
   * counted in {@link Subscription#dropped()}; the handler always sees the most recent state, and
   * messages of one subject are handled in publish order with none handled twice.
   */
  Subscription subscribeLatest(String subject, MessageHandler handler);

  /**
   * Sends a request and waits for one reply.
   *
   * @throws RequestTimeoutException no reply within {@code timeout}
   * @throws NoRespondersException no subscriber on the subject
   */
  Message request(String subject, byte[] data, Duration timeout);

  /** Asynchronous request; the future fails with the same exceptions as {@link #request}. */
  CompletableFuture<Message> requestAsync(
      String subject, Headers headers, byte[] data, Duration timeout);

  /** Waits until everything published so far has reached the server. */
  void flush(Duration timeout);

  /**
   * Graceful shutdown: stops new interest, lets handlers finish what has arrived, flushes
   * publishes, then closes. The future completes when the broker is closed.
   */
  CompletableFuture<Void> drain(Duration timeout);

  /** Closes the connection at once. Idempotent. */
  @Override
  void close();

  ConnectionState state();

  /** Connected or not, as a health check reports it (a stream broker asks JetStream too). */
  default BrokerHealth health() {
    ConnectionState s = state();
    return s == ConnectionState.CONNECTED
        ? new BrokerHealth(BrokerHealth.Status.UP, s, null, List.of())
        : new BrokerHealth(BrokerHealth.Status.DOWN, s, null, List.of("connection " + s));
  }

  BrokerStats stats();

  /** The largest payload the connected server accepts, in bytes. */
  long maxPayloadBytes();

  /** The version the connected server reports, e.g. {@code 2.9.10}. */
  String serverVersion();

  /** The URL of the server currently connected to, if connected. */
  String connectedUrl();
}
