package dev.natsproof.broker.micrometer;

import dev.natsproof.broker.Broker;
import dev.natsproof.broker.BrokerObserver;
import dev.natsproof.broker.ConnectionState;
import dev.natsproof.broker.EnqueueResult;
import dev.natsproof.broker.StreamConsumer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * The brokers' meters in a Micrometer registry: pass it as {@code BrokerOptions.observer(..)} and
 * {@link #bind} the broker once connected. Micrometer is an optional dependency: without this class
 * nothing of it is loaded.
 *
 * <ul>
 *   <li>{@code natsproof.core.published} {subject}, {@code natsproof.core.delivered}, {@code
 *       natsproof.core.dropped} (latest-only replacements and client drops), {@code
 *       natsproof.core.slow.consumers}, {@code natsproof.connection.reconnects}, {@code
 *       natsproof.connection.connected} (1 or 0);
 *   <li>{@code natsproof.request} timer {subject, outcome};
 *   <li>{@code natsproof.enqueue} timer {subject, outcome: acked, duplicate, rejected,
 *       indeterminate; reason};
 *   <li>{@code natsproof.consume.handled} timer {stream, durable, settlement}, {@code
 *       natsproof.consume.redeliveries}, {@code natsproof.consume.dead.lettered}, {@code
 *       natsproof.consume.lag} gauge (from message metadata), {@code
 *       natsproof.consume.interventions} {what: repull, reset, recreated, wedged}.
 * </ul>
 *
 * Subjects are templates ({@code room.*.state}), never raw subjects.
 */
public final class MicrometerBrokerMetrics implements BrokerObserver {
  private final MeterRegistry registry;

  public MicrometerBrokerMetrics(MeterRegistry registry) {
    if (registry == null) {
      throw new IllegalArgumentException("a MeterRegistry is needed");
    }
    this.registry = registry;
  }

  /** The counters the broker keeps itself, and its connection state, as meters. */
  public void bind(Broker broker) {
    FunctionCounter.builder("natsproof.core.delivered", broker, b -> b.stats().delivered())
        .description("messages handed to Core handlers")
        .register(registry);
    FunctionCounter.builder("natsproof.core.dropped", broker, b -> b.stats().dropped())
        .description("messages received but not handed over: latest-only replacements, drops")
        .register(registry);
    FunctionCounter.builder(
            "natsproof.core.slow.consumers", broker, b -> b.stats().slowConsumerEvents())
        .register(registry);
    FunctionCounter.builder("natsproof.connection.reconnects", broker, b -> b.stats().reconnects())
        .register(registry);
    Gauge.builder(
            "natsproof.connection.connected",
            broker,
            b -> b.state() == ConnectionState.CONNECTED ? 1 : 0)
        .register(registry);
  }

  @Override
  public void published(String subjectTemplate, int bytes) {
    Counter.builder("natsproof.core.published")
        .tag("subject", subjectTemplate)
        .register(registry)
        .increment();
  }

  @Override
  public void requested(String subjectTemplate, String outcome, long nanos) {
    Timer.builder("natsproof.request")
        .tags("subject", subjectTemplate, "outcome", outcome)
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void enqueued(String subjectTemplate, EnqueueResult result, long nanos) {
    String outcome;
    String reason = "";
    if (result instanceof EnqueueResult.Acked a) {
      outcome = a.duplicate() ? "duplicate" : "acked";
    } else if (result instanceof EnqueueResult.Rejected r) {
      outcome = "rejected";
      reason = r.reason().name().toLowerCase(java.util.Locale.ROOT);
    } else {
      outcome = "indeterminate";
    }
    Timer.builder("natsproof.enqueue")
        .tags(Tags.of("subject", subjectTemplate, "outcome", outcome, "reason", reason))
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void consumerStarted(StreamConsumer c) {
    Gauge.builder("natsproof.consume.lag", c, StreamConsumer::lag)
        .tags("stream", c.stream(), "durable", c.durable())
        .description("messages the server holds for the consumer beyond what it delivered")
        .register(registry);
  }

  @Override
  public void handled(
      String stream, String durable, String settlement, long deliveryCount, long nanos) {
    Timer.builder("natsproof.consume.handled")
        .tags("stream", stream, "durable", durable, "settlement", settlement)
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
    if (deliveryCount > 1) {
      Counter.builder("natsproof.consume.redeliveries")
          .tags("stream", stream, "durable", durable)
          .register(registry)
          .increment();
    }
  }

  @Override
  public void deadLettered(String stream, String durable, String reason) {
    Counter.builder("natsproof.consume.dead.lettered")
        .tags("stream", stream, "durable", durable)
        .register(registry)
        .increment();
  }

  @Override
  public void intervened(String stream, String durable, String what) {
    Counter.builder("natsproof.consume.interventions")
        .tags("stream", stream, "durable", durable, "what", what)
        .register(registry)
        .increment();
  }
}
