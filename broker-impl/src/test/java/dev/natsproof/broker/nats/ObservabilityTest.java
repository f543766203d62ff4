package dev.natsproof.broker.nats;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.broker.BrokerHealth;
import dev.natsproof.broker.BrokerOptions;
import dev.natsproof.broker.ConsumeOptions;
import dev.natsproof.broker.EnqueueOptions;
import dev.natsproof.broker.Headers;
import dev.natsproof.broker.NoRespondersException;
import dev.natsproof.broker.StreamConsumer;
import dev.natsproof.broker.StreamSpec;
import dev.natsproof.broker.TraceContext;
import dev.natsproof.broker.micrometer.MicrometerBrokerMetrics;
import dev.natsproof.testkit.NatsServer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Metrics, trace context and health against a real server. */
class ObservabilityTest {
  static final Duration WAIT = Duration.ofSeconds(20);
  static final String TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static StreamSpec stream(String name, String subjects) {
    return new StreamSpec(
        name,
        List.of(subjects),
        StreamSpec.Retention.WORK_QUEUE,
        1,
        Duration.ofHours(1),
        Duration.ofMinutes(2),
        -1,
        -1);
  }

  @Test
  @DisplayName(
      "Micrometer meters for publish, request, enqueue outcomes and handling, tagged with subject"
          + " templates, never raw subjects")
  void meters() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    MicrometerBrokerMetrics metrics = new MicrometerBrokerMetrics(registry);
    try (NatsServer server = NatsServer.startDefault();
        NatsStreamBroker broker =
            NatsStreamBroker.connect(
                BrokerOptions.builder().servers(server.clientUrl()).observer(metrics).build(),
                16)) {
      metrics.bind(broker);
      broker.provision(stream("OBS", "obs.settle.>"));
      broker.subscribe("obs.cmd.*", m -> broker.reply(m, m.data()));
      broker.flush(WAIT);
      broker.publish("obs.room.42.state", bytes("f"));
      broker.publish("obs.room.43.state", bytes("f"));
      broker.request("obs.cmd.7", bytes("c"), Duration.ofSeconds(5));
      try {
        broker.request("obs.nobody.9", bytes("c"), Duration.ofSeconds(5));
      } catch (NoRespondersException expected) {
        // counted below
      }
      broker.enqueue("obs.settle.battle.1", bytes("r"), EnqueueOptions.idempotencyKey("b-1"));
      broker.enqueue("obs.settle.battle.1", bytes("r"), EnqueueOptions.idempotencyKey("b-1"));
      broker.enqueue("obs.nostream.2", bytes("r"));
      AtomicInteger calls = new AtomicInteger();
      try (StreamConsumer c =
          broker.consume(
              "OBS",
              m -> {
                if (calls.incrementAndGet() == 1) {
                  m.nak(); // once: the redelivery is counted
                } else {
                  m.ack();
                }
              },
              ConsumeOptions.builder().durable("obs").build())) {
        await().atMost(WAIT).until(() -> calls.get() == 2);
        await()
            .atMost(WAIT)
            .until(
                () ->
                    registry.find("natsproof.consume.handled").tag("settlement", "ack").timer()
                        != null);
      }
      assertEquals(
          2,
          registry
              .get("natsproof.core.published")
              .tag("subject", "obs.room.*.state")
              .counter()
              .count());
      assertEquals(1, registry.get("natsproof.request").tag("outcome", "answered").timer().count());
      assertEquals(
          1, registry.get("natsproof.request").tag("outcome", "no-responders").timer().count());
      assertEquals(
          "obs.cmd.*",
          registry
              .get("natsproof.request")
              .tag("outcome", "answered")
              .timer()
              .getId()
              .getTag("subject"));
      assertEquals(1, registry.get("natsproof.enqueue").tag("outcome", "acked").timer().count());
      assertEquals(
          1, registry.get("natsproof.enqueue").tag("outcome", "duplicate").timer().count());
      assertEquals(
          "no_stream",
          registry
              .get("natsproof.enqueue")
              .tag("outcome", "rejected")
              .timer()
              .getId()
              .getTag("reason"));
      assertEquals(
          1, registry.get("natsproof.consume.handled").tag("settlement", "nak").timer().count());
      assertEquals(1, registry.get("natsproof.consume.redeliveries").counter().count());
      assertTrue(registry.find("natsproof.consume.lag").tag("durable", "obs").gauge() != null);
      assertEquals(1.0, registry.get("natsproof.connection.connected").gauge().value());
      for (Meter m : registry.getMeters()) {
        String subject = m.getId().getTag("subject");
        assertFalse(
            subject != null && subject.chars().anyMatch(Character::isDigit),
            "a raw subject became a metric tag: " + m.getId());
      }
    }
  }

  @Test
  @DisplayName(
      "the caller's traceparent travels with publishes and enqueues to the handlers; one already"
          + " set is kept, a malformed one is never sent")
  void traceContext() throws Exception {
    AtomicReference<String> current = new AtomicReference<>(TRACE);
    try (NatsServer server = NatsServer.startDefault();
        NatsStreamBroker broker =
            NatsStreamBroker.connect(
                BrokerOptions.builder()
                    .servers(server.clientUrl())
                    .traceContext(current::get)
                    .build(),
                16)) {
      broker.provision(stream("TRACE", "trace.settle.>"));
      List<Headers> core = new CopyOnWriteArrayList<>();
      broker.subscribe("trace.room.>", m -> core.add(m.headers()));
      broker.flush(WAIT);
      broker.publish("trace.room.1", bytes("f"));
      String own = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
      broker.publish("trace.room.2", Headers.of(TraceContext.HEADER, own), bytes("f"));
      current.set("not-a-traceparent");
      broker.publish("trace.room.3", bytes("f"));
      await().atMost(WAIT).until(() -> core.size() == 3);
      assertEquals(TRACE, TraceContext.of(core.get(0)).orElseThrow());
      assertEquals(own, TraceContext.of(core.get(1)).orElseThrow(), "the caller's own is kept");
      assertTrue(core.get(2).first(TraceContext.HEADER).isEmpty(), "a malformed one is dropped");

      current.set(TRACE);
      broker.enqueue("trace.settle.1", bytes("r"));
      AtomicReference<String> seen = new AtomicReference<>();
      try (StreamConsumer c =
          broker.consume(
              "TRACE",
              m -> {
                seen.set(TraceContext.of(m.headers()).orElse("none"));
                m.ack();
              },
              ConsumeOptions.builder().durable("trace").build())) {
        await().atMost(WAIT).until(() -> seen.get() != null);
      }
      assertEquals(TRACE, seen.get(), "the worker's handler continues the game server's trace");
    }
  }

  @Test
  @DisplayName("health: UP while connected with JetStream answering, DOWN once the server is gone")
  void health() {
    try (NatsServer server = NatsServer.startDefault();
        NatsStreamBroker broker =
            NatsStreamBroker.connect(BrokerOptions.of(server.clientUrl()), 16)) {
      BrokerHealth h = broker.health();
      assertEquals(BrokerHealth.Status.UP, h.status(), h.toString());
      assertEquals(Boolean.TRUE, h.jetStreamReachable());
      server.kill();
      await().atMost(WAIT).until(() -> broker.health().status() == BrokerHealth.Status.DOWN);
      assertFalse(broker.health().problems().isEmpty());
    }
  }
}
