package dev.natsproof.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.testkit.NatsServer;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The alternating-rounds overhead tool on a real server: it measures, it never judges a timing. */
class WrapperOverheadTest {
  @Test
  @DisplayName("one round measures every operation for both clients")
  void oneRound() throws Exception {
    try (NatsServer server = NatsServer.startDefault()) {
      List<WrapperOverhead.Row> rows = WrapperOverhead.run(List.of(server.clientUrl()), 1, 1, null);
      assertEquals(
          List.of("enqueue-sync", "enqueue-async", "consume-ack"),
          rows.stream().map(WrapperOverhead.Row::operation).toList());
      for (WrapperOverhead.Row r : rows) {
        assertEquals(1, r.ratios().size(), r.toString());
        assertTrue(r.brokerPerSecond().get(0) > 0 && r.rawPerSecond().get(0) > 0, r.toString());
      }
    }
  }

  @Test
  @DisplayName("negative control: a median below 0.95 misses the target; 0.95 meets it")
  void target() {
    assertFalse(row(0.90).meetsTarget());
    assertTrue(row(0.95).meetsTarget());
  }

  static WrapperOverhead.Row row(double median) {
    return new WrapperOverhead.Row(
        "enqueue-sync", List.of(900.0), List.of(1000.0), List.of(median), median);
  }

  @Test
  @DisplayName("the median of the per-round ratios")
  void median() {
    assertEquals(2.0, WrapperOverhead.median(List.of(3.0, 1.0, 2.0)));
    assertEquals(2.5, WrapperOverhead.median(List.of(4.0, 1.0, 2.0, 3.0)));
  }
}
