package dev.natsproof.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

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
}
