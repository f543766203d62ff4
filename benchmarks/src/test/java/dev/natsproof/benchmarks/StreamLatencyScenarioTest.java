package dev.natsproof.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.results.StreamRun;
import dev.natsproof.results.StreamRunSpec;
import dev.natsproof.testkit.FreePorts;
import dev.natsproof.testkit.NatsServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JetStream end-to-end scenario against a real nats-server. Counts and files only, never
 * timings: every acked message reaches the handler, and a handler that loses messages, or a server
 * that is not there, makes the run an error.
 */
class StreamLatencyScenarioTest {
  static NatsServer server;

  @BeforeAll
  static void start() {
    server = NatsServer.startDefault();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static StreamLatencyScenario.Options small(Path out, String enqueue, String ack) {
    return StreamLatencyScenario.Options.defaults(out)
        .with(200, StreamRunSpec.EnqueueMode.of(enqueue), StreamRunSpec.AckMode.of(ack), 1)
        .withDuration(1, 2);
  }

  @Test
  @DisplayName("async enqueue, ack: every acked message reaches the handler and is timed")
  void asyncAck(@TempDir Path out) throws Exception {
    StreamLatencyScenario.Options o = small(out, "async", "ack");
    StreamRun r = new StreamLatencyScenario(List.of(server.clientUrl()), true, o, null).run();
    assertNull(r.error());
    // 200/s for 2 recorded seconds, give or take the phase boundary
    assertTrue(r.acked() >= 390 && r.acked() <= 410, "" + r.acked());
    assertEquals(r.acked(), r.delivered());
    assertEquals(0, r.missingAcked());
    assertEquals(0, r.notAcked());
    assertEquals(r.delivered(), r.endToEnd().count(), "every recorded delivery is timed");
    assertEquals(r.acked(), r.enqueue().count(), "every recorded enqueue is timed");
    assertTrue(r.hiccup().count() > 0);
    assertTrue(Files.size(out.resolve(o.name() + "-latency.hlog")) > 0);
    assertTrue(Files.size(out.resolve(o.name() + "-enqueue.hlog")) > 0);
  }

  @Test
  @DisplayName("sync enqueue, ackSync: the same counts")
  void syncAckSync(@TempDir Path out) {
    StreamRun r =
        new StreamLatencyScenario(
                List.of(server.clientUrl()), true, small(out, "sync", "ackSync"), null)
            .run();
    assertNull(r.error());
    assertTrue(r.acked() > 0);
    assertEquals(r.acked(), r.delivered());
  }

  @Test
  @DisplayName("negative control: a handler that acks without taking every 50th message is caught")
  void lossyHandlerIsAnError(@TempDir Path out) {
    StreamRun r =
        new StreamLatencyScenario(
                List.of(server.clientUrl()),
                true,
                small(out, "async", "ack").withDrainTimeout(java.time.Duration.ofSeconds(2)),
                null)
            .losingEvery(50)
            .run();
    assertNotNull(r.error());
    assertTrue(r.error().contains("never reached the handler"), r.error());
    assertTrue(r.missingAcked() >= 8, "" + r.missingAcked());
    assertTrue(r.delivered() < r.acked());
  }

  @Test
  @DisplayName("a server that is not there is an error, not an empty pass")
  void noServer(@TempDir Path out) {
    StreamRun r =
        new StreamLatencyScenario(
                List.of("nats://127.0.0.1:" + FreePorts.next()),
                false,
                small(out, "async", "ack"),
                null)
            .run();
    assertNotNull(r.error());
    assertEquals(0, r.delivered());
  }

  @Test
  @DisplayName("bad options name the problem")
  void badOptions() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> StreamRunSpec.EnqueueMode.of("batch"));
    assertTrue(e.getMessage().contains("sync or async"), e.getMessage());
  }
}
