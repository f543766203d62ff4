package dev.natsproof.broker;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The JetStream broker for traffic that must never be lost. Also a Core {@link Broker} on the same
 * connection.
 *
 * <p>Enqueue is at-least-once with deduplication: every message carries a {@code Nats-Msg-Id}, and
 * timeouts are retried with the same id inside the stream's duplicate window. Consumers are durable
 * pull consumers with explicit acks; a handler must be idempotent, because a crash can redeliver a
 * message whose ack was lost.
 */
public interface StreamBroker extends Broker {

  /** Enqueues with a generated message id and default timeouts. */
  default EnqueueResult enqueue(String subject, byte[] data) {
    return enqueue(subject, data, EnqueueOptions.DEFAULTS);
  }

  /** Enqueues and waits for the outcome (acked, rejected or indeterminate); never throws for it. */
  EnqueueResult enqueue(String subject, byte[] data, EnqueueOptions options);

  /**
   * Enqueues without waiting. At most {@code asyncWindow} enqueues are in flight; beyond that the
   * call blocks (back-pressure) until one completes, up to the options' deadline, after which the
   * result is {@link EnqueueResult.RejectReason#WINDOW_FULL} (never sent). The future always
   * completes, by the deadline at the latest.
   */
  CompletableFuture<EnqueueResult> enqueueAsync(
      String subject, byte[] data, EnqueueOptions options);

  /** Starts a durable consumer on {@code stream}. */
  StreamConsumer consume(String stream, StreamMessageHandler handler, ConsumeOptions options);

  /** How long {@link #provision(StreamSpec)} keeps asking a JetStream API that does not answer. */
  Duration DEFAULT_PROVISION_DEADLINE = Duration.ofSeconds(30);

  /** {@link #provision(StreamSpec, Duration)} with {@link #DEFAULT_PROVISION_DEADLINE}. */
  default void provision(StreamSpec spec) {
    provision(spec, DEFAULT_PROVISION_DEADLINE);
  }

  /**
   * Creates the stream if missing; does nothing if it exists as specified; throws {@link
   * StreamConfigMismatchException} if it exists differently.
   *
   * <p>While the JetStream API does not answer (a cluster electing its meta leader, a reconnect) it
   * asks again, backing off, until {@code deadline}; then it throws a {@link BrokerException} that
   * names the last error. Asking again is safe: every step checks what exists first.
   */
  void provision(StreamSpec spec, Duration deadline);

  /** Reads stored messages back in stream order, without acking or a durable consumer. */
  List<StreamMessage> replay(ReplayRequest request);

  /** What the connected server can do. */
  ServerFeatures serverFeatures();
}
