package dev.natsproof.broker;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Reading back what a stream holds, without a durable consumer and without acking: a player's mail
 * on login (from the last sequence they saw), an audit range by time or sequence.
 *
 * @param stream the stream
 * @param subjectFilter only this subject (wildcards allowed), or null for all
 * @param fromSequence first sequence (inclusive), or 0
 * @param fromTime first time (inclusive), or null
 * @param toSequence last sequence (inclusive), or 0 = up to the last one at the time of the call
 * @param toTime last time (exclusive), or null
 * @param maxMessages at most this many (a safety bound)
 */
public record ReplayRequest(
    String stream,
    String subjectFilter,
    long fromSequence,
    Instant fromTime,
    long toSequence,
    Instant toTime,
    int maxMessages) {

  public ReplayRequest {
    Objects.requireNonNull(stream, "stream");
    if (subjectFilter != null) {
      Subjects.requireSubscribable(subjectFilter);
    }
    if (fromSequence < 0 || toSequence < 0) {
      throw new IllegalArgumentException("sequences must be >= 0");
    }
    if (fromSequence > 0 && fromTime != null) {
      throw new IllegalArgumentException("give a start sequence or a start time, not both");
    }
    if (toSequence > 0 && fromSequence > toSequence) {
      throw new IllegalArgumentException(
          "fromSequence " + fromSequence + " is after toSequence " + toSequence);
    }
    if (fromTime != null && toTime != null && !fromTime.isBefore(toTime)) {
      throw new IllegalArgumentException(
          "fromTime " + fromTime + " is not before toTime " + toTime);
    }
    if (maxMessages < 1) {
      throw new IllegalArgumentException("maxMessages must be >= 1, got " + maxMessages);
    }
  }

  /** Everything on {@code subjectFilter} after {@code lastSeenSequence}. */
  public static ReplayRequest after(String stream, String subjectFilter, long lastSeenSequence) {
    return new ReplayRequest(stream, subjectFilter, lastSeenSequence + 1, null, 0, null, 100_000);
  }

  /** Everything stored in {@code [from, to)}. */
  public static ReplayRequest between(String stream, Instant from, Instant to) {
    return new ReplayRequest(stream, null, 0, from, 0, to, 100_000);
  }

  /** Sequences {@code from..to} inclusive. */
  public static ReplayRequest sequences(String stream, long from, long to) {
    return new ReplayRequest(stream, null, from, null, to, null, 100_000);
  }

  public Optional<String> filter() {
    return Optional.ofNullable(subjectFilter);
  }
}
