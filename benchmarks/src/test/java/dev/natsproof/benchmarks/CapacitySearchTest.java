package dev.natsproof.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.results.CapacityRun;
import dev.natsproof.results.FanOutClient;
import dev.natsproof.results.Provenance;
import dev.natsproof.results.ResultsDir;
import dev.natsproof.results.Verdict;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bisection on synthetic verdicts: exact answers, and no pass where nothing passed. */
class CapacitySearchTest {
  @Test
  @DisplayName("finds the exact largest passing count in few attempts")
  void exact() {
    List<Integer> tried = new ArrayList<>();
    int best =
        CapacitySearch.bisect(
            50,
            6000,
            rooms -> {
              tried.add(rooms);
              return rooms <= 3874 ? Verdict.PASS : Verdict.FAIL;
            });
    assertEquals(3874, best);
    assertTrue(tried.size() <= 14, "attempts: " + tried);
  }

  @Test
  @DisplayName("negative control: nothing passes -> 0, never the lower bound")
  void nothingPasses() {
    assertEquals(0, CapacitySearch.bisect(50, 2000, rooms -> Verdict.FAIL));
  }

  @Test
  @DisplayName("UNKNOWN (the platform stalled) is not a pass")
  void unknownIsNotAPass() {
    assertEquals(
        999,
        CapacitySearch.bisect(50, 2000, rooms -> rooms < 1000 ? Verdict.PASS : Verdict.UNKNOWN));
  }

  @Test
  @DisplayName("everything passes -> the upper bound")
  void everythingPasses() {
    assertEquals(2000, CapacitySearch.bisect(50, 2000, rooms -> Verdict.PASS));
  }

  @Test
  @DisplayName("the result file comes back as written, each attempt in order")
  void resultFile(@TempDir Path dir) {
    Provenance p =
        Provenance.of("2.9.10", "nats://127.0.0.1:4222", true, "2.26.2", "rooms-100x10-30hz-200b");
    List<CapacityRun.Attempt> attempts =
        List.of(
            new CapacityRun.Attempt(
                1025, Verdict.PASS, 2100, 300, 3_075_000, 3_075_000, 1100, 1, "PASS p99 2.10 ms"),
            new CapacityRun.Attempt(
                1537,
                Verdict.FAIL,
                12_500,
                450,
                4_611_000,
                4_611_000,
                1300,
                2,
                "FAIL p99 12.5 ms"));
    CapacityRun r =
        new CapacityRun(
            FanOutClient.BROKER, "gateway", 50, 2000, 1025, 10, 30, 200, 10_000, 10, attempts, p);
    Path file = ResultsDir.at(dir).write(r);
    assertEquals(dir.resolve("capacity-broker.json"), file);
    assertEquals(List.of(r), ResultsDir.at(dir).read().capacity());
  }
}
