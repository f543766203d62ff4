package dev.natsproof.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.results.FanOutClient;
import dev.natsproof.results.FanOutRun;
import dev.natsproof.results.GateEngine;
import dev.natsproof.results.GateLimits;
import dev.natsproof.results.GateResult;
import dev.natsproof.results.ResultsDir;
import dev.natsproof.results.Verdict;
import dev.natsproof.results.Workload;
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
          "smoke-20x5-30hz-64b",
          20,
          5,
          30,
          64,
          1,
          2,
          2,
          1,
          10_000,
          Workload.Layout.GATEWAY,
          1000,
          Workload.DEFAULT_VARIANTS,
          0);

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
    FanOutRun r =
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
    assertTrue(
        Files.size(out.resolve(ResultsDir.fanOutLatencyLog(SMALL.name(), FanOutClient.BROKER)))
            > 0);
    assertEquals(0, r.framesReplaced(), "plain subscriptions replace nothing");
  }

  @Test
  @DisplayName("raw jnats with a subscription per player delivers the same counts")
  void allDeliveredRaw(@TempDir Path out) {
    FanOutRun r =
        new FanOutScenario(
                SMALL.withLayout(Workload.Layout.PLAYER_SUBSCRIPTIONS, 3),
                List.of(server.clientUrl()),
                true,
                FanOutScenario.Options.defaults(out).withClient(FanOutClient.RAW_JNATS),
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
            "slowed-2x2-30hz-64b",
            2,
            2,
            30,
            64,
            0,
            1,
            1,
            1,
            10_000,
            Workload.Layout.GATEWAY,
            1,
            List.of(FanOutClient.BROKER),
            0);
    FanOutRun r =
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
    GateResult o = GateEngine.fanOut(r, GateLimits.defaults().withHiccupP99Micros(Long.MAX_VALUE));
    assertEquals(Verdict.FAIL, o.verdict(), o.toString());
  }

  @Test
  @DisplayName("a frame's phase: warm-up before the recorded start, recorded from it on")
  void phase() {
    assertEquals(0, OpenLoop.phaseOf(9, 10));
    assertEquals(1, OpenLoop.phaseOf(10, 10));
    assertEquals(1, OpenLoop.phaseOf(11, 10));
    assertEquals(0, OpenLoop.phaseOf(-5, 1_000_000_000L));
    assertEquals(1, OpenLoop.phaseOf(2_000_000_000L, 1_000_000_000L));
  }

  @Test
  @DisplayName("a server that is not there makes the run fail, not pass with zero deliveries")
  void noServer(@TempDir Path out) {
    FanOutRun r =
        new FanOutScenario(
                SMALL,
                List.of("nats://127.0.0.1:" + dev.natsproof.testkit.FreePorts.next()),
                false,
                FanOutScenario.Options.defaults(out),
                null)
            .run();
    assertTrue(r.error() != null);
    assertEquals(Verdict.FAIL, GateEngine.fanOut(r, GateLimits.defaults()).verdict());
  }

  @Test
  @DisplayName(
      "latest-only with a slow gateway handler: frames replaced and counted, none missing, none"
          + " out of order, and the handler's frames are at most a few ticks old")
  void latestOnlyReplaces(@TempDir Path out) {
    // 5 ms of handler work per room frame, 20 rooms on 2 connections at 30 Hz: ~300 ms of work per
    // second per connection's rooms, more than a handler thread pool keeps up with at its share.
    Workload slow =
        new Workload(
            "slow-20x5-30hz-64b",
            20,
            5,
            30,
            64,
            1,
            2,
            1,
            1,
            10_000,
            Workload.Layout.GATEWAY,
            1000,
            List.of(FanOutClient.BROKER_LATEST),
            40_000);
    FanOutRun r =
        new FanOutScenario(
                slow,
                List.of(server.clientUrl()),
                true,
                FanOutScenario.Options.defaults(out).withClient(FanOutClient.BROKER_LATEST),
                null)
            .run();
    assertNull(r.error(), r.error());
    assertTrue(r.framesReplaced() > 0, "a 40 ms handler at 33 ms ticks must replace: " + r);
    System.out.println("LATEST " + r);
    assertEquals(0, r.missingDeliveries(), "every frame handed over or replaced by design");
    assertEquals(
        r.expectedDeliveries(),
        r.deliveries() + r.framesReplaced() * slow.playersPerRoom(),
        "deliveries plus replaced frames account for every frame");
    assertTrue(r.frameAgeAtHandler().count() > 0);
  }
}
