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

  /**
   * Enqueues {@code value} encoded by {@code codec}, its content type in the {@value
   * Codec#CONTENT_TYPE} header.
   */
  default <T> EnqueueResult enqueue(
      String subject, T value, Codec<T> codec, EnqueueOptions options) {
    return enqueue(
        subject, codec.encode(value), options.withHeader(Codec.CONTENT_TYPE, codec.contentType()));
  }

  /** Starts a durable consumer on {@code stream}. */
  StreamConsumer consume(String stream, StreamMessageHandler handler, ConsumeOptions options);

  /**
   * A durable consumer whose handler gets payloads {@code codec} decoded. A payload it cannot
   * decode is never handed over nor retried: it goes to the dead-letter subject with the reason and
   * is termed, so the options must name a dead-letter subject.
   *
   * @throws IllegalArgumentException when the options have no dead-letter subject
   */
  default <T> StreamConsumer consume(
      String stream, Codec<T> codec, TypedStreamMessageHandler<T> handler, ConsumeOptions options) {
    if (options == null || options.deadLetterSubject().isEmpty()) {
      throw new IllegalArgumentException(
          "a typed consume needs deadLetterSubject(..) (and maxDeliver): a payload that cannot be"
              + " decoded as "
              + codec.type().getSimpleName()
              + " goes there instead of into a retry loop");
    }
    return consume(stream, m -> handler.onMessage(decode(codec, m), m), options);
  }

  /**
   * The message's payload as a {@code T}, or {@link UndecodablePayloadException} saying why not.
   */
  static <T> T decode(Codec<T> codec, StreamMessage m) {
    try {
      return codec.decode(m.data());
    } catch (Exception e) {
      throw new UndecodablePayloadException(
          "payload of "
              + m.subject()
              + " (sequence "
              + m.streamSequence()
              + ", content type "
              + m.headers().first(Codec.CONTENT_TYPE).orElse("none")
              + ") cannot be decoded as "
              + codec.type().getSimpleName()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /**
   * Consumes {@code subject} (wildcards allowed) from the one stream that captures it, as the
   * game's design names it ({@code consumeSubject("settle.battle.>", ...)}): the stream is found
   * through the server and the consumer filtered to the subject.
   *
   * @throws IllegalArgumentException when no stream, or more than one, captures the subject (the
   *     message names them), or the options already filter on another subject
   */
  StreamConsumer consumeSubject(
      String subject, StreamMessageHandler handler, ConsumeOptions options);

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
