package dev.natsproof.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.results.GateEngine;
import dev.natsproof.results.GateLimits;
import dev.natsproof.results.OverheadRun;
import dev.natsproof.results.Provenance;
import dev.natsproof.results.ResultsDir;
import dev.natsproof.results.Verdict;
import dev.natsproof.testkit.NatsServer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The alternating-rounds overhead tool on a real server: it measures, it never judges a timing. */
class WrapperOverheadTest {
  @Test
  @DisplayName("one round measures every operation for both clients")
  void oneRound() throws Exception {
    try (NatsServer server = NatsServer.startDefault()) {
      List<OverheadRun.Row> rows = WrapperOverhead.run(List.of(server.clientUrl()), 1, 1, null);
      assertEquals(
          List.of("throughput enqueue-sync", "throughput enqueue-async", "throughput consume-ack"),
          rows.stream().map(OverheadRun.Row::metric).toList());
      for (OverheadRun.Row r : rows) {
        assertEquals(1, r.ratio().rounds().size(), r.toString());
        assertTrue(r.clientValues().get(0) > 0 && r.referenceValues().get(0) > 0, r.toString());
        assertEquals(
            Verdict.UNKNOWN,
            r.verdict(GateLimits.defaults()),
            "one round: no interval, no verdict");
      }
    }
  }

  @Test
  @DisplayName(
      "negative control: throughput wholly below 0.95 fails the gate, wholly above passes, nothing"
          + " measured is UNKNOWN; the file goes through the results folder")
  void target(@TempDir Path dir) {
    GateLimits g = GateLimits.defaults();
    assertEquals(Verdict.FAIL, run(row(0.80, 0.82, 0.81)).verdict(g));
    assertEquals(Verdict.PASS, run(row(0.99, 1.01, 1.00)).verdict(g));
    assertEquals(
        Verdict.UNKNOWN, new OverheadRun(OverheadRun.WRAPPER, List.of(), prov()).verdict(g));
    ResultsDir.at(dir).write(run(row(0.80, 0.82, 0.81)));
    var gates = GateEngine.evaluate(ResultsDir.at(dir).read(), g);
    assertEquals(Verdict.FAIL, gates.overall());
    assertFalse(gates.gates().isEmpty());
  }

  static OverheadRun run(OverheadRun.Row r) {
    return new OverheadRun(OverheadRun.WRAPPER, List.of(r), prov());
  }

  static Provenance prov() {
    return Provenance.of("2.9.10", "embedded", true, "test", "wrapper-overhead");
  }

  /** Broker throughput per round as the given fractions of raw's 1000/s. */
  static OverheadRun.Row row(double... ratios) {
    List<Double> broker = java.util.Arrays.stream(ratios).map(x -> x * 1000).boxed().toList();
    List<Double> raw = broker.stream().map(x -> 1000.0).toList();
    return OverheadRun.Row.of(
        "throughput enqueue-sync", "broker", "raw-jnats", true, broker, raw, "msgs/s");
  }
}
