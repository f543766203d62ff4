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

  /**
   * Fresh pulls the broker started on its own: after a reconnect, or when the consumer sat idle
   * with messages pending on the server.
   */
  long repulls();

  /**
   * Times the broker recreated this durable from its ack floor because the server held messages
   * pending acknowledgement and delivered nothing for longer than any redelivery it owed (observed
   * on nats-server 2.9.10 after repeated kill -9s). Everything after the floor is delivered again:
   * duplicates, never a loss.
   */
  long resets();

  /** Stops pulling; messages already received are still handled; waits for them up to timeout. */
  void drain(Duration timeout);

  boolean isActive();

  /** Stops at once; unsettled messages are redelivered by the server after ack wait. */
  @Override
  void close();
}
