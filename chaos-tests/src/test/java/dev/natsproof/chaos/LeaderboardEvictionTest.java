package dev.natsproof.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Which undelivered leaderboard updates the per-player limit accounts for, and which are lost. */
class LeaderboardEvictionTest {
  @Test
  @DisplayName(
      "only an update with `keep` newer acked updates of its player counts as evicted; any other"
          + " undelivered one stays a loss")
  void evictedOnlyBehindTheLimit() {
    Set<String> acked = new HashSet<>();
    for (int n = 1; n <= 10; n++) {
      acked.add("p1:" + n);
      acked.add("p2:" + n);
    }
    Set<String> delivered = new HashSet<>(acked);
    delivered.removeAll(Set.of("p1:2", "p1:3", "p1:8", "p2:7"));
    // keep 7: p1:1..p1:3 have 7 or more newer updates of p1; p1:8 and p2:7 do not.
    assertEquals(
        Set.of("p1:2", "p1:3"),
        dev.natsproof.chaos.workload.LeaderboardWorkload.evictedByPerPlayerLimit(
            acked, delivered, 7));
    assertEquals(
        Set.of(),
        dev.natsproof.chaos.workload.LeaderboardWorkload.evictedByPerPlayerLimit(
            acked, delivered, -1));
  }
}
