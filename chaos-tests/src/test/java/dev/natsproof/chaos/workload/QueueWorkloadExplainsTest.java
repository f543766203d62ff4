package dev.natsproof.chaos.workload;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.broker.ConsumeOptions;
import dev.natsproof.chaos.Workloads;
import dev.natsproof.results.CheckResult;
import dev.natsproof.results.FindingCount;
import dev.natsproof.results.Findings;
import dev.natsproof.results.Verdict;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** When a queue run's FAIL is explained by findings this version is expected to have. */
class QueueWorkloadExplainsTest {
  static final QueueWorkload W =
      QueueWorkload.of(
          Workloads.queueStream("EXPLAIN", 1),
          1,
          1,
          ConsumeOptions.builder().durable("chaos").build());

  static CheckResult failed(long stalled, long uninspected) {
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("acked", 100L);
    counts.put("lost", 0L);
    counts.put("stalled", stalled);
    counts.put("uninspected", uninspected);
    counts.put("unexpected", 0L);
    counts.put("deliveredAfterDefiniteFailure", 0L);
    return new CheckResult("queue", Verdict.FAIL, List.of("by hand"), counts, Map.of());
  }

  static final List<FindingCount> WEDGED =
      List.of(new FindingCount(Findings.CONSUMER_WEDGED, 1, Verdict.INFO, "expected here"));

  @Test
  @DisplayName("a stall behind a consumer the server wedged is explained")
  void stallBehindWedge() {
    assertTrue(W.explains(List.of(failed(50, 0)), WEDGED));
  }

  @Test
  @DisplayName("a value not looked up is never explained, wedge or not")
  void uninspectedIsNotExplained() {
    assertFalse(W.explains(List.of(failed(50, 1)), WEDGED));
    assertFalse(W.explains(List.of(failed(0, 3)), WEDGED));
  }

  @Test
  @DisplayName("a stall without the wedge finding is not explained")
  void stallWithoutWedge() {
    assertFalse(W.explains(List.of(failed(50, 0)), List.of()));
  }
}
