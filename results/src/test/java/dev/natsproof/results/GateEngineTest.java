package dev.natsproof.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gates, each shown to say PASS and to say FAIL or UNKNOWN when it should. */
class GateEngineTest {
  @TempDir Path dir;
  static final GateLimits LIMITS = GateLimits.defaults();

  @Test
  @DisplayName("fan-out: within the limit with a quiet platform and every delivery is PASS")
  void fanOutPasses() {
    assertEquals(
        Verdict.PASS, GateEngine.fanOut(Fixtures.fanOut(2000, 200, 0, 10_000), LIMITS).verdict());
  }

  @Test
  @DisplayName("fan-out: p99 over the limit is FAIL")
  void fanOutTooSlow() {
    GateResult g = GateEngine.fanOut(Fixtures.fanOut(12_000, 200, 0, 10_000), LIMITS);
    assertEquals(Verdict.FAIL, g.verdict(), g.toString());
  }

  @Test
  @DisplayName("fan-out: a workload's own limit applies on every path (1 µs fails a 2 ms run)")
  void workloadLimitApplies() {
    GateResult g = GateEngine.fanOut(Fixtures.fanOut(2000, 200, 0, 1), LIMITS);
    assertEquals(Verdict.FAIL, g.verdict(), g.toString());
    assertTrue(g.detail().contains("limit 1 µs"), g.detail());
  }

  @Test
  @DisplayName("fan-out: a stalled platform makes the gate UNKNOWN with advice, even when fast")
  void stalledPlatform() {
    GateResult g = GateEngine.fanOut(Fixtures.fanOut(2000, 5000, 0, 10_000), LIMITS);
    assertEquals(Verdict.UNKNOWN, g.verdict());
    assertTrue(g.advice().contains("quieter machine"), g.advice());
  }

  @Test
  @DisplayName("fan-out: one missing delivery is FAIL, whatever the latency")
  void missingDelivery() {
    assertEquals(
        Verdict.FAIL, GateEngine.fanOut(Fixtures.fanOut(500, 100, 1, 10_000), LIMITS).verdict());
  }

  @Test
  @DisplayName("chaos: an acked loss no finding explains is FAIL")
  void chaosLoss() {
    var gates =
        GateEngine.chaos(Fixtures.chaos("kill-9", Verdict.FAIL, 3, List.of(), false), LIMITS);
    assertTrue(
        gates.stream()
            .anyMatch(
                g -> g.gate().endsWith("lost/stalled/unexpected") && g.verdict() == Verdict.FAIL),
        gates.toString());
  }

  @Test
  @DisplayName("chaos: a loss every expected finding explains is INFO, the finding listed")
  void chaosExplainedLoss() {
    FindingCount reuse = Findings.judge(Findings.SEQUENCE_REUSE, 3, ServerVersion.parse("2.9.10"));
    var gates =
        GateEngine.chaos(
            Fixtures.chaos("partition", Verdict.INFO, 3, List.of(reuse), false), LIMITS);
    assertTrue(gates.stream().noneMatch(GateResult::blocking), gates.toString());
    assertTrue(gates.stream().anyMatch(g -> g.gate().contains("finding sequence-reuse")));
  }

  @Test
  @DisplayName("chaos: a negative control that was not caught is FAIL; caught is PASS")
  void negativeControl() {
    assertEquals(
        Verdict.FAIL,
        GateEngine.chaos(Fixtures.chaos("kill-9", Verdict.PASS, 0, List.of(), true), LIMITS)
            .get(0)
            .verdict());
    assertEquals(
        Verdict.PASS,
        GateEngine.chaos(Fixtures.chaos("kill-9", Verdict.FAIL, 5, List.of(), true), LIMITS)
            .get(0)
            .verdict());
  }

