package dev.natsproof.broker;

import java.time.Duration;

/**
 * A running consumer. Counters are cumulative for this consumer instance.
 *
 * <p>The broker supervises every consumer and counts each thing it does on its own, so that a
 * harness (or an operator) sees every recovery rather than a consumer that merely looks healthy:
 * {@link #repulls()}, {@link #resets()}, {@link #recreations()} and {@link #wedges()}. It never
 * deletes a durable: a durable is shared by every worker of the queue, and deleting it on one
 * worker's evidence redelivers what the others are still processing (and on an interest stream
 * purges what nobody acked).
 */
public interface StreamConsumer extends AutoCloseable {
  String stream();

  String durable();

  /**
   * Messages the server still holds for this consumer beyond what it delivered, as the last
   * delivery's metadata (or the last consumer info) said: its lag, read without an API call.
   */
  default long lag() {
    return 0;
  }

  /** Messages handed to the handler (redeliveries included). */
  long delivered();

  long acked();

  long naked();

  long termed();

  /** Messages stored in the dead-letter stream by this consumer (once each). */
  long deadLettered();

  /** Handler invocations that threw. */
  long handlerErrors();

  /** Payloads the consumer's codec could not decode (each dead-lettered, never retried). */
  default long undecodable() {
    return 0;
  }

  /**
   * Fresh pulls the broker started on its own: after a reconnect, or when the server had messages
   * pending for the consumer and nothing arrived.
   */
  long repulls();

  /**
   * Times the broker asked the server to reset the durable to its ack floor (the consumer reset API
   * of nats-server 2.14+), because the server held undelivered messages, had room and pulls
   * waiting, and delivered nothing for longer than any redelivery it owed.
   */
  long resets();

  /**
   * Times the durable was found gone from the server and created again with the same configuration,
   * from the last ack floor the broker saw (everything after it comes again).
   */
  long recreations();

  /**
   * Times supervision found the server holding work for this consumer that it did not deliver (see
   * {@link ConsumerHealth.State#WEDGED}). Where the server has no reset API the broker only reports
   * it: {@link #health()} says WEDGED until deliveries resume.
   */
  long wedges();

  /** What supervision last concluded. */
  ConsumerHealth health();

  /** Stops pulling; messages already received are still handled; waits for them up to timeout. */
  void drain(Duration timeout);

  boolean isActive();

  /** Stops at once; unsettled messages are redelivered by the server after ack wait. */
  @Override
  void close();
}
