package dev.natsproof.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.results.FaultWindow;
import dev.natsproof.results.History;
import dev.natsproof.results.Op;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The fault windows a history yields: what came first after each heal, and whether it was new. */
class FaultWindowsTest {
  static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  static Op nemesis(String type, long atMs) {
    return new Op(ChaosRun.NEMESIS, type, "kill-9", 0, 0, Op.INFO, atMs * MS, atMs * MS, null);
  }

  static Op deliver(String value, long deliveries, long atMs) {
    return new Op(
        "consumer", Outcomes.DELIVER, value, 1, deliveries, Op.OK, atMs * MS, atMs * MS, null);
  }

  static Op ack(String value, long atMs) {
    return new Op("writer", Outcomes.ENQUEUE, value, 1, 0, Op.OK, atMs * MS, atMs * MS, null);
  }

  @Test
  @DisplayName("a restart whose first delivery is a redelivery says so; a fresh one does not")
  void firstDeliveryCount() {
    History h =
        History.of(
            List.of(
                deliver("a", 1, 100),
                nemesis(ChaosRun.FAULT, 1000),
                nemesis(ChaosRun.HEAL, 1200),
                ack("b", 1300),
                // the redelivery of "a" (count 2) comes before any fresh delivery
                deliver("a", 2, 4100),
                deliver("b", 1, 4150),
                nemesis(ChaosRun.FAULT, 6000),
                nemesis(ChaosRun.HEAL, 6200),
                deliver("c", 1, 6400),
                deliver("b", 2, 9000)));
    List<FaultWindow> w = ChaosRun.faults(h);
    assertEquals(2, w.size());
    assertEquals(2900L, w.get(0).firstDeliveryAfterHealMs());
    assertEquals(2L, w.get(0).firstDeliveryCount());
    assertTrue(w.get(0).firstDeliveryRedelivered());
    assertEquals(200L, w.get(1).firstDeliveryAfterHealMs());
    assertEquals(1L, w.get(1).firstDeliveryCount());
    assertFalse(w.get(1).firstDeliveryRedelivered());
  }

  @Test
  @DisplayName("no delivery after a heal: no count, not a redelivery")
  void noDelivery() {
    History h = History.of(List.of(nemesis(ChaosRun.FAULT, 1000), nemesis(ChaosRun.HEAL, 1200)));
    FaultWindow w = ChaosRun.faults(h).get(0);
    assertNull(w.firstDeliveryAfterHealMs());
    assertNull(w.firstDeliveryCount());
    assertFalse(w.firstDeliveryRedelivered());
  }
}
