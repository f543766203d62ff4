package dev.natsproof.chaos.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.results.CoreChaosVerdict;
import dev.natsproof.results.FaultWindow;
import dev.natsproof.results.FindingCount;
import dev.natsproof.results.Findings;
import dev.natsproof.results.History;
import dev.natsproof.results.Op;
import dev.natsproof.results.Percentiles;
import dev.natsproof.results.Provenance;
import dev.natsproof.results.ServerVersion;
import dev.natsproof.results.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The Core checker and judge on made-up histories: a clean run passes, and each rule has a history
 * that breaks it and must be judged FAIL (the negative controls of the real suite are broken
 * gateways; these pin each rule on its own).
 */
class CoreCheckerTest {
  static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  static final int HZ = 30;
  static final long PERIOD = 1_000_000_000L / HZ;

  /** Two rooms on gw-0 for {@code seconds}, every frame 1 ms after its due time. */
  static List<Op> clean(int seconds) {
    List<Op> ops = new ArrayList<>();
    for (long k = 0; k < (long) seconds * HZ; k++) {
      for (int r = 0; r < 2; r++) {
        long due = k * PERIOD + r * MS;
        ops.add(op(CoreLoad.ROOM_SERVER, CoreLoad.PUBLISH, "room-" + r, k, Op.OK, due, due));
        ops.add(op("gw-0", CoreLoad.FRAME, "room-" + r, k, Op.OK, due, due + MS));
      }
    }
    for (int c = 0; c < 10; c++) {
      ops.add(
          op(
              CoreLoad.PLAYERS,
              CoreLoad.COMMAND,
              "c" + c,
              c,
              Op.OK,
              c * 100 * MS,
              (c * 100 + 2) * MS,
              1));
    }
    long end = (long) seconds * 1000 * MS;
    ops.add(op(CoreLoad.ROOM_SERVER, CoreLoad.LOAD_END, "", 0, Op.OK, end, end));
    ops.add(op("gw-0", CoreLoad.REPLACED, "room-0", 0, Op.OK, end, end));
    ops.add(op("gw-0", CoreLoad.REPLACED, "room-1", 0, Op.OK, end, end));
    return ops;
  }

  static Op op(String p, String type, String v, long seq, String outcome, long start, long end) {
    return op(p, type, v, seq, outcome, start, end, 0);
  }

  static Op op(
      String p, String type, String v, long seq, String outcome, long start, long end, long n) {
    return new Op(p, type, v, seq, n, outcome, start, end, null);
  }

  static CoreChaosVerdict judge(List<Op> ops, List<FaultWindow> faults, long limitMs) {
    return judge(ops, faults, limitMs, List.of());
  }

  static CoreChaosVerdict judge(
      List<Op> ops, List<FaultWindow> faults, long limitMs, List<FindingCount> findings) {
    CoreChecker.Measured m = CoreChecker.measure(History.of(ops), HZ, true, Set.of(), faults);
    return m.judged(
        "test",
        "run",
        "made-up",
        false,
        List.of(),
        limitMs,
        "test limit",
        null,
        Percentiles.EMPTY,
        faults,
        findings,
        Provenance.of("2.9.10", "nats://x", true, "test", "test"),
        0);
  }

  static FaultWindow fault(long atMs, long healMs) {
    return new FaultWindow("made-up", 1, atMs, healMs, null, null, null, List.of());
  }

  /** {@code ops} without gw-0's frames of {@code room} received in [fromMs, toMs). */
  static List<Op> without(List<Op> ops, String room, long fromMs, long toMs) {
    return ops.stream()
        .filter(
            o ->
                !(o.is(CoreLoad.FRAME)
                    && o.value().equals(room)
                    && o.endNanos() >= fromMs * MS
                    && o.endNanos() < toMs * MS))
        .toList();
  }

