package dev.natsproof.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The fan-out gate of {@link GateEngine} on synthetic histograms: it must be able to say each of
 * PASS, FAIL and UNKNOWN.
 */
class FanOutGateTest {
  static final Workload W = Workload.bundled("rooms-100x10-30hz-200b");
  static final GateLimits LIMITS = GateLimits.defaults();

  static Percentiles uniform(long fromMicros, long toMicros, int n) {
    Histogram h = new Histogram(3);
    for (int i = 0; i < n; i++) {
      h.recordValue(fromMicros + (toMicros - fromMicros) * i / Math.max(1, n - 1));
    }
    return Percentiles.of(h);
  }

  static FanOutRun result(
      long expected, long delivered, Percentiles latency, Percentiles hiccup, String error) {
    return new FanOutRun(
        W,
        null,
        FanOutClient.BROKER,
        expected / 10,
        expected,
        delivered,
        Math.max(0, expected - delivered),
        0,
        Percentiles.EMPTY,
        latency,
        uniform(0, 100, 100),
        hiccup,
        0,
        0,
        1000,
        -1,
        1000,
        error,
        java.util.List.of());
  }

  static final Percentiles QUIET = uniform(10, 200, 1000);

  @Test
  @DisplayName("all delivered, p99 under the limit, quiet control: PASS")
  void pass() {
    var o = GateEngine.fanOut(result(1000, 1000, uniform(100, 5000, 1000), QUIET, null), LIMITS);
    assertEquals(Verdict.PASS, o.verdict(), o.toString());
  }

  @Test
  @DisplayName("p99 over the limit with a quiet control: FAIL")
  void slowFails() {
    // 5% of deliveries at 20 ms put p99 at 20 ms.
    Histogram h = new Histogram(3);
    h.recordValueWithCount(500, 950);
    h.recordValueWithCount(20_000, 50);
    var o = GateEngine.fanOut(result(1000, 1000, Percentiles.of(h), QUIET, null), LIMITS);
    assertEquals(Verdict.FAIL, o.verdict());
    assertTrue(o.detail().contains("p99"), o.toString());
  }

  @Test
  @DisplayName("one missing delivery fails even when latency is perfect")
  void missingFails() {
    var o = GateEngine.fanOut(result(1000, 999, uniform(100, 200, 999), QUIET, null), LIMITS);
    assertEquals(Verdict.FAIL, o.verdict());
    assertTrue(o.detail().contains("missing deliveries: 1"), o.toString());
  }

  @Test
  @DisplayName("nothing delivered is a FAIL, nothing published is UNKNOWN")
  void nothing() {
    assertEquals(
        Verdict.FAIL,
        GateEngine.fanOut(result(1000, 0, Percentiles.EMPTY, QUIET, null), LIMITS).verdict());
    assertEquals(
        Verdict.UNKNOWN,
        GateEngine.fanOut(result(0, 0, Percentiles.EMPTY, QUIET, null), LIMITS).verdict());
  }

  @Test
  @DisplayName("a stalling hiccup control makes the latency verdict UNKNOWN, pass or fail")
  void noisyPlatformUnknown() {
    Percentiles noisy = uniform(100, 30_000, 1000);
    assertEquals(
        Verdict.UNKNOWN,
        GateEngine.fanOut(result(1000, 1000, uniform(100, 900, 1000), noisy, null), LIMITS)
            .verdict());
    assertEquals(
        Verdict.UNKNOWN,
        GateEngine.fanOut(result(1000, 1000, uniform(100, 90_000, 1000), noisy, null), LIMITS)
            .verdict());
  }

  @Test
  @DisplayName("a run that errored is a FAIL whatever its numbers")
  void errorFails() {
    var o =
        GateEngine.fanOut(
            result(1000, 1000, uniform(1, 2, 1000), QUIET, "IOException: boom"), LIMITS);
    assertEquals(Verdict.FAIL, o.verdict());
  }

  @Test
  @DisplayName("more deliveries than frames × players is a FAIL (a frame delivered twice)")
  void duplicatesFail() {
    var o = GateEngine.fanOut(result(1000, 1001, uniform(1, 2, 1001), QUIET, null), LIMITS);
    assertEquals(Verdict.FAIL, o.verdict());
  }
}
