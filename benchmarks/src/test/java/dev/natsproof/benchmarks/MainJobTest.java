package dev.natsproof.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.results.Cli;
import dev.natsproof.results.ResultsDir;
import dev.natsproof.results.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quick job end to end against a real embedded server: the exit code is the gates'. */
class MainJobTest {
  @Test
  @DisplayName(
      "a workload whose own limit is 1 µs makes the job exit 1: the workload's limit is applied")
  void workloadLimitFailsTheJob(@TempDir Path dir) throws Exception {
    Path workload = dir.resolve("rooms-5x2-30hz-64b.yaml");
    Files.writeString(
        workload,
        "rooms: 5\nplayersPerRoom: 2\npayloadBytes: 64\nwarmupSeconds: 0\ndurationSeconds: 1\n"
            + "subscriberConnections: 1\ngateP99Micros: 1\nvariants: [broker]\n");
    // Only the latency limit decides: the platform's noise must not turn this into UNKNOWN.
    Path gates = dir.resolve("gates.yaml");
    Files.writeString(gates, "hiccupP99Micros: 1000000000\n");
    int rc =
        Cli.run(
            new MainJob(),
            "--workload",
            workload.toString(),
            "--stream-rate",
            "0",
            "--gates",
            gates.toString(),
            "--out",
            dir.resolve("out").toString());
    assertEquals(1, rc);
    var report =
        ResultsDir.read(
            dir.resolve("out").resolve(ResultsDir.GATES), dev.natsproof.results.GateReport.class);
    assertEquals(Verdict.FAIL, report.overall());
    assertTrue(
        report.gates().stream().anyMatch(g -> g.detail().contains("limit 1 µs")),
        report.toString());
  }

  @Test
  @DisplayName("a bad argument exits 3 and names it")
  void badArguments() {
    assertEquals(3, Cli.run(new MainJob(), "--stream-rate", "-1"));
    assertEquals(3, Cli.run(new MainJob(), "--no-such-flag"));
  }
}
