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
