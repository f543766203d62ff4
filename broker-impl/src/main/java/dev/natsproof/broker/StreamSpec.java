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
 */
public record StreamSpec(
    String name,
    List<String> subjects,
    Retention retention,
    int replicas,
    Duration maxAge,
    Duration duplicateWindow,
    long maxMessagesPerSubject,
    int maxMessageBytes) {

  public enum Retention {
    LIMITS,
    WORK_QUEUE,
    INTEREST
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
        maxMessageBytes);
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
        maxMessageBytes);
  }
}
