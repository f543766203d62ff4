package dev.natsproof.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.results.ChaosVerdict;
import dev.natsproof.results.Findings;
import dev.natsproof.results.Verdict;
import dev.natsproof.testkit.NatsServer;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A block file cut short while the server is down. Losing the newest acked messages is what the
 * fault does: the run reports exactly how many as the truncation finding (INFO, never silent), and
 * fails on any other loss, on UNKNOWN, or when the stream did not come back.
 */
class TruncationChaosIT {
  @Test
  @DisplayName("truncating the newest block file while down: what was lost is reported")
  void truncation() {
    try (NatsServer server = NatsServer.startDefault()) {
      Schedule once =
          new Schedule(
              Duration.ZERO,
              1,
              Duration.ZERO,
              Duration.ZERO,
              Duration.ZERO,
              Duration.ofSeconds(5),
              Duration.ofSeconds(60));
      ChaosVerdict v =
          ChaosSupport.requirePass(
              ChaosSupport.run(
                  "truncation",
                  "newest-block-4096b",
                  Target.of(server),
                  "truncation",
                  "truncate-newest-block",
                  once));
      assertEquals(Boolean.TRUE, v.postMortem().get("streamExists"), "the stream must come back");
      long lost = v.count("lost");
      if (lost > 0) {
        assertEquals(Verdict.INFO, v.verdict());
        assertTrue(
            v.findings().stream()
                .anyMatch(f -> f.id().equals(Findings.TRUNCATION_LOSS) && f.count() == lost),
            v.findings().toString());
      }
    }
  }
}
