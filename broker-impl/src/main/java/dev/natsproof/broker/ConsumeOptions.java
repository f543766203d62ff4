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
  private final int concurrency;
  private final java.util.function.Function<StreamMessage, String> orderKey;

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
    this.concurrency = b.concurrency;
    this.orderKey = b.orderKey;
  }

  public static Builder builder() {
    return new Builder();
  }

  private ConsumeOptions(ConsumeOptions o, List<String> filters) {
    this.durable = o.durable;
    this.filterSubjects = List.copyOf(filters);
    this.maxAckPending = o.maxAckPending;
    this.ackWait = o.ackWait;
    this.maxDeliver = o.maxDeliver;
    this.backoff = o.backoff;
    this.deadLetterSubject = o.deadLetterSubject;
    this.deliverPolicy = o.deliverPolicy;
    this.autoAck = o.autoAck;
    this.batchSize = o.batchSize;
    this.pullExpiry = o.pullExpiry;
    this.nakDelayOnError = o.nakDelayOnError;
    this.concurrency = o.concurrency;
    this.orderKey = o.orderKey;
  }

  /**
   * These options filtered to {@code subject} alone (consume by subject).
   *
   * @throws IllegalArgumentException when they already filter on another subject
   */
  public ConsumeOptions withOnlyFilter(String subject) {
    Subjects.requireSubscribable(subject);
    if (!filterSubjects.isEmpty() && !filterSubjects.equals(List.of(subject))) {
      throw new IllegalArgumentException(
          "the options filter on "
              + filterSubjects
              + " already: consuming by subject '"
              + subject
              + "' filters on that subject alone; drop filterSubject(..) from the options");
    }
    return new ConsumeOptions(this, List.of(subject));
  }

  public String durable() {
    return durable;
  }

  /** Handlers that may run at once for this consumer (1: one at a time, in delivery order). */
  public int concurrency() {
    return concurrency;
  }

  /**
   * The key whose messages are handled one at a time and in delivery order when {@link
   * #concurrency()} is above 1: the function given, else the subject's last token (the battle or
   * player in {@code settle.battle.8812}).
   */
  public String orderKey(StreamMessage m) {
    if (orderKey != null) {
      String k = orderKey.apply(m);
      return k == null ? "" : k;
    }
    String s = m.subject();
    return s.substring(s.lastIndexOf('.') + 1);
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
    private boolean nakDelayOnErrorSet;
    private int concurrency = 1;
    private java.util.function.Function<StreamMessage, String> orderKey;

    private Builder() {}

    /**
     * Up to {@code n} handlers at once (1..256), keeping order per key: messages with the same
     * {@link #orderKey key} are handled one at a time in delivery order, messages of different keys
     * in parallel. What is in flight stays within {@link #maxAckPending}.
     */
    public Builder concurrency(int n) {
      if (n < 1 || n > 256) {
        throw new IllegalArgumentException("concurrency must be 1..256, got " + n);
      }
      this.concurrency = n;
      return this;
    }

    /**
     * The key that orders handling under {@link #concurrency} (default: the last subject token).
     */
    public Builder orderKey(java.util.function.Function<StreamMessage, String> key) {
      this.orderKey = Objects.requireNonNull(key, "orderKey");
      return this;
    }

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
      this.nakDelayOnErrorSet = true;
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
      if (nakDelayOnErrorSet && !backoff.isEmpty()) {
        throw new IllegalArgumentException(
            "nakDelayOnError and backoff both set: a handler that throws is nak'ed with the"
                + " backoff's delays, so nakDelayOnError would be ignored; give one of them");
      }
      if (concurrency > maxAckPending) {
        throw new IllegalArgumentException(
            "concurrency ("
                + concurrency
                + ") above maxAckPending ("
                + maxAckPending
                + "): the server never hands out more unacknowledged messages than that, so the"
                + " extra handlers would idle; raise maxAckPending or lower concurrency");
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
