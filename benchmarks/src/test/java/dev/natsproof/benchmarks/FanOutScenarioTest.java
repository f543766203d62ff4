package dev.natsproof.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.testkit.NatsServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short smoke of the open-loop engine against a real server. It checks what does not depend on
 * the machine's speed: every frame is delivered to every player and counted once, the files are
 * written, and a deliberately slowed path is caught by the gate.
 */
class FanOutScenarioTest {
  static NatsServer server;
  static final Workload SMALL =
      new Workload(
          "smoke-20x5-30hz-64b", 20, 5, 30, 64, 1, 2, 2, 1, 10_000, Workload.Layout.GATEWAY, 1000);

  @BeforeAll
  static void start() {
    server = NatsServer.startDefault();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  @DisplayName("every frame reaches every player of its room exactly once, via the broker")
  void allDeliveredBroker(@TempDir Path out) throws Exception {
    FanOutResult r =
        new FanOutScenario(
                SMALL,
                List.of(server.clientUrl()),
                true,
                FanOutScenario.Options.defaults(out),
                null)
            .run();
    assertNull(r.error());
    // 20 rooms × 30 Hz × 2 s, give or take the frames at the phase boundaries.
    assertTrue(
        r.framesPublished() >= 1150 && r.framesPublished() <= 1250, "" + r.framesPublished());
    assertEquals(r.framesPublished() * 5, r.expectedDeliveries());
    assertEquals(r.expectedDeliveries(), r.deliveries());
    assertEquals(r.deliveries(), r.latency().count(), "every delivery is in the histogram");
    assertTrue(r.hiccup().count() > 0);
    assertEquals(
        "2.9.10".split("\\.").length, r.provenance().natsServerVersion().split("\\.").length);
    assertTrue(Files.size(out.resolve(SMALL.name() + "-broker-fanout-latency.hlog")) > 0);
  }

  @Test
  @DisplayName("raw jnats with a subscription per player delivers the same counts")
  void allDeliveredRaw(@TempDir Path out) {
    FanOutResult r =
        new FanOutScenario(
                SMALL.withLayout(Workload.Layout.PLAYER_SUBSCRIPTIONS, 3),
                List.of(server.clientUrl()),
                true,
                FanOutScenario.Options.defaults(out).withVariant("raw-jnats"),
                null)
            .run();
    assertNull(r.error());
    assertEquals(r.expectedDeliveries(), r.deliveries());
    assertTrue(r.deliveries() > 0);
  }

  @Test
  @DisplayName("negative control: a publish path slowed by 15 ms makes the latency gate FAIL")
  void slowedPathFails(@TempDir Path out) {
    Workload tiny =
        new Workload(
            "slowed-2x2-30hz-64b", 2, 2, 30, 64, 0, 1, 1, 1, 10_000, Workload.Layout.GATEWAY, 1);
    FanOutResult r =
        new FanOutScenario(
                tiny,
                List.of(server.clientUrl()),
                true,
                FanOutScenario.Options.defaults(out).withPublishDelay(Duration.ofMillis(15)),
                null)
            .run();
    assertTrue(r.deliveries() > 0);
    assertTrue(r.latency().p50Micros() >= 15_000, r.latency().toString());
    // The hiccup limit is lifted here: this control is about the latency path alone.
    FanOutGate.Outcome o = FanOutGate.evaluate(r, 10_000, Long.MAX_VALUE);
    assertEquals(Verdict.FAIL, o.verdict(), o.toString());
  }

  @Test
  @DisplayName("a frame's phase: warm-up before the recorded start, recorded from it on")
  void phase() {
    assertEquals(0, FanOutScenario.phase(9, 10));
    assertEquals(1, FanOutScenario.phase(10, 10));
    assertEquals(1, FanOutScenario.phase(11, 10));
    assertEquals(0, FanOutScenario.phase(-5, 1_000_000_000L));
    assertEquals(1, FanOutScenario.phase(2_000_000_000L, 1_000_000_000L));
  }

  @Test
  @DisplayName("a server that is not there makes the run fail, not pass with zero deliveries")
  void noServer(@TempDir Path out) {
    FanOutResult r =
        new FanOutScenario(
                SMALL,
                List.of("nats://127.0.0.1:" + dev.natsproof.testkit.FreePorts.next()),
                false,
                FanOutScenario.Options.defaults(out),
                null)
            .run();
    assertTrue(r.error() != null);
    assertEquals(Verdict.FAIL, FanOutGate.evaluate(r, 10_000, 1_000).verdict());
  }
}