  @Test
  @DisplayName("a clean run passes, with every number where it should be")
  void clean() {
    CoreChaosVerdict v = judge(clean(5), List.of(), 3000);
    assertEquals(Verdict.PASS, v.verdict(), v.reasons().toString());
    assertEquals(300, v.frames().expected());
    assertEquals(300, v.frames().received());
    assertEquals(0, v.frames().missed());
    assertTrue(v.frames().longestGapMs() <= 40, "a 30 Hz room's gap is one period");
    assertEquals(10, v.commands().answered());
    assertEquals(1000, v.latencyOutsideFault().p50Micros(), 10);
  }

  @Test
  @DisplayName("negative control: nothing delivered is FAIL, not a quiet pass")
  void nothingDelivered() {
    List<Op> ops = clean(5).stream().filter(o -> !o.is(CoreLoad.FRAME)).toList();
    CoreChaosVerdict v = judge(ops, List.of(), 3000);
    assertEquals(Verdict.FAIL, v.verdict());
    assertTrue(
        v.reasons().stream().anyMatch(r -> r.startsWith("delivered:")), v.reasons().toString());
  }

  @Test
  @DisplayName("negative control: a frame older than one already received is FAIL (order)")
  void outOfOrder() {
    List<Op> ops = new ArrayList<>(clean(5));
    ops.add(op("gw-0", CoreLoad.FRAME, "room-0", 3, Op.OK, 3 * PERIOD, 4000 * MS));
    CoreChaosVerdict v = judge(ops, List.of(), 3000);
    assertEquals(Verdict.FAIL, v.verdict());
    assertEquals(1, v.frames().outOfOrder());
  }

  @Test
  @DisplayName("negative control: a frame handed over twice is FAIL (order)")
  void duplicate() {
    List<Op> ops = new ArrayList<>(clean(5));
    long due = 30 * PERIOD;
    ops.add(op("gw-0", CoreLoad.FRAME, "room-1", 30, Op.OK, due, due + 2 * MS));
    CoreChaosVerdict v = judge(ops, List.of(), 3000);
    assertEquals(Verdict.FAIL, v.verdict());
    assertEquals(1, v.frames().duplicates());
  }

  @Test
  @DisplayName("negative control: a freeze longer than the limit is FAIL (freeze), shorter passes")
  void freeze() {
    List<Op> ops = without(clean(10), "room-0", 2000, 6000);
    List<FaultWindow> f = List.of(fault(2000, 3000));
    CoreChaosVerdict v = judge(ops, f, 3000);
    assertEquals(Verdict.FAIL, v.verdict());
    assertTrue(v.reasons().stream().anyMatch(r -> r.startsWith("freeze:")), v.reasons().toString());
    assertEquals(Verdict.PASS, judge(ops, f, 5000).verdict(), "a 4 s gap within a 5 s limit");
    Long recovery = v.subscriptions().get(0).recoveryMs().get(0);
    assertTrue(
        recovery != null && recovery >= 3990 && recovery <= 4050, "fault → frames: " + recovery);
  }

  @Test
  @DisplayName("negative control: a room with no frame after its fault is FAIL (recovered)")
  void neverRecovered() {
    List<Op> ops = without(clean(10), "room-1", 2000, 20_000);
    CoreChaosVerdict v = judge(ops, List.of(fault(2000, 3000)), 60_000);
    assertEquals(Verdict.FAIL, v.verdict());
    assertTrue(
        v.reasons().stream().anyMatch(r -> r.startsWith("recovered:")), v.reasons().toString());
    assertNull(v.frames().worstRecoveryMs(), "never recovered is not a number");
  }

  @Test
  @DisplayName("negative control: a hung command is FAIL; a failed one after a fault is not")
  void commands() {
    List<Op> ops = new ArrayList<>(clean(5));
    ops.add(op(CoreLoad.PLAYERS, CoreLoad.COMMAND, "c99", 99, Op.FAIL, 0, 1500 * MS, 3));
    List<FaultWindow> f = List.of(fault(1000, 2000));
    assertEquals(Verdict.PASS, judge(ops, f, 3000).verdict(), "failed explicitly after a fault");
    assertEquals(
        Verdict.FAIL, judge(ops, List.of(), 3000).verdict(), "a control run answers every command");
    ops.add(op(CoreLoad.PLAYERS, CoreLoad.COMMAND, "c100", 100, Op.INFO, 0, 4000 * MS));
    CoreChaosVerdict v = judge(ops, f, 3000);
    assertEquals(Verdict.FAIL, v.verdict());
    assertEquals(1, v.commands().hung());
  }

