package dev.natsproof.broker;

/**
 * What the brokers report as they work, for metrics and tracing (the Micrometer adapter, {@code
 * dev.natsproof.broker.micrometer.MicrometerBrokerMetrics}, is one). Subjects arrive as templates
 * ({@link BrokerOptions#subjectTemplate}), never raw: {@code room.*.state}, not one series per
 * room. Every method runs on the broker's own threads and must return quickly; the default does
 * nothing.
 */
public interface BrokerObserver {
  /** Observes nothing. */
  BrokerObserver NONE = new BrokerObserver() {};

  /** A Core publish handed to the connection. */
  default void published(String subjectTemplate, int bytes) {}

  /**
   * A request ended.
   *
   * @param outcome {@code answered}, {@code timeout}, {@code no-responders} or {@code error}
   */
  default void requested(String subjectTemplate, String outcome, long nanos) {}

  /** An enqueue's final outcome (after its retries), and how long it took from the call. */
  default void enqueued(String subjectTemplate, EnqueueResult result, long nanos) {}

  /** A durable consumer started; its lag and counters can be read from it from now on. */
  default void consumerStarted(StreamConsumer consumer) {}

  /**
   * A stream handler returned.
   *
   * @param settlement {@code ack}, {@code nak}, {@code term}, {@code unsettled} (left for ack wait)
   *     or {@code error} (it threw)
   * @param deliveryCount the message's delivery count (above 1: a redelivery)
   */
  default void handled(
      String stream, String durable, String settlement, long deliveryCount, long nanos) {}

  /** A message stored as a dead letter. */
  default void deadLettered(String stream, String durable, String reason) {}

  /**
   * The broker acted on its own for a consumer.
   *
   * @param what {@code repull}, {@code reset}, {@code recreated} or {@code wedged}
   */
  default void intervened(String stream, String durable, String what) {}

  /**
   * The broker acted on its own for a consumer, and why: the server's numbers it acted on (pending,
   * ack pending, pulls waiting, delivered sequence) or the event that triggered it. By default the
   * same as {@link #intervened(String, String, String)}.
   */
  default void intervened(String stream, String durable, String what, String why) {
    intervened(stream, durable, what);
  }
}
