package dev.natsproof.broker;

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

  /**
   * Creates the stream if missing; does nothing if it exists as specified; throws {@link
   * StreamConfigMismatchException} if it exists differently.
   */
  void provision(StreamSpec spec);

  /** Reads stored messages back in stream order, without acking or a durable consumer. */
  List<StreamMessage> replay(ReplayRequest request);

  /** What the connected server can do. */
  ServerFeatures serverFeatures();
}