  @Test
  @DisplayName(
      "consistent again: each outage of a gateway (its repeated disconnects within a second are"
          + " one) measured to each of its rooms' first rebuild after it")
  void consistentAgain() {
    List<Op> ops = new ArrayList<>();
    long s = 1_000 * MS;
    for (long d : new long[] {s, s + 300 * MS, s + 700 * MS, 5 * s}) {
      ops.add(op("gw-0", CoreLoad.CONNECTION, "disconnected", 0, Op.OK, d, d));
    }
    ops.add(op("gw-0", CoreLoad.RESYNC, "room-0", 10, Op.OK, 0, 0)); // the join, before any outage
    ops.add(op("gw-0", CoreLoad.RESYNC, "room-0", 40, Op.OK, 2_500 * MS, 2_500 * MS));
    ops.add(op("gw-0", CoreLoad.RESYNC, "room-2", 40, Op.OK, 2_600 * MS, 2_600 * MS));
    ops.add(op("gw-0", CoreLoad.RESYNC, "room-0", 90, Op.OK, 6_000 * MS, 6_000 * MS));
    var h = CoreChecker.consistentAgain(ops);
    assertEquals(3, h.getTotalCount(), "room-0 twice, room-2 once (never again after outage 2)");
    assertEquals(1_000_000, h.getMinValue(), 2_000, "outage 2: room-0 1.0 s after");
    assertEquals(
        1_500_000, h.getValueAtPercentile(50), 2_000, "outage 1 from its first disconnect");
    assertEquals(1_600_000, h.getMaxValue(), 2_000, "room-2 after outage 1");
  }

  @Test
  @DisplayName(
      "a publisher stall: counted only in quiet seconds of a fault; explains a freeze where"
          + " expected (INFO), fails where fixed")
  void stall() {
    List<Op> ops = new ArrayList<>();
    for (Op o : clean(6)) {
      boolean slow = o.is(CoreLoad.FRAME) && o.endNanos() >= 2000 * MS && o.endNanos() < 4000 * MS;
      ops.add(
          slow
              ? op(
                  o.process(),
                  o.type(),
                  o.value(),
                  o.seq(),
                  Op.OK,
                  o.startNanos() - 300 * MS,
                  o.endNanos())
              : o);
    }
    for (long s = 0; s < 6; s++) {
      long noisy = s == 3 ? 80_000 : 1_000; // second 3: the machine itself stalled
      ops.add(
          op(
              "hiccup-control",
              CoreChecker.HICCUP,
              "",
              noisy,
              Op.OK,
              (s * 1000 + 999) * MS,
              (s * 1000 + 999) * MS));
    }
    List<FaultWindow> f = List.of(fault(2000, 4000));
    CoreChecker.Measured m = CoreChecker.measure(History.of(ops), HZ, true, Set.of(), f);
    assertEquals(1, CoreChecker.stallSeconds(m, f), "second 2 counts, second 3 was the machine");
    assertEquals(0, CoreChecker.stallSeconds(m, List.of(fault(5000, 5500))), "outside a fault");

    List<Op> frozen = without(ops, "room-0", 2000, 5500);
    FindingCount expected =
        Findings.judge(Findings.SLOW_SUBSCRIBER_STALL, 1, ServerVersion.parse("2.9.10"));
    FindingCount fixed =
        Findings.judge(Findings.SLOW_SUBSCRIBER_STALL, 1, ServerVersion.parse("2.15.1"));
    assertEquals(Verdict.INFO, judge(frozen, f, 3000, List.of(expected)).verdict());
    assertEquals(Verdict.FAIL, judge(frozen, f, 3000, List.of(fixed)).verdict());
    assertEquals(Verdict.FAIL, judge(ops, f, 3000, List.of(fixed)).verdict(), "seen where fixed");
    assertEquals(Verdict.FAIL, judge(frozen, f, 3000).verdict(), "no finding, no excuse");
  }
}
