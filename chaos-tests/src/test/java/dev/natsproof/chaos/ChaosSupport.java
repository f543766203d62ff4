package dev.natsproof.chaos;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.chaos.nemesis.Nemesis;
import dev.natsproof.results.ChaosVerdict;
import dev.natsproof.results.GateEngine;
import dev.natsproof.results.GateLimits;
import dev.natsproof.results.GateResult;
import dev.natsproof.results.Verdict;
import java.util.List;

/** The suites' one way to run a combination and to require its outcome. */
final class ChaosSupport {
  private ChaosSupport() {}

  /** Runs workload × nemesis × schedule on the target. */
  static ChaosRun.Outcome run(
      String suite, String run, Target t, String workload, String nemesis, Schedule schedule) {
    ChaosWorkload w = Workloads.get(workload, t);
    Nemesis n = nemesis == null ? null : Nemeses.get(nemesis, t, w.streamName());
    return ChaosRun.run(
        new ChaosRun.Spec(suite, run, w, n, schedule, t.brokers(), false, ChaosRun.defaultOut()));
  }

  /** The run's line in the build log: what a CI log must show when the history stays behind. */
  static void print(ChaosRun.Outcome o) {
    ChaosVerdict v = o.verdict();
    System.out.printf(
        "CHAOS %s/%s [%s × %s] on %s: %s %s counts=%s heal->ack ms=%s heal->delivery ms=%s (%d"
            + " ms) interventions=%s findings=%s -> %s%n",
        v.suite(),
        v.run(),
        v.workload(),
        v.nemesis(),
        v.provenance().natsServerVersion(),
        v.verdict(),
        v.reasons(),
        v.counts(),
        v.recoveryToFirstAckMs(),
        v.recoveryToFirstDeliveryMs(),
        v.durationMs(),
        v.interventions(),
        v.findings().stream().map(f -> f.id() + "=" + f.count() + ":" + f.verdict()).toList(),
        o.dir());
    if (v.verdict().blocking()) {
      System.out.println("CHAOS post-mortem " + v.postMortem());
    }
  }

  /**
   * PASS, or INFO: a run whose every failure is a finding expected on the server's version (with
   * the finding in the verdict). FAIL and UNKNOWN fail the test with the reasons and post-mortem.
   */
  static ChaosVerdict requirePass(ChaosRun.Outcome o) {
    print(o);
    ChaosVerdict v = o.verdict();
    assertTrue(
        v.verdict() == Verdict.PASS || v.verdict() == Verdict.INFO,
        v.verdict() + " " + v.reasons() + " post-mortem: " + v.postMortem());
    // The report's gates for this run (recovery after each heal, findings) must agree.
    List<GateResult> blocking =
        GateEngine.chaos(v, GateLimits.defaults()).stream().filter(GateResult::blocking).toList();
    assertTrue(blocking.isEmpty(), "the run passed its checkers but not its gates: " + blocking);
    return v;
  }
}
