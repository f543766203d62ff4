package dev.natsproof.broker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a durable pull consumer consumes. Several {@code consume} calls with the same durable name
 * form a queue: they share the consumer, and each message goes to one of them at a time.
 *
 * <pre>
 * ConsumeOptions.builder().durable("settlement-workers")
 *     .ackWait(Duration.ofSeconds(30)).maxAckPending(256)
 *     .maxDeliver(5).backoff(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(30))
 *     .deadLetterSubject("dlq.settlement").build();
 * </pre>
 */
public final class ConsumeOptions {
  /** Deliver without limit (the server's default). */
  public static final int UNLIMITED_DELIVERIES = -1;

  private final String durable;
  private final List<String> filterSubjects;
  private final int maxAckPending;
  private final Duration ackWait;
  private final int maxDeliver;
  private final List<Duration> backoff;
  private final String deadLetterSubject;
  private final DeliverPolicy deliverPolicy;
  private final boolean autoAck;
  private final int batchSize;
  private final Duration pullExpiry;
  private final Duration nakDelayOnError;

  private ConsumeOptions(Builder b) {
    this.durable = b.durable;
    this.filterSubjects = List.copyOf(b.filterSubjects);
    this.maxAckPending = b.maxAckPending;
    this.ackWait = b.ackWait;
    this.maxDeliver = b.maxDeliver;
    this.backoff = List.copyOf(b.backoff);
    this.deadLetterSubject = b.deadLetterSubject;
    this.deliverPolicy = b.deliverPolicy;
    this.autoAck = b.autoAck;
    this.batchSize = b.batchSize;
    this.pullExpiry = b.pullExpiry;
    this.nakDelayOnError = b.nakDelayOnError;
  }

  public static Builder builder() {
    return new Builder();
  }

  public String durable() {
    return durable;
  }

  public List<String> filterSubjects() {
    return filterSubjects;
  }

  public int maxAckPending() {
    return maxAckPending;
  }

  public Duration ackWait() {
    return ackWait;
  }

  public int maxDeliver() {
    return maxDeliver;
  }

  public List<Duration> backoff() {
    return backoff;
  }

  public Optional<String> deadLetterSubject() {
    return Optional.ofNullable(deadLetterSubject);
  }

  public DeliverPolicy deliverPolicy() {
    return deliverPolicy;
  }

  public boolean autoAck() {
    return autoAck;
  }

  public int batchSize() {
    return batchSize;
  }

  public Duration pullExpiry() {
    return pullExpiry;
  }

  public Duration nakDelayOnError() {
    return nakDelayOnError;
  }

  /** The delay before redelivery after the {@code deliveryCount}-th delivery failed. */
  public Duration redeliveryDelay(long deliveryCount) {
    if (backoff.isEmpty()) {
      return nakDelayOnError;
    }
    int i = (int) Math.min(Math.max(0, deliveryCount - 1), backoff.size() - 1);
    return backoff.get(i);
  }

  public static final class Builder {
    private String durable;
    private String queue;
    private final List<String> filterSubjects = new ArrayList<>();
    private int maxAckPending = 1000;
    private Duration ackWait = Duration.ofSeconds(30);
    private int maxDeliver = UNLIMITED_DELIVERIES;
    private final List<Duration> backoff = new ArrayList<>();
    private String deadLetterSubject;
    private DeliverPolicy deliverPolicy = DeliverPolicy.all();
    private boolean autoAck;
    private int batchSize = 100;
    private Duration pullExpiry = Duration.ofSeconds(1);
    private Duration nakDelayOnError = Duration.ZERO;

    private Builder() {}

    /** The durable consumer's name: letters, digits, '-' and '_'. */
    public Builder durable(String name) {
      this.durable = requireName(name, "durable");
      return this;
    }

    /**
     * Work sharing: every consumer started with the same queue name shares one durable (pull
     * consumers share by name). Same as {@link #durable}; if both are given they must agree.
     */
    public Builder queue(String name) {
      this.queue = requireName(name, "queue");
      return this;
    }

    /** Only messages on this subject (wildcards allowed); several need nats-server 2.10+. */
    public Builder filterSubject(String subject) {
      filterSubjects.add(Subjects.requireSubscribable(subject));
      return this;
    }

    /** Messages delivered but not yet settled, at most; further deliveries wait. */
    public Builder maxAckPending(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxAckPending must be >= 1, got " + max);
      }
      this.maxAckPending = max;
      return this;
    }

