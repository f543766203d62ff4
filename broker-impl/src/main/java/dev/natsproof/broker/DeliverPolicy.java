package dev.natsproof.broker;

import java.time.Instant;
import java.util.Objects;

/** Where a new durable consumer starts in its stream. */
public sealed interface DeliverPolicy
    permits DeliverPolicy.All,
        DeliverPolicy.New,
        DeliverPolicy.FromSequence,
        DeliverPolicy.FromTime {

  static DeliverPolicy all() {
    return All.INSTANCE;
  }

  static DeliverPolicy onlyNew() {
    return New.INSTANCE;
  }

  static DeliverPolicy fromSequence(long sequence) {
    return new FromSequence(sequence);
  }

  static DeliverPolicy fromTime(Instant time) {
    return new FromTime(time);
  }

  enum All implements DeliverPolicy {
    INSTANCE
  }

  enum New implements DeliverPolicy {
    INSTANCE
  }

  record FromSequence(long sequence) implements DeliverPolicy {
    public FromSequence {
      if (sequence < 1) {
        throw new IllegalArgumentException("start sequence must be >= 1, got " + sequence);
      }
    }
  }

  record FromTime(Instant time) implements DeliverPolicy {
    public FromTime {
      Objects.requireNonNull(time, "start time");
    }
  }
}
