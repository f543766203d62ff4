package dev.natsproof.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.results.CapacityRun;
import dev.natsproof.results.Cli;
import dev.natsproof.results.FanOutClient;
import dev.natsproof.results.ResultsDir;
import dev.natsproof.results.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The comparison's rules: noise is not a regression, a clear and large change is. */
class CompareTest {
  static final Metrics.Metric P99 =
      new Metrics.Metric("fan-out w broker", "p99", Metrics.Unit.MICROS, true, true);

  @Test
  @DisplayName("the same samples on both sides: no clear difference")
  void sameIsNoDifference() {
    double[] a = {2100, 1900, 2500, 2200, 1800};
    assertEquals(
        Comparison.Change.NO_CLEAR_DIFFERENCE, Comparison.judge(P99, a, a.clone(), 0.5).change());
  }

  @Test
  @DisplayName("noise of ±35 % between rounds, medians alike: no clear difference")
  void noiseIsNoDifference() {
    double[] a = {2000, 2700, 1500, 2300, 1900};
    double[] b = {2600, 1600, 2100, 1400, 2800};
    assertEquals(Comparison.Change.NO_CLEAR_DIFFERENCE, Comparison.judge(P99, a, b, 0.5).change());
  }

  @Test
  @DisplayName("p99 from ~2 ms to ~17 ms in every round (a 15 ms delay): a regression")
  void delayedIsRegression() {
    double[] a = {2000, 2700, 1500, 2300, 1900};
    double[] b = {17_000, 17_600, 16_900, 18_200, 17_300};
    Comparison.Row r = Comparison.judge(P99, a, b, 0.5);
    assertEquals(Comparison.Change.REGRESSION, r.change());
    assertEquals(Verdict.FAIL, r.verdict());
    assertTrue(r.delta().low() > 0.5, r.describe());
  }

  @Test
  @DisplayName("a baseline median of 0 reads 'from 0', not +Infinity %, and still judges")
  void zeroBaseline() {
    double[] a = {0, 0, 0, 0, 0};
    double[] b = {900, 1100, 1000, 950, 1050};
    Comparison.Row r = Comparison.judge(P99, a, b, 0.5);
    assertEquals(Comparison.Change.REGRESSION, r.change());
    assertEquals("from 0", r.delta().changeText());
    assertTrue(r.describe().contains("(from 0 [95 %: +∞ % … +∞ %])"), r.describe());
    assertTrue(!r.describe().contains("Infinity"), r.describe());
    assertEquals("+12.5 %", Stats.percent(0.125));
  }

  @Test
  @DisplayName("a clear change smaller than the tolerance is not a regression")
  void smallClearChange() {
    double[] a = {2000, 2010, 1990, 2005, 1995};
    double[] b = {2200, 2210, 2190, 2205, 2195};
    assertEquals(Comparison.Change.NO_CLEAR_DIFFERENCE, Comparison.judge(P99, a, b, 0.5).change());
    assertEquals(Comparison.Change.REGRESSION, Comparison.judge(P99, a, b, 0.05).change());
  }

  @Test
  @DisplayName("one round each cannot tell: shown, not judged, whatever the change")
  void oneRoundIsNotEnough() {
    assertEquals(
        Comparison.Change.NOT_ENOUGH_ROUNDS,
        Comparison.judge(P99, new double[] {2000}, new double[] {4200}, 0.5).change());
  }

  @Test
  @DisplayName("a count that must stay 0 (missing deliveries) regresses on any increase")
  void mustStayZero() {
    Metrics.Metric missing =
        new Metrics.Metric(
            "fan-out w broker", "missing deliveries", Metrics.Unit.COUNT, true, true);
    assertEquals(
        Comparison.Change.REGRESSION,
        Comparison.judge(missing, new double[] {0}, new double[] {1}, 0.5).change());
  }

  @Test
  @DisplayName(
      "compare names both versions, leads with the findings that changed, and writes html/md/json")
  void twoVersions(@TempDir Path dir) throws Exception {
    Path base = Files.createDirectories(dir.resolve("base"));
    Path cand = Files.createDirectories(dir.resolve("cand"));
    for (int i = 1; i <= 3; i++) {
      Fixture.fanOut(
          Files.createDirectories(base.resolve("round-" + i)),
          "2.10.27",
          FanOutClient.BROKER,
          300,
          2500,
          200);
      Fixture.fanOut(
          Files.createDirectories(cand.resolve("round-" + i)),
          "2.15.1",
          FanOutClient.BROKER,
          300,
          2500,
          200);
    }
    Fixture.chaos(base, "2.10.27", 0, List.of(150L, 200L, 300L), false);
    // capacity searched once per side, beside the rounds
    for (Path side : List.of(base, cand)) {
      ResultsDir.at(side.resolve("capacity"))
          .write(
              new CapacityRun(
                  FanOutClient.BROKER,
                  "gateway",
                  50,
                  6000,
                  side == base ? 3100 : 2900,
                  10,
                  30,
                  200,
                  10_000,
                  5,
                  List.of(),
                  Fixture.provenance(side == base ? "2.10.27" : "2.15.1")));
    }
    int rc =
        Cli.run(
            new ReportMain(), "compare", base.toString(), cand.toString(), "--out", dir.toString());
    assertEquals(0, rc);
    String html = Files.readString(dir.resolve(ResultsDir.COMPARE_HTML));
    assertTrue(html.contains("2.10.27") && html.contains("2.15.1"), "both versions named");
    assertTrue(html.contains("no clear difference"), html.substring(0, 400));
    assertTrue(html.contains("rooms within the gate"), "each side's capacity is compared");
    assertTrue(Files.readString(dir.resolve(ResultsDir.COMPARE_MD)).contains("What changed"));
    Fixture.chaos(cand, "2.15.1", 0, List.of(150L, 200L, 300L), false);
    Cli.run(new ReportMain(), "compare", base.toString(), cand.toString(), "--out", dir.toString());
    String again = Files.readString(dir.resolve(ResultsDir.COMPARE_HTML));
    assertTrue(again.contains("Features by version"));
  }
}
