package dev.natsproof.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
        CapacitySearch.search(
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
    assertEquals(0, CapacitySearch.search(50, 2000, rooms -> Verdict.FAIL));
  }

  @Test
  @DisplayName("UNKNOWN (the platform stalled) is not a pass")
  void unknownIsNotAPass() {
    assertEquals(
        999,
        CapacitySearch.search(50, 2000, rooms -> rooms < 1000 ? Verdict.PASS : Verdict.UNKNOWN));
  }

  @Test
  @DisplayName("everything passes -> the upper bound")
  void everythingPasses() {
    assertEquals(2000, CapacitySearch.search(50, 2000, rooms -> Verdict.PASS));
  }

  @Test
  @DisplayName("the result file has what the reports module reads, each attempt in order")
  void resultFile(@TempDir Path dir) throws Exception {
    Provenance p = Provenance.of("2.9.10", "nats://127.0.0.1:4222", true, "rooms-100x10-30hz-200b");
    List<CapacitySearch.Attempt> attempts =
        List.of(
            new CapacitySearch.Attempt(
                1025,
                Verdict.PASS,
                "PASS p99 2100 µs",
                2100,
                300,
                3_075_000,
                3_075_000,
                1100,
                1,
                p),
            new CapacitySearch.Attempt(
                1537,
                Verdict.FAIL,
                "FAIL p99 12500 µs",
                12_500,
                450,
                4_611_000,
                4_611_000,
                1300,
                2,
                p));
    Path file =
        CapacitySearch.write(
            dir,
            new CapacitySearch.Result(
                "broker", 10, 30, 200, 10_000, 10, 50, 2000, 1025, attempts, p));
    assertEquals(dir.resolve("capacity-broker.json"), file);
    JsonNode n = new ObjectMapper().readTree(file.toFile());
    for (String field : List.of("client", "largestPassingRooms", "attempts", "gateP99Micros")) {
      assertTrue(n.has(field), field + " in " + n);
    }
    assertEquals(1025, n.path("largestPassingRooms").asInt());
    assertEquals(1537, n.path("attempts").get(1).path("rooms").asInt());
    assertEquals("FAIL", n.path("attempts").get(1).path("verdict").asText());
    assertEquals(12_500, n.path("attempts").get(1).path("p99Micros").asLong());
    assertEquals(2, n.path("attempts").get(1).path("tries").asInt());
  }
}
