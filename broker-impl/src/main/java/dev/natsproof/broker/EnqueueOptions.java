package dev.natsproof.broker;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Per-enqueue options: idempotency key, headers, optimistic-concurrency expectations, timeouts.
 *
 * <p>The idempotency key becomes the {@code Nats-Msg-Id}: two enqueues with the same key within the
 * stream's duplicate window store one message (the second is acked with {@code duplicate}). Use
 * business identities ({@code battle-8812}), not random ids, so that a retry after a crash of the
 * <em>caller</em> is deduplicated too.
 */
public final class EnqueueOptions {
  public static final EnqueueOptions DEFAULTS = builder().build();

  private final String idempotencyKey;
  private final Headers headers;
  private final Long expectedLastSequence;
  private final Long expectedLastSubjectSequence;
  private final String expectedStream;
  private final Duration attemptTimeout;
  private final Duration deadline;

  private EnqueueOptions(Builder b) {
    this.idempotencyKey = b.idempotencyKey;
    this.headers = b.headers;
    this.expectedLastSequence = b.expectedLastSequence;
    this.expectedLastSubjectSequence = b.expectedLastSubjectSequence;
    this.expectedStream = b.expectedStream;
    this.attemptTimeout = b.attemptTimeout;
    this.deadline = b.deadline;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Shorthand for options with just an idempotency key. */
  public static EnqueueOptions idempotencyKey(String key) {
    return builder().idempotencyKey(key).build();
  }

  public Optional<String> idempotencyKey() {
    return Optional.ofNullable(idempotencyKey);
  }

  public Headers headers() {
    return headers;
  }

  /** These options with one header set (a codec's content type, a trace context). */
  public EnqueueOptions withHeader(String name, String value) {
    Builder b = new Builder();
    b.idempotencyKey = idempotencyKey;
    b.headers = headers.toBuilder().set(name, value).build();
    b.expectedLastSequence = expectedLastSequence;
    b.expectedLastSubjectSequence = expectedLastSubjectSequence;
    b.expectedStream = expectedStream;
    b.attemptTimeout = attemptTimeout;
    b.deadline = deadline;
    return new EnqueueOptions(b);
  }

  public Optional<Long> expectedLastSequence() {
    return Optional.ofNullable(expectedLastSequence);
  }

  public Optional<Long> expectedLastSubjectSequence() {
    return Optional.ofNullable(expectedLastSubjectSequence);
  }

  public Optional<String> expectedStream() {
    return Optional.ofNullable(expectedStream);
  }

  /** How long one publish waits for the stream's ack before it counts as indeterminate. */
  public Duration attemptTimeout() {
    return attemptTimeout;
  }

  /** How long the broker keeps retrying indeterminate attempts (same message id) in total. */
  public Duration deadline() {
    return deadline;
  }

  public static final class Builder {
    private String idempotencyKey;
    private Headers headers = Headers.EMPTY;
    private Long expectedLastSequence;
    private Long expectedLastSubjectSequence;
    private String expectedStream;
    private Duration attemptTimeout = Duration.ofSeconds(2);
    private Duration deadline = Duration.ofSeconds(10);

    private Builder() {}

    /** The message id; non-empty, printable, at most 256 characters. */
    public Builder idempotencyKey(String key) {
      if (key == null || key.isBlank()) {
        throw new IllegalArgumentException(
            "idempotency key must not be empty: use a business id such as battle-<id>");
      }
      if (key.length() > 256) {
        throw new IllegalArgumentException(
            "idempotency key is " + key.length() + " characters; keep it at most 256");
      }
      for (int i = 0; i < key.length(); i++) {
        char c = key.charAt(i);
        if (c < 0x21 || c > 0x7e) {
          throw new IllegalArgumentException(
              "idempotency key '" + key + "' has a space or non-printable character at " + i);
        }
      }
      this.idempotencyKey = key;
      return this;
    }

    public Builder headers(Headers headers) {
      this.headers = Objects.requireNonNull(headers, "headers");
      return this;
    }

    /** Store only if the stream's last sequence is exactly this (0 = the stream is empty). */
    public Builder expectedLastSequence(long sequence) {
      if (sequence < 0) {
        throw new IllegalArgumentException("expectedLastSequence must be >= 0, got " + sequence);
      }
      this.expectedLastSequence = sequence;
      return this;
    }

    /** Store only if the last message on this subject has exactly this sequence (0 = none). */
    public Builder expectedLastSubjectSequence(long sequence) {
      if (sequence < 0) {
        throw new IllegalArgumentException(
            "expectedLastSubjectSequence must be >= 0, got " + sequence);
      }
      this.expectedLastSubjectSequence = sequence;
      return this;
    }

    /** Store only if the subject belongs to this stream. */
    public Builder expectedStream(String stream) {
      if (stream == null || stream.isBlank()) {
        throw new IllegalArgumentException("expectedStream must not be empty");
      }
      this.expectedStream = stream;
      return this;
    }

    public Builder attemptTimeout(Duration timeout) {
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("attemptTimeout must be positive, got " + timeout);
      }
      this.attemptTimeout = timeout;
      return this;
    }

    /**
     * Total time for retries of indeterminate attempts. It must stay inside the stream's duplicate
     * window (2 min by default), or a late retry could store a second copy: the broker caps it.
     */
    public Builder deadline(Duration deadline) {
      if (deadline == null || deadline.isNegative() || deadline.isZero()) {
        throw new IllegalArgumentException("deadline must be positive, got " + deadline);
      }
      this.deadline = deadline;
      return this;
    }

    public EnqueueOptions build() {
      if (deadline.compareTo(attemptTimeout) < 0) {
        throw new IllegalArgumentException(
            "deadline " + deadline + " is shorter than one attempt (" + attemptTimeout + ")");
      }
      return new EnqueueOptions(this);
    }
  }
}
