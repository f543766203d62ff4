package dev.natsproof.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The interval of a ratio from alternating rounds, and the gate that judges it. */
class RatioTest {
  static final GateLimits LIMITS = GateLimits.defaults();

  @Test
  @DisplayName("the median and a seeded interval that holds it; fewer than 3 rounds: no interval")
  void interval() {
    Ratio r = Ratio.of(List.of(1.10, 0.90, 1.00, 1.05, 0.95));
    assertEquals(1.00, r.median(), 1e-9);
    assertTrue(r.low() <= r.median() && r.median() <= r.high(), r.describe());
    assertEquals(r, Ratio.of(List.of(1.10, 0.90, 1.00, 1.05, 0.95)), "deterministic");
    Ratio two = Ratio.of(List.of(1.0, 2.0));
    assertNull(two.low());
    assertEquals(Verdict.UNKNOWN, two.atLeast(0.95));
    assertEquals(Verdict.UNKNOWN, two.atMost(1.5));
  }

  @Test
  @DisplayName(
      "a floor (throughput): FAIL only when the whole interval is below it, PASS when all of it"
          + " reaches it, INFO when the rounds cannot tell")
  void floor() {
    assertEquals(Verdict.FAIL, Ratio.of(List.of(0.80, 0.82, 0.79, 0.81, 0.80)).atLeast(0.95));
    assertEquals(Verdict.PASS, Ratio.of(List.of(1.00, 0.99, 1.02, 0.98, 1.01)).atLeast(0.95));
    assertEquals(Verdict.INFO, Ratio.of(List.of(0.70, 1.20, 0.90, 1.10, 0.80)).atLeast(0.95));
  }

  @Test
  @DisplayName("a ceiling (p99, CPU): FAIL only when the whole interval is above it")
  void ceiling() {
    assertEquals(Verdict.FAIL, Ratio.of(List.of(30.0, 28.0, 31.0)).atMost(1.5));
    assertEquals(Verdict.PASS, Ratio.of(List.of(1.02, 0.97, 1.10)).atMost(1.5));
    assertEquals(Verdict.INFO, Ratio.of(List.of(0.9, 2.5, 1.2, 1.8, 1.0)).atMost(1.5));
  }

  @Test
  @DisplayName(
      "negative control through the results folder: a broker clearly slower than raw jnats fails"
          + " the main job's gates; the limits come from the gates file")
  void throughTheFolder(@TempDir Path dir) {
    OverheadRun slow =
        new OverheadRun(
            OverheadRun.FAN_OUT,
            List.of(
                OverheadRun.Row.of(
                    "fan-out p99",
                    "broker",
                    "raw-jnats",
                    false,
                    List.of(16_000.0, 15_500.0, 16_200.0),
                    List.of(600.0, 650.0, 580.0),
                    "µs")),
            Provenance.of("2.10.27", "embedded", true, "test", "fanout-overhead"));
    ResultsDir.at(dir).write(slow);
    RunResults read = ResultsDir.at(dir).read();
    assertEquals(slow, read.overheads().get(0), "written and read back exactly");
    GateReport g = GateEngine.evaluate(read, LIMITS);
    assertEquals(Verdict.FAIL, g.overall(), g.toString());
    assertTrue(g.gates().get(0).detail().contains("["), "the interval is shown: " + g);
    GateLimits lenient = GateLimits.of(java.util.Map.of("costRatioMax", 100), "test");
    assertEquals(Verdict.PASS, GateEngine.evaluate(read, lenient).overall());
    OverheadRun none = new OverheadRun(OverheadRun.WRAPPER, List.of(), slow.provenance());
    assertEquals(Verdict.UNKNOWN, none.verdict(LIMITS));
  }
}
