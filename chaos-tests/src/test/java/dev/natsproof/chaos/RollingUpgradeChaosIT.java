package dev.natsproof.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.chaos.upgrade.RollingUpgrade;
import dev.natsproof.results.RollingUpgradeRun;
import dev.natsproof.results.Verdict;
import dev.natsproof.testkit.NatsServerBinary;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The live rolling upgrade under game load, FROM → TO as {@code -Dnatsproof.upgrade=FROM,TO}
 * (versions, Debian suites or binaries; {@code ./natsproof} passes 2.10.27,2.15.1 from the server
 * cache). Without it the suite is skipped, and says so.
 */
class RollingUpgradeChaosIT {
  @Test
  @DisplayName("rolling upgrade under Core and JetStream load: 0 acked lost, every node caught up")
  void rollingUpgrade() {
    String pair = System.getProperty("natsproof.upgrade", "").strip();
    Assumptions.assumeFalse(
        pair.isEmpty(),
        "no -Dnatsproof.upgrade=FROM,TO: the rolling upgrade needs two server builds"
            + " (./natsproof test -Pchaos passes 2.10.27,2.15.1)");
    String[] ft = pair.split(",");
    assertEquals(2, ft.length, "-Dnatsproof.upgrade needs FROM,TO, got '" + pair + "'");
    NatsServerBinary from = NatsServerBinary.forVersion(ft[0]);
    NatsServerBinary to = NatsServerBinary.forVersion(ft[1]);
    Path out =
        Path.of(System.getProperty("natsproof.chaos.out", "target/chaos"))
            .resolve("rolling-upgrade-" + from.version() + "-to-" + to.version());
    RollingUpgradeRun r = RollingUpgrade.run(RollingUpgrade.Options.of(from, to, out));
    for (RollingUpgradeRun.Step s : r.steps()) {
      System.out.printf(
          "UPGRADE %s %s -> %s: up after %d ms, caught up after %d ms, JetStream stall %d ms,"
              + " delivery stall %d ms, Core frames missed %d, longest room gap %d ms,"
              + " reconnects %d%n",
          s.node(),
          s.versionBefore(),
          s.versionAfter(),
          s.upAtMs() - s.startedAtMs(),
          s.caughtUpAtMs() - s.startedAtMs(),
          s.jetStreamStallMs(),
          s.deliveryStallMs(),
          s.coreFramesMissed(),
          s.longestRoomGapMs(),
          s.reconnects());
    }
    System.out.printf(
        "UPGRADE %s -> %s: %s %s jetStream=%s core longest gap %d ms -> %s%n",
        r.fromVersion(),
        r.toVersion(),
        r.verdict(),
        r.reasons(),
        r.jetStream(),
        r.core().longestGapMs(),
        out);
    assertEquals(0, r.jetStream().lost(), "acked settlement lost in the upgrade: " + r.reasons());
    assertTrue(r.jetStream().acked() > 0, "nothing was acked: the run measured nothing");
    assertEquals(3, r.steps().size(), "every node upgraded and caught up: " + r.reasons());
    assertTrue(
        r.verdict() == Verdict.PASS || r.verdict() == Verdict.INFO,
        r.verdict() + " " + r.reasons());
  }
}
