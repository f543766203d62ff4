package dev.natsproof.broker.nats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.broker.nats.WedgeJudge.Action;
import dev.natsproof.broker.nats.WedgeJudge.Local;
import dev.natsproof.broker.nats.WedgeJudge.Look;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The wedge rules, fed numbers: no server, no clock of its own. */
class WedgeJudgeTest {
  static final long S = TimeUnit.SECONDS.toNanos(1);
  static final Duration ACK_WAIT = Duration.ofSeconds(2); // wedge period: max(2 x 2 s, 5 s) = 5 s

  /** A look at second {@code t}: pending, ack pending, waiting pulls, and the progress numbers. */
  static Look look(
      long t, long pending, long ackPending, long waiting, long delivered, long floor) {
    return new Look(
        t * S, pending, ackPending, waiting, delivered, floor, 0, 10, ACK_WAIT, List.of());
  }

  static Local idle() {
    return new Local(false, 0, -TimeUnit.DAYS.toNanos(1));
  }

  @Test
  @DisplayName("an idle worker beside one holding a message sees no wedge and never resets")
  void otherWorkerHoldsTheMessage() {
    WedgeJudge j = new WedgeJudge(true);
    for (long t = 1; t <= 30; t += 2) {
      // One message delivered to the other worker, pending its ack; nothing else to deliver.
      var v = j.judge(look(t, 0, 1, 1, 7, 6), idle());
      assertEquals(Action.NONE, v.action(), "at " + t + " s: " + v);
      assertFalse(v.wedged());
    }
  }

  @Test
  @DisplayName("a long job with in-progress heartbeats, window full, is not a wedge here")
  void inProgressIsActivity() {
    WedgeJudge j = new WedgeJudge(true);
    for (long t = 1; t <= 30; t += 2) {
      Look at =
          new Look(t * S, 3, 10, 1, 20, 10, 0, 10, ACK_WAIT, List.of()); // same progress numbers
      var v = j.judge(at, new Local(false, 0, t * S - S / 2)); // heartbeat half a second ago
      assertFalse(v.wedged(), "at " + t + " s: " + v);
    }
  }

  @Test
  @DisplayName(
      "undelivered work, room and pulls waiting, no progress past the wedge period: reset where"
          + " the server has the API")
  void undeliveredWedgeResets() {
    WedgeJudge j = new WedgeJudge(true);
    assertEquals(Action.REPULL, j.judge(look(3, 50, 2, 2, 100, 98), idle()).action());
    assertEquals(Action.REPULL, j.judge(look(6, 50, 2, 2, 100, 98), idle()).action());
    var v = j.judge(look(9, 50, 2, 2, 100, 98), idle());
    assertEquals(Action.RESET, v.action(), v.toString());
    assertTrue(v.wedged());
    assertTrue(v.evidence().contains("50 undelivered"), v.evidence());
  }

  @Test
  @DisplayName("the same wedge on a server without the reset API is only reported")
  void undeliveredWedgeReportedWithoutResetApi() {
    WedgeJudge j = new WedgeJudge(false);
    j.judge(look(1, 50, 2, 2, 100, 98), idle());
    var v = j.judge(look(7, 50, 2, 2, 100, 98), idle());
    assertEquals(Action.REPORT, v.action());
    assertTrue(v.wedged());
  }

  @Test
  @DisplayName("progress on the server ends a wedge: delivered sequence moves, verdict clears")
  void progressClears() {
    WedgeJudge j = new WedgeJudge(false);
    j.judge(look(1, 50, 2, 2, 100, 98), idle());
    assertTrue(j.judge(look(7, 50, 2, 2, 100, 98), idle()).wedged());
    assertFalse(j.judge(look(9, 40, 2, 2, 110, 108), idle()).wedged());
    assertFalse(j.judge(look(12, 40, 2, 2, 110, 108), idle()).wedged(), "not yet 5 s still");
  }

  @Test
  @DisplayName("a full window never redelivered is a suspected wedge: reported, never reset")
  void fullWindowIsOnlySuspected() {
    WedgeJudge j = new WedgeJudge(true);
    Look a = new Look(1 * S, 0, 10, 1, 20, 10, 0, 10, ACK_WAIT, List.of());
    Look b = new Look(9 * S, 0, 10, 1, 20, 10, 0, 10, ACK_WAIT, List.of());
    j.judge(a, idle());
    var v = j.judge(b, idle());
    assertEquals(Action.REPORT, v.action(), v.toString());
    assertTrue(v.evidence().startsWith("suspected"), v.evidence());
  }