    /** How long a delivery may stay unsettled before the server delivers it again. */
    public Builder ackWait(Duration wait) {
      this.ackWait = positive(wait, "ackWait");
      return this;
    }

    /** Deliveries at most (first one included), or {@link #UNLIMITED_DELIVERIES}. */
    public Builder maxDeliver(int max) {
      if (max != UNLIMITED_DELIVERIES && max < 1) {
        throw new IllegalArgumentException(
            "maxDeliver must be >= 1 or UNLIMITED_DELIVERIES (-1), got " + max);
      }
      this.maxDeliver = max;
      return this;
    }

    /**
     * Redelivery delays: the i-th redelivery waits {@code backoff[min(i, n-1)]}. Replaces ack wait
     * for unacknowledged messages, and is used for the nak of a handler that threw. Needs a {@link
     * #maxDeliver} greater than the number of steps.
     */
    public Builder backoff(Duration... steps) {
      backoff.clear();
      for (Duration d : steps) {
        backoff.add(positive(d, "backoff step"));
      }
      return this;
    }

    /**
     * Where a message goes when its last allowed delivery fails: published there (with headers
     * saying why, how often it was delivered and where it came from), then termed. Needs {@link
     * #maxDeliver}.
     */
    public Builder deadLetterSubject(String subject) {
      this.deadLetterSubject = Subjects.requirePublishable(subject);
      return this;
    }

    public Builder deliverPolicy(DeliverPolicy policy) {
      this.deliverPolicy = Objects.requireNonNull(policy, "deliverPolicy");
      return this;
    }

    /** Ack a message whose handler returned without settling it (default: leave it unacked). */
    public Builder autoAck(boolean autoAck) {
      this.autoAck = autoAck;
      return this;
    }

    /** Messages asked for per pull request. */
    public Builder batchSize(int size) {
      if (size < 1) {
        throw new IllegalArgumentException("batchSize must be >= 1, got " + size);
      }
      this.batchSize = size;
      return this;
    }

    /**
     * How long one pull request lives. Short pulls make consumption resume quickly after a server
     * restart (the client re-pulls when a pull's heartbeats stop); jnats's default of 30 s means
     * 45–90 s of stall.
     */
    public Builder pullExpiry(Duration expiry) {
      Duration d = positive(expiry, "pullExpiry");
      if (d.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException("pullExpiry must be at least 1 s, got " + d);
      }
      this.pullExpiry = d;
      return this;
    }

    /** Nak delay after a handler throws, when no backoff is configured (default: at once). */
    public Builder nakDelayOnError(Duration delay) {
      if (delay == null || delay.isNegative()) {
        throw new IllegalArgumentException("nakDelayOnError must not be negative, got " + delay);
      }
      this.nakDelayOnError = delay;
      return this;
    }

    public ConsumeOptions build() {
      if (durable == null && queue == null) {
        throw new IllegalArgumentException(
            "a durable name is required: call durable(\"settlement-workers\") (or queue(..))");
      }
      if (durable != null && queue != null && !durable.equals(queue)) {
        throw new IllegalArgumentException(
            "durable '"
                + durable
                + "' and queue '"
                + queue
                + "' differ: pull consumers share work by durable name, give one name");
      }
      if (durable == null) {
        durable = queue;
      }
      if (!backoff.isEmpty()
          && (maxDeliver == UNLIMITED_DELIVERIES || maxDeliver <= backoff.size())) {
        throw new IllegalArgumentException(
            "maxDeliver ("
                + maxDeliver
                + ") must be greater than the number of backoff steps ("
                + backoff.size()
                + "): nats-server refuses it otherwise (error 10116 on 2.9)");
      }
      if (deadLetterSubject != null && maxDeliver == UNLIMITED_DELIVERIES) {
        throw new IllegalArgumentException(
            "deadLetterSubject needs maxDeliver: without a limit nothing is ever dead-lettered");
      }
      return new ConsumeOptions(this);
    }

    private static String requireName(String name, String what) {
      if (name == null || name.isEmpty()) {
        throw new IllegalArgumentException(what + " name must not be empty");
      }
      if (!name.matches("[A-Za-z0-9_-]+")) {
        throw new IllegalArgumentException(
            what + " name '" + name + "' may only have letters, digits, '-' and '_'");
      }
      return name;
    }

    private static Duration positive(Duration d, String what) {
      if (d == null || d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException(what + " must be a positive duration, got " + d);
      }
      return d;
    }
  }
}
