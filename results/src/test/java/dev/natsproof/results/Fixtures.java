package dev.natsproof.results;

import java.util.List;
import java.util.Map;

/** Hand-made results for the contract's tests: every number chosen, nothing measured. */
final class Fixtures {
  private Fixtures() {}

  static Provenance provenance(String version) {
    return new Provenance(
        version,
        "nats://127.0.0.1:4222",
        true,
        "default",
        "2.26.2",
        "17",
        2,
        "abc",
        "2026-12-02",
        "w");
  }

  static Workload workload(long gateP99Micros) {
    return new Workload(
        "rooms-10x10-30hz-200b",
        10,
        10,
        30,
        200,
        1,
        2,
        4,
        1,
        gateP99Micros,
        Workload.Layout.GATEWAY,
        1000,
        Workload.DEFAULT_VARIANTS,
        0);
  }

  static Percentiles latency(long p99Micros) {
    return new Percentiles(
        6000, p99Micros / 3, p99Micros / 2, p99Micros, p99Micros * 2, p99Micros * 3);
  }

  static FanOutRun fanOut(long p99Micros, long hiccupP99Micros, long missing, long gate) {
    return new FanOutRun(
        workload(gate),
        provenance("2.9.10"),
        FanOutClient.BROKER,
        600,
        6000,
        6000 - missing,
        missing,
        0,
        Percentiles.EMPTY,
        latency(p99Micros),
        latency(50),
        new Percentiles(2000, 60, 70, hiccupP99Micros, hiccupP99Micros, hiccupP99Micros),
        0,
        0,
        1500,
        -1,
        3000,
        null,
        List.of());
  }

  static ChaosVerdict chaos(
      String nemesis, Verdict verdict, long lost, List<FindingCount> findings, boolean negative) {
    return chaos("server-kill", "2.9.10", nemesis, verdict, lost, findings, negative);
  }

  /** A chaos verdict of {@code suite}, measured on {@code version}. */
  static ChaosVerdict chaos(
      String suite,
      String version,
      String nemesis,
      Verdict verdict,
      long lost,
      List<FindingCount> findings,
      boolean negative) {
    return new ChaosVerdict(
        suite,
        "kill9",
        "queue",
        nemesis,
        negative,
        true,
        true,
        verdict,
        List.of(verdict + " by hand"),
        List.of(
            new CheckResult(
                "queue",
                verdict,
                List.of("by hand"),
                Map.of("acked", 100L, "lost", lost),
                Map.of())),
        Map.of("acked", 100L, "delivered", 100L - lost, "lost", lost),
        List.of(new FaultWindow(nemesis, 1, 1000, 1200, 300L, 150L, 5000L, List.of())),
        findings,
        Interventions.NONE,
        "",
        Map.of(),
        provenance(version),
        5000);
  }
}
