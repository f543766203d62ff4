package dev.natsproof.broker;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A JetStream message handed to a consumer's handler. Settle it exactly once with {@link #ack()},
 * {@link #ackSync}, {@link #nak()}, {@link #nak(Duration)} or {@link #term()}; a second settle
 * throws {@link IllegalStateException}. {@link #inProgress()} does not settle: it restarts the
 * ack-wait timer, and may be called as often as needed.
 *
 * <p>Redeliveries keep the {@link #streamSequence()}: key any bookkeeping by it (or by the {@link
 * #messageId()}), never by the delivery.
 */
public interface StreamMessage {
  String subject();

  byte[] data();

  default String dataAsString() {
    return new String(data(), StandardCharsets.UTF_8);
  }

  Headers headers();

  /** The {@code Nats-Msg-Id} it was enqueued with (the idempotency key), if any. */
  Optional<String> messageId();

  String stream();

  String consumer();

  long streamSequence();

  /** 1 on first delivery, 2 on the first redelivery, … */
  long deliveryCount();

  /** When the stream stored it. */
  Instant timestamp();

  /** Acknowledge: processed, never deliver again. Fire and forget. */
  void ack();

  /** Acknowledge and wait for the server to confirm. */
  void ackSync(Duration timeout);

  /** Negative ack: deliver again now (or after the consumer's backoff). */
  void nak();

  /** Negative ack: deliver again, not before {@code delay}. */
  void nak(Duration delay);

  /** Never deliver again, without processing (poison message). */
  void term();

  /**
   * Never deliver again; the reason reaches the server's advisory on nats-server 2.10.4+. Older
   * servers ignore a {@code +TERM} that carries a reason (the message would come back after ack
   * wait), so there the broker sends a plain term and the reason is not transmitted.
   */
  void term(String reason);

  /** Still working: restart the ack-wait timer (the delivery count does not change). */
  void inProgress();

  /** Whether ack, nak or term has been called. */
  boolean isSettled();
}
