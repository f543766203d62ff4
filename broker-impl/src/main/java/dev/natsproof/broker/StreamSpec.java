package dev.natsproof.broker;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The stream natsproof expects: provisioned idempotently by {@link StreamBroker#provision}. An
 * existing stream that differs in any of these fields is an error, not a silent update.
 *
 * @param name stream name
 * @param subjects subjects it captures
 * @param retention LIMITS (keep until limits), WORK_QUEUE (removed once acked), INTEREST
 * @param replicas 1, or 3 on a cluster
 * @param maxAge how long messages are kept (ZERO = forever)
 * @param duplicateWindow how long message ids are remembered for dedup
 * @param maxMessagesPerSubject kept per subject (-1 = unlimited)
 * @param maxMessageBytes largest message (-1 = server's max payload)
 * @param maxBytes the stream's size limit in bytes (-1 = only the server's storage limit)
 * @param discard what happens at a limit: OLD drops the oldest messages, NEW refuses new ones
 *     (enqueue is then rejected as {@code STREAM_FULL}: nothing already accepted is lost)
 */
public record StreamSpec(
    String name,
    List<String> subjects,
    Retention retention,
    int replicas,
    Duration maxAge,
    Duration duplicateWindow,
    long maxMessagesPerSubject,
    int maxMessageBytes,
    long maxBytes,
    Discard discard) {

  public enum Retention {
    LIMITS,
    WORK_QUEUE,
    INTEREST
  }

  /** At a limit: drop the oldest messages, or refuse new ones. */
  public enum Discard {
    OLD,
    NEW
  }

  /** A spec without a byte limit that drops the oldest messages at its other limits. */
  public StreamSpec(
      String name,
      List<String> subjects,
      Retention retention,
      int replicas,
      Duration maxAge,
      Duration duplicateWindow,
      long maxMessagesPerSubject,
      int maxMessageBytes) {
    this(
        name,
        subjects,
        retention,
        replicas,
        maxAge,
        duplicateWindow,
        maxMessagesPerSubject,
        maxMessageBytes,
        -1,
        Discard.OLD);
  }

  public StreamSpec {
    Objects.requireNonNull(name, "name");
    if (!name.matches("[A-Za-z0-9_-]+")) {
      throw new IllegalArgumentException(
          "stream name '" + name + "' may only have letters, digits, '-' and '_'");
    }
    if (subjects == null || subjects.isEmpty()) {
      throw new IllegalArgumentException("stream " + name + " needs at least one subject");
    }
    subjects.forEach(Subjects::requireSubscribable);
    subjects = List.copyOf(subjects);
    Objects.requireNonNull(retention, "retention");
    if (replicas < 1 || replicas > 5) {
      throw new IllegalArgumentException("replicas must be 1..5, got " + replicas);
    }
    if (maxAge == null || maxAge.isNegative()) {
      throw new IllegalArgumentException("maxAge must be >= 0 (0 = forever), got " + maxAge);
    }
    if (duplicateWindow == null || duplicateWindow.isNegative() || duplicateWindow.isZero()) {
      throw new IllegalArgumentException(
          "duplicateWindow must be positive, got " + duplicateWindow);
    }
    if (!maxAge.isZero() && duplicateWindow.compareTo(maxAge) > 0) {
      throw new IllegalArgumentException(
          "duplicateWindow " + duplicateWindow + " is longer than maxAge " + maxAge);
    }
    if (maxBytes < -1 || maxBytes == 0) {
      throw new IllegalArgumentException(
          "maxBytes must be positive or -1 (no limit of its own), got " + maxBytes);
    }
    Objects.requireNonNull(discard, "discard");
  }

  public StreamSpec withReplicas(int r) {
    return new StreamSpec(
        name,
        subjects,
        retention,
        r,
        maxAge,
        duplicateWindow,
        maxMessagesPerSubject,
        maxMessageBytes,
        maxBytes,
        discard);
  }

  public StreamSpec withName(String n, List<String> subs) {
    return new StreamSpec(
        n,
        subs,
        retention,
        replicas,
        maxAge,
        duplicateWindow,
        maxMessagesPerSubject,
        maxMessageBytes,
        maxBytes,
        discard);
  }

  /** The same stream with a byte limit and what to do at it. */
  public StreamSpec withLimit(long bytes, Discard policy) {
    return new StreamSpec(
        name,
        subjects,
        retention,
        replicas,
        maxAge,
        duplicateWindow,
        maxMessagesPerSubject,
        maxMessageBytes,
        bytes,
        policy);
  }
}