  /** A look as the 2.9.10 CI run saw it: 79,978 undelivered, window 2,000, ack wait 3 s. */
  static Look ciLook(
      long t, long ackPending, long waiting, long delivered, long floor, long redel) {
    return new Look(
        t * S,
        79_978,
        ackPending,
        waiting,
        delivered,
        floor,
        redel,
        2000,
        Duration.ofSeconds(3),
        List.of());
  }

  @Test
  @DisplayName(
      "starved while acks, redelivery counts and waiting pulls churn, after its own repulls: a"
          + " wedge (the 2.9.10 CI history: no delivery for 60 s, 5 repulls, never judged)")
  void starvedWhileCountersChurn() {
    WedgeJudge j = new WedgeJudge(false);
    Local idle = new Local(false, 39 * S, -TimeUnit.DAYS.toNanos(1)); // last delivery at 39 s
    var first = j.judge(ciLook(42, 869, 0, 452_636, 116_969, 400), idle);
    assertEquals(Action.REPULL, first.action(), first.toString());
    assertFalse(first.wedged());
    var second = j.judge(ciLook(46, 870, 1, 452_636, 116_975, 431), idle);
    assertEquals(Action.REPULL, second.action(), second.toString());
    assertFalse(second.wedged(), "4 s starved is not past the 6 s wedge period");
    var third = j.judge(ciLook(54, 869, 0, 452_636, 116_990, 402), idle);
    assertTrue(third.wedged(), third.toString());
    assertEquals(Action.REPORT, third.action(), "no reset API on 2.9.10: reported");
    assertTrue(
        third.evidence().contains("no new message delivered for 12000 ms"), third.evidence());
    assertTrue(third.evidence().contains("delivered stream sequence 452636"), third.evidence());
  }

  @Test
  @DisplayName("a slow consumer whose delivered sequence creeps forward is never starved")
  void creepingIsNotStarved() {
    WedgeJudge j = new WedgeJudge(true);
    for (long t = 42; t <= 120; t += 4) {
      var v =
          j.judge(
              ciLook(t, 869, 0, 452_636 + t, 116_969, 400),
              new Local(false, 39 * S, -TimeUnit.DAYS.toNanos(1)));
      assertFalse(v.wedged(), "at " + t + " s: " + v);
    }
  }

  @Test
  @DisplayName(
      "a starvation seen before an outage is seen again after it: the first look after is no"
          + " wedge, the look a wedge period later is")
  void outageRestartsTheWatch() {
    WedgeJudge j = new WedgeJudge(true);
    Local idle = new Local(false, 0, -TimeUnit.DAYS.toNanos(1));
    assertEquals(Action.REPULL, j.judge(ciLook(10, 0, 1, 500, 400, 0), idle).action());
    j.outage(); // the server did not answer, or the connection came back
    var after = j.judge(ciLook(60, 0, 1, 500, 400, 0), idle);
    assertFalse(after.wedged(), "50 s since the look before the outage, 0 s since this one");
    assertEquals(Action.REPULL, after.action());
    var later = j.judge(ciLook(67, 0, 1, 500, 400, 0), idle);
    assertEquals(Action.RESET, later.action(), later.toString());
  }

  @Test
  @DisplayName("no room in the ack window is never the undelivered wedge, however long")
  void fullWindowIsNotStarved() {
    WedgeJudge j = new WedgeJudge(true);
    Local busy = new Local(true, 0, 0); // a handler of this worker is running
    for (long t = 42; t <= 120; t += 4) {
      var v = j.judge(ciLook(t, 2000, 1, 452_636, 116_969 + t, 400), busy);
      assertFalse(v.wedged(), "at " + t + " s: " + v);
      assertEquals(Action.NONE, v.action(), "at " + t + " s: " + v);
    }
  }

  @Test
  @DisplayName("the wedge period follows the server's ack wait and backoff, at least 5 s")
  void wedgePeriod() {
    assertEquals(5 * S, WedgeJudge.wedgeNanos(Duration.ofSeconds(1), List.of()));
    assertEquals(60 * S, WedgeJudge.wedgeNanos(Duration.ofSeconds(30), List.of()));
    assertEquals(
        120 * S,
        WedgeJudge.wedgeNanos(
            Duration.ofSeconds(1), List.of(Duration.ofSeconds(5), Duration.ofSeconds(60))));
  }
}
