package dev.natsproof.broker.nats;

import java.time.Duration;

/** A point on the monotonic clock: how long is left until it, never negative. */
record Deadline(long atNanos) {
  static Deadline in(Duration d) {
    return new Deadline(System.nanoTime() + d.toNanos());
  }

  Duration left() {
    return Duration.ofNanos(Math.max(0, atNanos - System.nanoTime()));
  }

  boolean passed() {
    return System.nanoTime() >= atNanos;
  }
}
