package dev.natsproof.chaos.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.chaos.ChaosRun;
import dev.natsproof.results.CheckResult;
import dev.natsproof.results.FindingCount;
import dev.natsproof.results.Findings;
import dev.natsproof.results.History;
import dev.natsproof.results.Op;
import dev.natsproof.results.Verdict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * nats-server#6600 as the 2.10.27 CI run showed it: after a kill -9 the work-queue stream handed
 * out sequences from 1 again, the consumer (ahead at 10,541) skipped them.
 */
class SequenceResetTest {
  static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  final List<Op> ops = new ArrayList<>();

  void ack(String v, long seq, long startMs, long endMs) {
    ops.add(new Op("gs0", Op.ENQUEUE, v, seq, 0, Op.OK, startMs * MS, endMs * MS, null));
  }

  void nemesis(String type, long atMs) {
    ops.add(new Op(ChaosRun.NEMESIS, type, "kill-9", 0, 0, Op.INFO, atMs * MS, atMs * MS, null));
  }

  /** Acks 1..10 before a kill at 100 ms, healed at 150 ms. */
  void beforeAndKill() {
    for (int i = 1; i <= 10; i++) {
      ack("a" + i, i, i * 5, i * 5 + 2);
    }
    nemesis(ChaosRun.FAULT, 100);
    nemesis(ChaosRun.HEAL, 150);
  }

  @Test
  @DisplayName("writes after the restart acked with sequences already handed out: a reset")
  void resetSeen() {
    beforeAndKill();
    ack("b1", 1, 200, 210);
    ack("b2", 2, 205, 215);
    ack("b3", 11, 220, 225);
    ack("a11", 3, 90, 230); // in flight across the kill, acked by a retry with a reused sequence
    nemesis(ChaosRun.FAULT, 300);
    // the reset epoch's write the server acked just before the second kill took it
    ack("c1", 4, 298, 301);
    nemesis(ChaosRun.HEAL, 350);
    assertEquals(Set.of("c1", "b1", "b2", "a11"), StreamInspector.reusedSequences(History.of(ops)));
    assertEquals(
        2,
        StreamInspector.sequenceResets(History.of(ops), List.of("b1", "b2"), 1, Map.of()),
        "both lost values are the reset's");
    assertEquals(
        0,
        StreamInspector.sequenceResets(History.of(ops), List.of(), 3, Map.of()),
        "on a cluster a reused sequence is sequence reuse, not this");
  }

  @Test
  @DisplayName("a stream that goes on counting after the restart has no reset")
  void noReset() {
    beforeAndKill();
    ack("b1", 11, 200, 210);
    ack("b2", 12, 205, 215);
    // an enqueue started before the kill and acked after it by a retry: a new sequence
    ack("a11", 13, 90, 230);
    // a retry of a write stored before the kill (at 9) whose ack was lost: a duplicate ack
    ops.add(
        new Op("gs0", Op.ENQUEUE, "a9", 9, 0, Op.OK, 95 * MS, 240 * MS, "Acked[duplicate=true]"));
    assertTrue(StreamInspector.reusedSequences(History.of(ops)).isEmpty());
    assertEquals(0, StreamInspector.sequenceResets(History.of(ops), List.of(), 1, Map.of()));
  }

  static CheckResult check(String name, Map<String, Long> counts) {
    return new CheckResult(name, Verdict.FAIL, List.of("by hand"), counts, Map.of());
  }

  static List<CheckResult> settlementChecks(long missing, long lost, long twice) {
    Map<String, Long> ledger = new LinkedHashMap<>();
    ledger.put("missing", missing);
    ledger.put("appliedTwice", twice);
    ledger.put("phantom", 0L);
    Map<String, Long> queue = new LinkedHashMap<>();
    queue.put("lost", lost);
    queue.put("stalled", 0L);
    queue.put("uninspected", 0L);
    queue.put("unexpected", 0L);
    queue.put("deliveredAfterDefiniteFailure", 0L);
    return List.of(check("ledger", ledger), check("queue", queue));
  }

  static List<FindingCount> reset(long n, Verdict v) {
    return List.of(new FindingCount(Findings.WORK_QUEUE_SEQUENCE_RESET, n, v, "by hand"));
  }

  @Test
  @DisplayName(
      "settlement: missing battles are explained by the reset only when each is its lost message"
          + " and the version is expected to have it")
  void settlementExplains() {
    SettlementWorkload w = new SettlementWorkload(3, 2);
    assertTrue(w.explains(settlementChecks(10_472, 10_472, 0), reset(10_472, Verdict.INFO)));
    assertFalse(
        w.explains(settlementChecks(10_473, 10_473, 0), reset(10_472, Verdict.INFO)),
        "one lost beyond the reset");
    assertFalse(
        w.explains(settlementChecks(10_472, 10_472, 0), reset(10_472, Verdict.FAIL)),
        "a version that fixed it");
    assertFalse(
        w.explains(settlementChecks(10, 10, 1), reset(10, Verdict.INFO)),
        "a battle credited twice");
    assertFalse(w.explains(settlementChecks(10, 10, 0), List.of()), "no reset seen");
  }
}
