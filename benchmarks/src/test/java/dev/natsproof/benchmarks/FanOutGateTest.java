package dev.natsproof.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The gate on synthetic histograms: it must be able to say each of PASS, FAIL and UNKNOWN. */
class FanOutGateTest {
  static final Workload W = Workload.bundled("rooms-100x10-30hz-200b");

  static Percentiles uniform(long fromMicros, long toMicros, int n) {
    Histogram h = new Histogram(3);
    for (int i = 0; i < n; i++) {
      h.recordValue(fromMicros + (toMicros - fromMicros) * i / Math.max(1, n - 1));
    }
    return Percentiles.of(h);
  }

  static FanOutResult result(
      long expected, long delivered, Percentiles latency, Percentiles hiccup, String error) {
    return new FanOutResult(
        W,
        null,
        "broker",
        expected / 10,
        expected,
        delivered,
        Math.max(0, expected - delivered),
        latency,
        uniform(0, 100, 100),
        hiccup,
        0,
        0,
        1000,
        1000,
        error);
  }

  static final Percentiles QUIET = uniform(10, 200, 1000);

  @Test
  @DisplayName("all delivered, p99 under the limit, quiet control: PASS")
  void pass() {
    var o =
        FanOutGate.evaluate(
            result(1000, 1000, uniform(100, 5000, 1000), QUIET, null), 10_000, 1000);
    assertEquals(Verdict.PASS, o.verdict(), o.toString());
  }

  @Test
  @DisplayName("p99 over the limit with a quiet control: FAIL")
  void slowFails() {
    // 5% of deliveries at 20 ms put p99 at 20 ms.
    Histogram h = new Histogram(3);
    h.recordValueWithCount(500, 950);
    h.recordValueWithCount(20_000, 50);
    var o = FanOutGate.evaluate(result(1000, 1000, Percentiles.of(h), QUIET, null), 10_000, 1000);
    assertEquals(Verdict.FAIL, o.verdict());
    assertTrue(o.reasons().get(0).contains("p99"), o.toString());
  }

  @Test
  @DisplayName("one missing delivery fails even when latency is perfect")
  void missingFails() {
    var o =
        FanOutGate.evaluate(result(1000, 999, uniform(100, 200, 999), QUIET, null), 10_000, 1000);
    assertEquals(Verdict.FAIL, o.verdict());
    assertTrue(o.reasons().get(0).contains("missing deliveries: 1"), o.toString());
  }

  @Test
  @DisplayName("nothing delivered is a FAIL, nothing published is UNKNOWN")
  void nothing() {
    assertEquals(
        Verdict.FAIL,
        FanOutGate.evaluate(result(1000, 0, Percentiles.EMPTY, QUIET, null), 10_000, 1000)
            .verdict());
    assertEquals(
        Verdict.UNKNOWN,
        FanOutGate.evaluate(result(0, 0, Percentiles.EMPTY, QUIET, null), 10_000, 1000).verdict());
  }

  @Test
  @DisplayName("a stalling hiccup control makes the latency verdict UNKNOWN, pass or fail")
  void noisyPlatformUnknown() {
    Percentiles noisy = uniform(100, 30_000, 1000);
    assertEquals(
        Verdict.UNKNOWN,
        FanOutGate.evaluate(result(1000, 1000, uniform(100, 900, 1000), noisy, null), 10_000, 1000)
            .verdict());
    assertEquals(
        Verdict.UNKNOWN,
        FanOutGate.evaluate(
                result(1000, 1000, uniform(100, 90_000, 1000), noisy, null), 10_000, 1000)
            .verdict());
  }

  @Test
  @DisplayName("a run that errored is a FAIL whatever its numbers")
  void errorFails() {
    var o =
        FanOutGate.evaluate(
            result(1000, 1000, uniform(1, 2, 1000), QUIET, "IOException: boom"), 10_000, 1000);
    assertEquals(Verdict.FAIL, o.verdict());
  }

  @Test
  @DisplayName("more deliveries than frames × players is a FAIL (a frame delivered twice)")
  void duplicatesFail() {
    var o = FanOutGate.evaluate(result(1000, 1001, uniform(1, 2, 1001), QUIET, null), 10_000, 1000);
    assertEquals(Verdict.FAIL, o.verdict());
  }
}
