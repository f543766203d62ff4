package dev.natsproof.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.results.GateLimits;
import dev.natsproof.results.OverheadRun;
import dev.natsproof.results.Verdict;
import dev.natsproof.results.Workload;
import dev.natsproof.testkit.NatsServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rotating-rounds fan-out ratios on a real server. A timing decides nothing here but the
 * control: a broker that sleeps 15 ms before every publish against a sub-millisecond raw jnats, a
 * ratio of tens, which the gate must call FAIL.
 */
class FanOutOverheadTest {
  @Test
  @DisplayName(
      "every client measured in every round; a broker slowed by 15 ms per publish fails the p99"
          + " ratio gate (broker / raw jnats) and latest-only's median round is then faster")
  void slowedBrokerIsCaught(@TempDir Path dir) throws Exception {
    Workload w = CompareControlTest.workload(dir, 2).withDuration(1, 2);
    try (NatsServer s = NatsServer.startDefault()) {
      List<OverheadRun.Row> rows =
          FanOutOverhead.run(w, List.of(s.clientUrl()), s, 3, Duration.ofMillis(15), System.out);
      assertEquals(
          List.of(
              "fan-out p99 broker/raw-jnats",
              "fan-out CPU per delivery broker/raw-jnats",
              "fan-out p99 broker-latest/broker",
              "fan-out CPU per delivery broker-latest/broker"),
          rows.stream().map(OverheadRun.Row::label).toList());
      for (OverheadRun.Row r : rows) {
        assertEquals(3, r.ratio().rounds().size(), r.toString());
        assertTrue(r.clientValues().stream().allMatch(v -> v > 0), r.toString());
      }
      GateLimits g = GateLimits.defaults();
      assertEquals(Verdict.FAIL, rows.get(0).verdict(g), rows.get(0).ratio().describe());
      // Latest-only against the slowed broker: its median round is faster. Only the median: one
      // noisy round on a shared machine can lift the interval's top past 1 (seen in CI: rounds
      // 0.11, 0.24, 1.02), and a timing must not decide a unit test beyond the control above.
      assertTrue(rows.get(2).ratio().median() < 1, rows.get(2).ratio().describe());
    }
  }
}
