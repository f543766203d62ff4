package dev.natsproof.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.chaos.workload.QueueWorkload;
import dev.natsproof.results.ChaosVerdict;
import dev.natsproof.results.Verdict;
import dev.natsproof.testkit.NatsServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Kill -9 rounds on one node during continuous sync and async enqueue and consume: nothing acked
 * may be lost, nothing unexpected may appear. With a no-fault control run and a negative control (a
 * broker that lies about acks) that must be caught.
 */
class ServerKillChaosIT {
  static final String SUITE = "server-kill";
  static final Schedule KILLS = Schedule.of(12, Duration.ofMillis(2500), Duration.ofMillis(200));
  NatsServer server;

  @BeforeEach
  void start() {
    server = NatsServer.startDefault();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  @DisplayName("control: no faults, everything acked is delivered")
  void control() {
    ChaosSupport.requirePass(
        ChaosSupport.run(
            SUITE,
            "control",
            Target.of(server),
            "queue-balanced",
            null,
            Schedule.control(Duration.ofSeconds(8))));
  }

  @Test
  @DisplayName("12 kill -9s under sync-heavy load: 0 lost, 0 unexpected")
  void killsSyncHeavy() {
    ChaosRun.Outcome o =
        ChaosSupport.run(
            SUITE, "kill9-sync-heavy", Target.of(server), "queue-sync-heavy", "kill-9", KILLS);
    ChaosVerdict v = ChaosSupport.requirePass(o);
    assertEquals(12, v.faults().size());
    // Every repull the broker counted is also on the run's clock, beside the kills.
    long repullOps =
        o.history().ops().stream()
            .filter(op -> op.is(ChaosRun.INTERVENE) && "repull".equals(op.value()))
            .count();
    assertTrue(v.interventions().repulls() > 0, "a kill -9 is followed by a repull");
    assertEquals(v.interventions().repulls(), repullOps);
  }

  @Test
  @DisplayName("12 kill -9s under async-heavy load: 0 lost, 0 unexpected")
  void killsAsyncHeavy() {
    ChaosVerdict v =
        ChaosSupport.requirePass(
            ChaosSupport.run(
                SUITE,
                "kill9-async-heavy",
                Target.of(server),
                "queue-async-heavy",
                "kill-9",
                KILLS));
    assertEquals(12, v.faults().size());
  }

  @Test
  @DisplayName("4 SIGTERM restarts: 0 lost, 0 unexpected")
  void sigterm() {
    ChaosSupport.requirePass(
        ChaosSupport.run(
            SUITE,
            "sigterm",
            Target.of(server),
            "queue-balanced",
            "sigterm",
            Schedule.of(4, Duration.ofMillis(2500), Duration.ofMillis(200))));
  }

  @Test
  @DisplayName(
      "negative control: a broker that fakes 1 ack in 500 is caught as FAIL with lost values")
  void lyingBrokerIsCaught() {
    Target t = Target.of(server);
    QueueWorkload w =
        ((QueueWorkload) Workloads.get("queue", t)).withWriters(b -> new LyingStreamBroker(b, 500));
    ChaosRun.Outcome o =
        ChaosRun.run(
            new ChaosRun.Spec(
                SUITE,
                "negative-lying-broker",
                w,
                Nemeses.get("kill-9", t, w.streamName()),
                Schedule.of(2, Duration.ofMillis(1500), Duration.ofMillis(200)),
                t.brokers(),
                true,
                ChaosRun.defaultOut()));
    ChaosSupport.print(o);
    assertEquals(Verdict.FAIL, o.verdict().verdict(), o.verdict().reasons().toString());
    assertTrue(o.verdict().count("lost") > 0);
  }
}
