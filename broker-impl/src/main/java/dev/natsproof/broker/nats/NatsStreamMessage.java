package dev.natsproof.broker.nats;

import dev.natsproof.broker.BrokerException;
import dev.natsproof.broker.RequestTimeoutException;
import io.nats.client.Message;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/** A delivered JetStream message; settling goes through its consumer for dead-lettering. */
final class NatsStreamMessage extends JetStreamMessageView {
  private final NatsStreamConsumer consumer;
  private final AtomicReference<NatsStreamConsumer.Settlement> settledAs = new AtomicReference<>();

  NatsStreamMessage(Message m, NatsStreamConsumer consumer) {
    super(m);
    this.consumer = consumer;
  }

  Message raw() {
    return m;
  }

  /** Marks the message settled; false (and an exception for callers) if it already was. */
  boolean settle(NatsStreamConsumer.Settlement how) {
    return settledAs.compareAndSet(null, how);
  }

  private void requireUnsettled(NatsStreamConsumer.Settlement how) {
    if (!settle(how)) {
      throw new IllegalStateException(
          "message seq "
              + streamSequence()
              + " was already settled ("
              + settledAs.get()
              + "); cannot "
              + how.name().toLowerCase(java.util.Locale.ROOT)
              + " it as well");
    }
  }

  @Override
  public void ack() {
    requireUnsettled(NatsStreamConsumer.Settlement.ACK);
    m.ack();
    consumer.counted(NatsStreamConsumer.Settlement.ACK);
  }

  @Override
  public void ackSync(Duration timeout) {
    requireUnsettled(NatsStreamConsumer.Settlement.ACK);
    try {
      m.ackSync(timeout);
      consumer.counted(NatsStreamConsumer.Settlement.ACK);
    } catch (TimeoutException e) {
      throw new RequestTimeoutException(
          "ack of "
              + stream()
              + " seq "
              + streamSequence()
              + " not confirmed within "
              + timeout
              + ": it may or may not have been recorded, so the message may come again",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BrokerException("interrupted while waiting for an ack confirmation", e);
    }
  }

  @Override
  public void nak() {
    requireUnsettled(NatsStreamConsumer.Settlement.NAK);
    consumer.onNak(this, Duration.ZERO, "nak by handler");
  }

  @Override
  public void nak(Duration delay) {
    if (delay == null || delay.isNegative()) {
      throw new IllegalArgumentException("nak delay must not be negative, got " + delay);
    }
    requireUnsettled(NatsStreamConsumer.Settlement.NAK);
    consumer.onNak(this, delay, "nak by handler");
  }

  @Override
  public void term() {
    requireUnsettled(NatsStreamConsumer.Settlement.TERM);
    m.term();
    consumer.counted(NatsStreamConsumer.Settlement.TERM);
  }

  @Override
  public void term(String reason) {
    requireUnsettled(NatsStreamConsumer.Settlement.TERM);
    if (consumer.features().termWithReason() && reason != null && !reason.isBlank()) {
      // The protocol's "+TERM <reason>"; jnats has no call for it.
      consumer.publishRaw(m.getReplyTo(), ("+TERM " + reason).getBytes(StandardCharsets.UTF_8));
    } else {
      m.term();
    }
    consumer.counted(NatsStreamConsumer.Settlement.TERM);
  }

  @Override
  public void inProgress() {
    if (settledAs.get() != null) {
      throw new IllegalStateException(
          "message seq " + streamSequence() + " is already settled (" + settledAs.get() + ")");
    }
    m.inProgress();
    consumer.onInProgress();
  }

  @Override
  public boolean isSettled() {
    return settledAs.get() != null;
  }

  /** How it was settled, if it was. */
  java.util.Optional<NatsStreamConsumer.Settlement> settlement() {
    return java.util.Optional.ofNullable(settledAs.get());
  }

  @Override
  public String toString() {
    return "StreamMessage["
        + stream()
        + "#"
        + streamSequence()
        + " "
        + subject()
        + " delivery "
        + deliveryCount()
        + "]";
  }
}
