package dev.natsproof.broker;

import java.time.Duration;
import java.util.Optional;

/** A live subscription; closing it unsubscribes at once, {@link #drain} lets in-flight finish. */
public interface Subscription extends AutoCloseable {
  String subject();

  Optional<String> queue();

  /** Whether this is a latest-only subscription (see {@link Broker#subscribeLatest}). */
  boolean latestOnly();

  /** Messages handed to the handler. */
  long delivered();

  /**
   * Messages received but never handed to the handler: intermediate frames replaced by a newer one
   * (latest-only), plus messages the client dropped as a slow consumer.
   */
  long dropped();

  boolean isActive();

  /** Stops interest, delivers what has already arrived, then completes. */
  void drain(Duration timeout);

  /** Unsubscribes at once; messages not yet handled are discarded. */
  @Override
  void close();
}
