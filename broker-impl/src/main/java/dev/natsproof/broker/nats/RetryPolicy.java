package dev.natsproof.broker.nats;

import dev.natsproof.broker.EnqueueOptions;
import dev.natsproof.broker.EnqueueResult;
import dev.natsproof.broker.EnqueueResult.RejectReason;
import dev.natsproof.broker.ServerFeatures;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * When an enqueue tries again and when it gives up, one rule for the sync and the async path.
 * Retries use the same message id and end inside the stream's duplicate window, so a late retry
 * cannot store a second copy.
 */
final class RetryPolicy {
  /** The server's default duplicate window, assumed for streams not provisioned here. */
  static final Duration DEFAULT_DUPLICATE_WINDOW = Duration.ofMinutes(2);

  /** No attempt is given less than this, however close the deadline. */
  static final Duration MIN_ATTEMPT = Duration.ofMillis(100);

  /** Not worth starting an attempt this close to the deadline. */
  static final long GIVE_UP_MARGIN_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private volatile Duration shortestDuplicateWindow = DEFAULT_DUPLICATE_WINDOW;
  private final ServerFeatures features;

  RetryPolicy(ServerFeatures features) {
    this.features = features;
  }

  /** A stream provisioned here may have a shorter window: retries must fit the shortest. */
  synchronized void knowDuplicateWindow(Duration window) {
    if (window.compareTo(shortestDuplicateWindow) < 0) {
      shortestDuplicateWindow = window;
    }
  }

  Deadline deadline(EnqueueOptions o) {
    Duration cap = shortestDuplicateWindow.minus(o.attemptTimeout());
    Duration d = o.deadline().compareTo(cap) > 0 ? cap : o.deadline();
    if (d.isNegative() || d.isZero()) {
      d = o.attemptTimeout();
    }
    return Deadline.in(d);
  }

  /** This attempt's timeout: the configured one, or what is left of the deadline. */
  Duration attemptTimeout(Deadline deadline, EnqueueOptions o) {
    long left = deadline.left().toMillis();
    long ms = Math.max(MIN_ATTEMPT.toMillis(), Math.min(o.attemptTimeout().toMillis(), left));
    return Duration.ofMillis(ms);
  }

  /** 50 ms, 100 ms, 200 ms … up to 1 s between attempts: the server is restarting or far. */
  long pauseNanos(int attempts) {
    long ms = Math.min(1000, 50L << Math.min(5, attempts - 1));
    return TimeUnit.MILLISECONDS.toNanos(ms);
  }

  /** The state of one enqueue across its attempts. */
  static final class Attempts {
    final String id;
    int count;
    boolean maybeStored;
    String lastError;
    PublishErrors.Classified last;

    Attempts(String id) {
      this.id = id;
    }
  }

  /**
   * After a failed attempt: the final result, or null to try again after {@link #pauseNanos}. A
   * definite answer ends the retries. After an attempt that may have stored the message, only a
   * wrong-expected-sequence stays definite, and only on servers that deduplicate before checking
   * expectations (a stored earlier attempt would have come back as a duplicate ack); any other
   * error then leaves the outcome indeterminate.
   */
  EnqueueResult afterFailure(Attempts a, PublishErrors.Classified c, Deadline deadline) {
    a.lastError = c.detail();
    a.last = c;
    if (c.definite()) {
      if (a.maybeStored && !definiteAfterMaybeStored(c.reason())) {
        return new EnqueueResult.Indeterminate(
            a.id, c.detail() + " (after an attempt that may have stored it)", a.count);
      }
      return new EnqueueResult.Rejected(a.id, c.reason(), c.detail(), a.count);
    }
    if (c.sent() && !c.retry()) {
      a.maybeStored = true;
    }
    if (System.nanoTime() + pauseNanos(a.count) + GIVE_UP_MARGIN_NANOS >= deadline.atNanos()) {
      return givenUp(a);
    }
    return null;
  }

  private boolean definiteAfterMaybeStored(RejectReason r) {
    return r == RejectReason.WRONG_EXPECTED_SEQUENCE && !features.expectationsBeforeDedup();
  }

  /** What an enqueue is when it runs out of time (or the broker closes) between attempts. */
  EnqueueResult givenUp(Attempts a) {
    if (a.maybeStored) {
      return new EnqueueResult.Indeterminate(a.id, a.lastError, a.count);
    }
    RejectReason r =
        a.last != null && a.last.reason() != null ? a.last.reason() : RejectReason.NOT_SENT;
    return new EnqueueResult.Rejected(a.id, r, a.lastError, a.count);
  }
}