  @Test
  @DisplayName(
      "single-server restarts: p50 over 1 s is FAIL; with a 2 s limit for fresh first deliveries"
          + " a 2.5 s one FAILs while a redelivery first (an ack wait) may take up to 4 s, not more")
  void singleNodeRecovery() {
    ChaosVerdict fast = Fixtures.chaos("kill-9", Verdict.PASS, 0, List.of(), false);
    assertEquals(
        Verdict.PASS, GateEngine.singleNodeRecovery(List.of(fast), LIMITS).get(0).verdict());
    assertEquals(
        Verdict.PASS,
        GateEngine.singleNodeRecovery(
                List.of(withFaults(fast, List.of(restart(200, 1), restart(2030, 1)))), LIMITS)
            .get(0)
            .verdict(),
        "by default a fresh first delivery may wait 4 s (for something to deliver)");

    GateResult freshSlow = recovery(fast, restart(200, 1), restart(2500, 1), restart(150, 1));
    assertEquals(Verdict.FAIL, freshSlow.verdict(), freshSlow.detail());
    assertTrue(freshSlow.detail().contains("max 2.50 s (limit 2.00 s)"), freshSlow.detail());

    GateResult ackWait = recovery(fast, restart(200, 1), restart(2500, 2), restart(150, 1));
    assertEquals(Verdict.PASS, ackWait.verdict(), ackWait.detail());
    assertTrue(ackWait.detail().contains("1 of them began with a redelivery"), ackWait.detail());
    assertTrue(ackWait.detail().contains("max 2.50 s (limit 4.00 s)"), ackWait.detail());

    GateResult unknownCount = recovery(fast, restart(200, 1), restart(2500, 0), restart(150, 1));
    assertEquals(Verdict.FAIL, unknownCount.verdict(), "no count known: the 2 s limit holds");

    GateResult tooSlow = recovery(fast, restart(200, 1), restart(4500, 3), restart(150, 1));
    assertEquals(Verdict.FAIL, tooSlow.verdict(), tooSlow.detail());
    assertTrue(tooSlow.detail().contains("max 4.50 s (limit 4.00 s)"), tooSlow.detail());

    GateResult slowMedian = recovery(fast, restart(1200, 1), restart(1300, 1), restart(150, 1));
    assertEquals(Verdict.FAIL, slowMedian.verdict(), slowMedian.detail());
    assertTrue(slowMedian.detail().contains("p50 1.20 s"), slowMedian.detail());
  }

  @Test
  @DisplayName(
      "a run whose work-queue stream reset its sequence is judged by that finding: its slow"
          + " restarts are left out of the recovery gate, and the gate says so")
  void sequenceResetRunIsLeftOut() {
    ChaosVerdict reset =
        withFaults(
            Fixtures.chaos(
                "kill-9",
                Verdict.INFO,
                10,
                List.of(
                    Findings.judge(
                        Findings.WORK_QUEUE_SEQUENCE_RESET, 10, ServerVersion.parse("2.10.27"))),
                false),
            List.of(restart(6410, 1), restart(3150, 1)));
    ChaosVerdict fine =
        withFaults(
            Fixtures.chaos("kill-9", Verdict.PASS, 0, List.of(), false),
            List.of(restart(200, 1), restart(300, 1)));
    GateResult g = GateEngine.singleNodeRecovery(List.of(reset, fine), LIMITS).get(0);
    assertEquals(Verdict.PASS, g.verdict(), g.detail());
    assertTrue(g.detail().contains("over 2 restarts"), g.detail());
    assertTrue(g.detail().contains("the restarts of 1 run(s) not counted"), g.detail());
    GateResult without =
        GateEngine.singleNodeRecovery(
                List.of(
                    withFaults(
                        Fixtures.chaos("kill-9", Verdict.PASS, 0, List.of(), false),
                        List.of(restart(6410, 1))),
                    fine),
                LIMITS)
            .get(0);
    assertEquals(Verdict.FAIL, without.verdict(), "the same restart without the finding fails");
  }

  /** The split limits at work: fresh restarts held to 2 s here, redelivered ones to 4 s. */
  static final GateLimits SPLIT =
      GateLimits.of(Map.of("singleNodeRecoveryMaxMillis", 2000), "GateEngineTest");

  private static GateResult recovery(ChaosVerdict c, FaultWindow... faults) {
    return GateEngine.singleNodeRecovery(List.of(withFaults(c, List.of(faults))), SPLIT).get(0);
  }

  /**
   * A kill -9 whose first delivery came {@code ms} after the heal with delivery count {@code count}
   * (0: not known), watched for 5 s.
   */
  static FaultWindow restart(long ms, long count) {
    return new FaultWindow(
        "kill-9", 1, 0, 10, 300L, ms, count == 0 ? null : count, 5000L, List.of());
  }

  static ChaosVerdict withFaults(ChaosVerdict fast, List<FaultWindow> faults) {
    return new ChaosVerdict(
        fast.suite(),
        fast.run(),
        fast.workload(),
        fast.nemesis(),
        false,
        true,
        true,
        fast.verdict(),
        fast.reasons(),
        fast.checks(),
        fast.counts(),
        faults,
        fast.findings(),
        fast.interventions(),
        "",
        Map.of(),
        fast.provenance(),
        1);
  }

