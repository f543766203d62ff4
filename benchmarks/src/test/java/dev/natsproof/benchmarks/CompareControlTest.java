package dev.natsproof.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.natsproof.reports.ReportMain;
import dev.natsproof.results.Cli;
import dev.natsproof.results.FanOutClient;
import dev.natsproof.results.ResultsDir;
import dev.natsproof.results.Workload;
import dev.natsproof.testkit.NatsServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The comparison on real runs in alternating rounds: the same binary on both sides is "no clear
 * difference" on every metric (the negative control), and a candidate whose publishes are 15 ms
 * late is a regression of fan-out p99 (the positive one).
 */
class CompareControlTest {
  static final int ROUNDS = 3;

  /**
   * {@code rooms} rooms × 5 players at 25 Hz, 1 s warm-up, 3 s recorded. The delayed comparison
   * uses 2 rooms: one publisher thread sleeping 15 ms per publish keeps up with 50 publishes/s, so
   * the delay shows as 15 ms more latency, not as a schedule that falls ever further behind.
   */
  static Workload workload(Path dir, int rooms) throws Exception {
    Path yaml = dir.resolve("rooms-" + rooms + "x5-25hz-100b.yaml");
    Files.writeString(
        yaml,
        String.join(
            "\n",
            "rooms: " + rooms,
            "playersPerRoom: 5",
            "hz: 25",
            "payloadBytes: 100",
            "warmupSeconds: 1",
            "durationSeconds: 3",
            "subscriberConnections: 2",
            "publisherThreads: 1",
            "gateP99Micros: 10000",
            "layout: gateway",
            "publishSlotMicros: 1000",
            ""));
    return Workload.parse(yaml).withVariants(List.of(FanOutClient.BROKER));
  }

  /** Alternating rounds, baseline first: a round each of A and B, ROUNDS times. */
  static void rounds(Workload w, NatsServer s, Path a, Path b, Duration candidateDelay) {
    for (int r = 1; r <= ROUNDS; r++) {
      for (Path side : List.of(a, b)) {
        Path dir = side.resolve("round-" + r);
        FanOutScenario.Options o = FanOutScenario.Options.defaults(dir);
        if (side == b && !candidateDelay.isZero()) {
          o = o.withPublishDelay(candidateDelay);
        }
        ResultsDir.at(dir)
            .write(new FanOutScenario(w, List.of(s.clientUrl()), true, o, System.out).run());
      }
    }
  }

  static List<JsonNode> compare(Path a, Path b, Path out) throws Exception {
    Cli.run(new ReportMain(), "compare", a.toString(), b.toString(), "--out", out.toString());
    JsonNode doc = new ObjectMapper().readTree(out.resolve(ResultsDir.COMPARE_JSON).toFile());
    List<JsonNode> rows = new ArrayList<>();
    doc.path("metrics").forEach(rows::add);
    assertTrue(!rows.isEmpty(), "the comparison has metrics");
    return rows;
  }

  @Test
  @DisplayName(
      "same binary both sides: no clear difference anywhere; publishes 15 ms late: p99 regression")
  void controls(@TempDir Path dir) throws Exception {
    try (NatsServer s = NatsServer.startDefault()) {
      rounds(workload(dir, 30), s, dir.resolve("a"), dir.resolve("a2"), Duration.ZERO);
      for (JsonNode row : compare(dir.resolve("a"), dir.resolve("a2"), dir.resolve("same"))) {
        String change = row.path("change").asText();
        assertTrue(
            !change.equals("REGRESSION") && !change.equals("IMPROVEMENT"),
            "the same binary twice: " + row.path("metric").asText() + " " + change + " " + row);
      }
      rounds(workload(dir, 2), s, dir.resolve("b"), dir.resolve("late"), Duration.ofMillis(15));
      JsonNode p99 =
          compare(dir.resolve("b"), dir.resolve("late"), dir.resolve("delayed")).stream()
              .filter(r -> r.path("metric").asText().matches("fan-out .* p99"))
              .findFirst()
              .orElseThrow();
      assertEquals("REGRESSION", p99.path("change").asText(), p99.toString());
    }
  }
}
