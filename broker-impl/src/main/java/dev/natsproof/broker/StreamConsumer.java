package dev.natsproof.broker;

import java.time.Duration;

/** A running consumer. Counters are cumulative for this consumer instance. */
public interface StreamConsumer extends AutoCloseable {
  String stream();

  String durable();

  /** Messages handed to the handler (redeliveries included). */
  long delivered();

  long acked();

  long naked();

  long termed();

  /** Messages published to the dead-letter subject. */
  long deadLettered();

  /** Handler invocations that threw. */
  long handlerErrors();

  /** Stops pulling; messages already received are still handled; waits for them up to timeout. */
  void drain(Duration timeout);

  boolean isActive();

  /** Stops at once; unsettled messages are redelivered by the server after ack wait. */
  @Override
  void close();
}