  @Test
  @DisplayName("a heal followed by no acked write is a recovery FAIL, not a -1 measurement")
  void noRecovery() {
    ChaosVerdict c = Fixtures.chaos("kill-9", Verdict.PASS, 0, List.of(), false);
    ChaosVerdict none =
        new ChaosVerdict(
            c.suite(),
            c.run(),
            c.workload(),
            c.nemesis(),
            false,
            true,
            true,
            c.verdict(),
            c.reasons(),
            c.checks(),
            c.counts(),
            List.of(new FaultWindow("kill-9", 1, 0, 10, null, null, 20_000L, List.of())),
            c.findings(),
            c.interventions(),
            "",
            Map.of(),
            c.provenance(),
            1);
    var gates = GateEngine.chaos(none, LIMITS);
    GateResult rec =
        gates.stream().filter(g -> g.gate().endsWith("recovery")).findFirst().orElseThrow();
    assertEquals(Verdict.FAIL, rec.verdict());
    assertTrue(rec.detail().contains("no acked write"), rec.detail());
  }

  static ChaosVerdict noAckAfterHeal(boolean writes, boolean consumes, Long loadAfterHealMs) {
    ChaosVerdict c = Fixtures.chaos("kill-9", Verdict.PASS, 0, List.of(), false);
    return new ChaosVerdict(
        c.suite(),
        c.run(),
        c.workload(),
        c.nemesis(),
        false,
        writes,
        consumes,
        c.verdict(),
        c.reasons(),
        c.checks(),
        c.counts(),
        List.of(new FaultWindow("kill-9", 1, 0, 10, null, null, loadAfterHealMs, List.of())),
        c.findings(),
        c.interventions(),
        "",
        Map.of(),
        c.provenance(),
        1);
  }

  @Test
  @DisplayName(
      "no ack after a heal is judged only when the load went on long enough and the workload"
          + " writes throughout; the same with 20 s of load is FAIL")
  void recoveryOnlyWhenWatched() {
    GateResult shortLoad =
        GateEngine.chaos(noAckAfterHeal(true, true, 2_000L), LIMITS).stream()
            .filter(g -> g.gate().endsWith("recovery"))
            .findFirst()
            .orElseThrow();
    assertEquals(Verdict.PASS, shortLoad.verdict(), shortLoad.detail());
    assertTrue(shortLoad.detail().contains("not judged"), shortLoad.detail());
    assertTrue(
        GateEngine.chaos(noAckAfterHeal(false, true, 20_000L), LIMITS).stream()
            .noneMatch(g -> g.gate().endsWith("recovery")),
        "a batch workload owes no ack after a heal");
    assertEquals(
        Verdict.FAIL,
        GateEngine.chaos(noAckAfterHeal(true, true, 20_000L), LIMITS).stream()
            .filter(g -> g.gate().endsWith("recovery"))
            .findFirst()
            .orElseThrow()
            .verdict());
    assertEquals(
        Verdict.FAIL,
        GateEngine.singleNodeRecovery(List.of(noAckAfterHeal(true, true, 20_000L)), LIMITS)
            .get(0)
            .verdict(),
        "a restart watched for 20 s with no delivery");
    assertTrue(
        GateEngine.singleNodeRecovery(List.of(noAckAfterHeal(true, false, 20_000L)), LIMITS)
            .isEmpty(),
        "a workload that reads at the end owes no delivery after a restart");
  }

  @Test
  @DisplayName("an empty folder is UNKNOWN")
  void emptyFolder() {
    assertEquals(Verdict.UNKNOWN, GateEngine.evaluate(ResultsDir.at(dir).read(), LIMITS).overall());
  }

  @Test
  @DisplayName("the gates file is strict: an unknown key names the allowed ones")
  void strictGatesFile() throws Exception {
    Path f = dir.resolve("gates.yaml");
    Files.writeString(f, "fanoutP99Micro: 5000\n");
    ResultsFormatException e =
        assertThrows(ResultsFormatException.class, () -> GateLimits.parse(f));
    assertTrue(
        e.getMessage().contains("fanoutP99Micro") && e.getMessage().contains("fanoutP99Micros"));
    Files.writeString(f, "fanoutP99Micros: 1500\n");
    assertEquals(1500, GateLimits.parse(f).fanoutP99Micros());
    assertEquals(
        Verdict.FAIL,
        GateEngine.fanOut(Fixtures.fanOut(2000, 200, 0, 10_000), GateLimits.parse(f)).verdict());
  }
}
