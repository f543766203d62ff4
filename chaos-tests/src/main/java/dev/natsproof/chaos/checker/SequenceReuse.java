package dev.natsproof.chaos.checker;

import dev.natsproof.results.CheckResult;
import dev.natsproof.results.History;
import dev.natsproof.results.Op;
import dev.natsproof.results.Verdict;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Explains lost values by a reused stream sequence: the value was acked with sequence N, and
 * sequence N was later delivered holding another value. That is a write acknowledged by a leader
 * that then lost it (seen on nats-server 2.9.10 when the R3 stream leader was partitioned), as
 * opposed to a loss with no trace, which only a bug on the client's side could explain.
 */
public final class SequenceReuse {
  private SequenceReuse() {}

  /** Values acked but never delivered, in the order of their acks in the history. */
  public static List<String> lostValues(History h) {
    Set<String> acked = new LinkedHashSet<>();
    Set<String> delivered = new HashSet<>();
    for (Op op : h.ops()) {
      if (op.is(Op.DELIVER)) {
        delivered.add(op.value());
      } else if (op.is(Op.ENQUEUE) && op.ok()) {
        acked.add(op.value());
      }
    }
    acked.removeAll(delivered);
    return List.copyOf(acked);
  }

  /** The lost values whose acked sequence was delivered with a different value. */
  public static List<String> explained(History h, List<String> lost) {
    Map<String, Long> ackedSeq = new HashMap<>();
    Map<Long, String> deliveredAt = new HashMap<>();
    for (Op op : h.ops()) {
      if (op.is(Op.ENQUEUE) && op.ok() && op.seq() > 0) {
        ackedSeq.put(op.value(), op.seq());
      } else if (op.is(Op.DELIVER) && op.seq() > 0) {
        deliveredAt.putIfAbsent(op.seq(), op.value());
      }
    }
    List<String> out = new ArrayList<>();
    for (String v : lost) {
      Long seq = ackedSeq.get(v);
      String other = seq == null ? null : deliveredAt.get(seq);
      if (other != null && !other.equals(v)) {
        out.add(v + " (acked as seq " + seq + ", which was delivered holding " + other + ")");
      }
    }
    return out;
  }

  /**
   * The explanations, when a FAIL is only this finding: something was lost, every lost value's
   * sequence came back holding another value, and nothing was delivered unexpectedly or after the
   * broker said "not stored". Empty for any other verdict, which must then be judged as it is.
   */
  public static Optional<List<String>> onlyReuse(CheckResult v, History h) {
    if (v.status() != Verdict.FAIL
        || v.count("unexpected") != 0
        || v.count("deliveredAfterDefiniteFailure") != 0) {
      return Optional.empty();
    }
    List<String> lost = lostValues(h);
    List<String> explained = explained(h, lost);
    return !lost.isEmpty() && explained.size() == lost.size()
        ? Optional.of(explained)
        : Optional.empty();
  }
}
