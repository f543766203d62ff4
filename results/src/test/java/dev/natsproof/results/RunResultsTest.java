package dev.natsproof.results;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RunResultsTest {
  private static final Path DIR = Path.of("candidate");

  private static RunResults of(List<ChaosVerdict> chaos, List<RollingUpgradeRun> upgrades) {
    return new RunResults(
        DIR,
        List.of(),
        List.of(),
        List.of(),
        chaos.stream().map(c -> new RunResults.Located<>(c, DIR)).toList(),
        List.of(),
        upgrades,
        List.of(),
        List.of(),
        Map.of());
  }

  private static RollingUpgradeRun upgrade(String from, String to) {
    return new RollingUpgradeRun(
        from,
        to,
        Verdict.PASS,
        List.of(),
        List.of(),
        new RollingUpgradeRun.JetStreamTotals(10, 10, 0, 0, 0),
        null,
        null,
        List.of(),
        Interventions.NONE,
        null,
        List.of(),
        Fixtures.provenance(to),
        1000);
  }

  @Test
  @DisplayName("a rolling upgrade's own verdicts count as the version it upgraded to")
  void rollingUpgradeCountsAsItsTarget() {
    RunResults r =
        of(
            List.of(
                Fixtures.chaos(
                    "server-kill", "2.10.27", "kill-9", Verdict.PASS, 0, List.of(), false),
                Fixtures.chaos(
                    RollingUpgradeRun.SUITE,
                    "2.9.10",
                    "upgrade",
                    Verdict.PASS,
                    0,
                    List.of(),
                    false)),
            List.of(upgrade("2.9.10", "2.10.27")));
    assertEquals(List.of("2.10.27"), r.serverVersions());
  }

  @Test
  @DisplayName("results measured on two versions outside an upgrade name both")
  void twoVersionsAreBothNamed() {
    RunResults r =
        of(
            List.of(
                Fixtures.chaos(
                    "server-kill", "2.10.27", "kill-9", Verdict.PASS, 0, List.of(), false),
                Fixtures.chaos(
                    "server-kill", "2.9.10", "kill-9", Verdict.PASS, 0, List.of(), false)),
            List.of());
    assertEquals(List.of("2.10.27", "2.9.10"), r.serverVersions());
  }
}
