package dev.natsproof.broker;

import java.util.Optional;

/**
 * The outcome of an enqueue: exactly one of three, never blurred.
 *
 * <ul>
 *   <li>{@link Acked}: the stream stored it (or had already stored it under the same message id:
 *       {@code duplicate}).
 *   <li>{@link Rejected}: definitely not stored (no stream, no responders, wrong expected sequence,
 *       too large, bad subject, never sent). Safe to fix and send again.
 *   <li>{@link Indeterminate}: may or may not be stored (timeouts, connection lost), even after the
 *       broker's retries with the same message id. Send again with the <em>same</em> idempotency
 *       key within the stream's duplicate window and the stream will deduplicate it.
 * </ul>
 */
public sealed interface EnqueueResult
    permits EnqueueResult.Acked, EnqueueResult.Rejected, EnqueueResult.Indeterminate {

  enum Status {
    ACKED,
    REJECTED,
    INDETERMINATE
  }

  Status status();

  /** The {@code Nats-Msg-Id} the message was (or would have been) sent with. */
  String messageId();

  /** Publish attempts made (retries of indeterminate outcomes included). */
  int attempts();

  default boolean isAcked() {
    return status() == Status.ACKED;
  }

  /** The stored sequence, when acked. */
  default Optional<Long> storedSequence() {
    return this instanceof Acked a ? Optional.of(a.sequence()) : Optional.empty();
  }

  record Acked(String messageId, String stream, long sequence, boolean duplicate, int attempts)
      implements EnqueueResult {
    @Override
    public Status status() {
      return Status.ACKED;
    }
  }

  record Rejected(String messageId, RejectReason reason, String detail, int attempts)
      implements EnqueueResult {
    @Override
    public Status status() {
      return Status.REJECTED;
    }
  }

  record Indeterminate(String messageId, String lastError, int attempts) implements EnqueueResult {
    @Override
    public Status status() {
      return Status.INDETERMINATE;
    }
  }

  /** Why a rejection is definite. */
  enum RejectReason {
    /** No stream listens on the subject (NATS 503 no responders). */
    NO_STREAM,
    /** {@code Nats-Expected-Last-Sequence} (or subject sequence) did not match. */
    WRONG_EXPECTED_SEQUENCE,
    /** Larger than the stream's or the server's maximum message size. */
    TOO_LARGE,
    /** Not a valid subject to publish to. */
    INVALID_SUBJECT,
    /** The async window stayed full until the deadline: the message was never sent. */
    WINDOW_FULL,
    /** The client could not send it at all (output queue full, connection closed). */
    NOT_SENT,
    /**
     * The stream is at its byte or message limit and discards new messages: nothing was stored.
     * Processing (or a larger limit) makes room.
     */
    STREAM_FULL,
    /**
     * The server refused it under an ingest limit ("too many requests", nats-server 2.11+) until
     * the deadline: nothing was stored.
     */
    OVERLOADED,
    /** Any other error the server answered with (its code is in the detail). */
    SERVER_ERROR
  }
}
