package dev.natsproof.chaos.checker;

import dev.natsproof.results.History;
import dev.natsproof.results.Op;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * What a history says about its lost values (acked, never delivered), so that a failed run explains
 * itself in the log it leaves behind. It judges nothing: {@link QueueChecker} does.
 *
 * <ul>
 *   <li>the acked sequences of the lost values, and whether another value was later delivered at
 *       such a sequence (a leader reused it) or none ever was (the stream lost the range);
 *   <li>how many were acked only after a retry or as a duplicate (an ack from a dedupe table);
 *   <li>when they were acked, what the other writers had acked in that window and whether that was
 *       delivered (a loss confined to one writer points at its connection, not at the stream);
 *   <li>which server each writer and the consumer were connected to then, and the nemesis's steps.
 * </ul>
 */
public final class LossAnalysis {
  private LossAnalysis() {}

  public static Map<String, Object> of(History h) {
    List<Op> ops = new ArrayList<>(h.ops());
    ops.sort((a, b) -> Long.compare(a.endNanos(), b.endNanos()));
    Map<String, Op> acked = new LinkedHashMap<>();
    Set<String> delivered = new HashSet<>();
    Set<Long> deliveredSeqs = new HashSet<>();
    for (Op op : ops) {
      if (op.is(Op.ENQUEUE) && op.ok()) {
        acked.putIfAbsent(op.value(), op);
      } else if (op.is(Op.DELIVER)) {
        delivered.add(op.value());
        if (op.seq() > 0) {
          deliveredSeqs.add(op.seq());
        }
      }
    }
    List<Op> lost = new ArrayList<>();
    for (Op op : acked.values()) {
      if (!delivered.contains(op.value())) {
        lost.add(op);
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("lost", lost.size());
    if (lost.isEmpty()) {
      return out;
    }
    Map<String, Integer> byProcess = new TreeMap<>();
    long minSeq = Long.MAX_VALUE;
    long maxSeq = 0;
    int neverDelivered = 0;
    int noSeq = 0;
    int retriedOrDuplicate = 0;
    for (Op op : lost) {
      byProcess.merge(op.process(), 1, Integer::sum);
      if (op.detail() != null) {
        retriedOrDuplicate++;
      }
      if (op.seq() <= 0) {
        noSeq++;
        continue;
      }
      minSeq = Math.min(minSeq, op.seq());
      maxSeq = Math.max(maxSeq, op.seq());
      if (!deliveredSeqs.contains(op.seq())) {
        neverDelivered++;
      }
    }
    int reused = SequenceReuse.explained(h, lost.stream().map(Op::value).toList()).size();
    long from = lost.get(0).endNanos();
    long to = lost.get(lost.size() - 1).endNanos();
    int othersAcked = 0;
    int othersDelivered = 0;
    Set<String> lostProcesses = byProcess.keySet();
    for (Op op : acked.values()) {
      if (op.endNanos() >= from && op.endNanos() <= to && !lostProcesses.contains(op.process())) {
        othersAcked++;
        if (delivered.contains(op.value())) {
          othersDelivered++;
        }
      }
    }
    out.put("lostByProcess", byProcess);
    out.put("lostAckedSequences", noSeq == lost.size() ? "none" : minSeq + ".." + maxSeq);
    out.put("lostSequenceDeliveredHoldingAnotherValue", reused);
    out.put("lostSequenceNeverDelivered", neverDelivered);
    out.put("lostAckedWithoutSequence", noSeq);
    out.put("lostAckedAfterRetryOrAsDuplicate", retriedOrDuplicate);
    out.put("lostAckedAtMs", ms(from) + ".." + ms(to));
    out.put(
        "otherWritersInThatWindow",
        othersAcked + " acked, " + othersDelivered + " of them delivered");
    out.put("connectedWhenFirstLostWasAcked", connections(ops, from));
    out.put("nemesis", nemesisTimeline(ops));
    return out;
  }

  /** For each process, the server it last reported before {@code at}. */
  private static Map<String, String> connections(List<Op> ops, long at) {
    Map<String, String> out = new TreeMap<>();
    for (Op op : ops) {
      if (op.endNanos() > at) {
        break;
      }
      if (op.is("connected")) {
        out.put(op.process(), op.value() + " since " + ms(op.endNanos()) + " ms");
      }
    }
    return out;
  }

  private static List<String> nemesisTimeline(List<Op> ops) {
    List<String> out = new ArrayList<>();
    for (Op op : ops) {
      if ("nemesis".equals(op.process())) {
        out.add(
            ms(op.endNanos())
                + " ms "
                + op.type()
                + " "
                + (op.detail() == null ? op.value() : op.detail()));
      }
    }
    return out;
  }

  private static long ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }
}
