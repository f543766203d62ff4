package dev.natsproof.chaos.checker;

import dev.natsproof.results.CheckResult;
import dev.natsproof.results.History;
import dev.natsproof.results.Op;
import dev.natsproof.results.Verdict;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Jepsen's total-queue check for JetStream enqueue/consume, a pure function of a history.
 *
 * <ul>
 *   <li><b>lost</b>: acked, never delivered, and gone from the stream (split prefix / middle /
 *       postfix by where it sits among the acked values that were delivered) → FAIL
 *   <li><b>stalled</b>: acked, not delivered by the drain's end, but still stored (a {@code stored}
 *       entry the run's inspection recorded) → FAIL, as a stall, not a loss
 *   <li><b>uninspected</b>: acked, not delivered by the drain's end, and not looked up (an {@code
 *       unchecked} entry: the inspection's time ran out) → FAIL, as neither proven stored nor lost
 *   <li><b>unexpected</b>: delivered but never attempted → FAIL
 *   <li><b>delivered after a definite failure</b>: the broker said "not stored" and it was → FAIL
 *   <li><b>duplicates</b> (a value delivered more than once, redeliveries included) are counted,
 *       and FAIL only when the caller forbids them
 *   <li><b>recovered</b>: indeterminate but delivered
 * </ul>
 *
 * A history with nothing acked or nothing delivered is UNKNOWN: it proves nothing.
 */
public final class QueueChecker {
  public static final String NAME = "queue";

  private QueueChecker() {}

  public static CheckResult check(History h) {
    return check(h, true);
  }

  public static CheckResult check(History h, boolean duplicatesAllowed) {
    try {
      return run(h, duplicatesAllowed);
    } catch (RuntimeException e) {
      return CheckResult.unknown(NAME, "checker crashed: " + e);
    }
  }

  private static CheckResult run(History h, boolean duplicatesAllowed) {
    List<String> attemptedOrder = new ArrayList<>();
    Set<String> attempted = new HashSet<>();
    List<String> ackedOrder = new ArrayList<>();
    Set<String> acked = new HashSet<>();
    Set<String> failed = new HashSet<>();
    Map<String, String> failedBecause = new HashMap<>();
    Set<String> info = new HashSet<>();
    Map<String, Integer> deliveries = new HashMap<>();
    Set<String> stored = new HashSet<>();
    Set<String> unchecked = new HashSet<>();
    long redeliveries = 0;
    List<Op> ops = new ArrayList<>(h.ops());
    ops.sort((a, b) -> Long.compare(a.endNanos(), b.endNanos()));
    for (Op op : ops) {
      if (op.is(Op.ENQUEUE)) {
        if (attempted.add(op.value())) {
          attemptedOrder.add(op.value());
        }
        switch (op.outcome()) {
          case Op.OK -> {
            if (acked.add(op.value())) {
              ackedOrder.add(op.value());
            }
          }
          case Op.FAIL -> {
            failed.add(op.value());
            failedBecause.put(op.value(), String.valueOf(op.detail()));
          }
          default -> info.add(op.value());
        }
      } else if (op.is("stored")) {
        stored.add(op.value());
      } else if (op.is("unchecked")) {
        unchecked.add(op.value());
      } else if (op.is(Op.DELIVER)) {
        deliveries.merge(op.value(), 1, Integer::sum);
        if (op.deliveries() > 1) {
          redeliveries++;
        }
      }
    }
    // A value acked on one attempt and indeterminate/failed on another is acked.
    info.removeAll(acked);
    failed.removeAll(acked);

    List<String> lost = new ArrayList<>();
    List<String> stalled = new ArrayList<>();
    List<String> uninspected = new ArrayList<>();
    int firstDelivered = -1;
    int lastDelivered = -1;
    for (int i = 0; i < ackedOrder.size(); i++) {
      String v = ackedOrder.get(i);
      if (deliveries.containsKey(v)) {
        if (firstDelivered < 0) {
          firstDelivered = i;
        }
        lastDelivered = i;
      }
    }
    long prefix = 0;
    long middle = 0;
    long postfix = 0;
    for (int i = 0; i < ackedOrder.size(); i++) {
      String v = ackedOrder.get(i);
      if (!deliveries.containsKey(v) && stored.contains(v)) {
        stalled.add(v);
      } else if (!deliveries.containsKey(v) && unchecked.contains(v)) {
        uninspected.add(v);
      } else if (!deliveries.containsKey(v)) {
        lost.add(v);
        if (firstDelivered < 0 || i < firstDelivered) {
          prefix++;
        } else if (i > lastDelivered) {
          postfix++;
        } else {
          middle++;
        }
      }
    }
    List<String> unexpected = new ArrayList<>();
    List<String> afterFailure = new ArrayList<>();
    long duplicateDeliveries = 0;
    List<String> duplicated = new ArrayList<>();
    long recovered = 0;
    for (Map.Entry<String, Integer> e : deliveries.entrySet()) {
      if (!attempted.contains(e.getKey())) {
        unexpected.add(e.getKey());
      }
      if (failed.contains(e.getKey())) {
        afterFailure.add(e.getKey());
      }
      if (e.getValue() > 1) {
        duplicateDeliveries += e.getValue() - 1;
        duplicated.add(e.getKey());
      }
      if (info.contains(e.getKey())) {
        recovered++;
      }
    }

    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("attempted", (long) attempted.size());
    counts.put("acked", (long) acked.size());
    counts.put("failed", (long) failed.size());
    counts.put("indeterminate", (long) info.size());
    counts.put("delivered", (long) deliveries.size());
    counts.put("lost", (long) lost.size());
    counts.put("lostPrefix", prefix);
    counts.put("lostMiddle", middle);
    counts.put("lostPostfix", postfix);
    counts.put("stalled", (long) stalled.size());
    counts.put("uninspected", (long) uninspected.size());
    counts.put("unexpected", (long) unexpected.size());
    counts.put("deliveredAfterDefiniteFailure", (long) afterFailure.size());
    counts.put("duplicateDeliveries", duplicateDeliveries);
    counts.put("redeliveries", redeliveries);
    counts.put("recovered", recovered);
    Map<String, List<String>> samples = new LinkedHashMap<>();
    samples.put("lost", sample(lost));
    samples.put("stalled", sample(stalled));
    samples.put("uninspected", sample(uninspected));
    samples.put("unexpected", sample(unexpected));
    samples.put("deliveredAfterDefiniteFailure", sample(afterFailure));
    samples.put("duplicated", sample(duplicated));

    List<String> reasons = new ArrayList<>();
    if (acked.isEmpty()) {
      reasons.add("nothing was acked: the run proves nothing");
      return new CheckResult(NAME, Verdict.UNKNOWN, reasons, counts, samples);
    }
    if (deliveries.isEmpty()) {
      reasons.add("nothing was delivered (" + acked.size() + " acked): the run proves nothing");
      return new CheckResult(NAME, Verdict.UNKNOWN, reasons, counts, samples);
    }
    if (!lost.isEmpty()) {
      reasons.add(
          lost.size()
              + " acked values never delivered (prefix "
              + prefix
              + ", middle "
              + middle
              + ", postfix "
              + postfix
              + "), e.g. "
              + sample(lost));
    }
    if (!stalled.isEmpty()) {
      reasons.add(
          stalled.size()
              + " acked values not delivered by the drain's end but still stored (a stall, not a"
              + " loss), e.g. "
              + sample(stalled));
    }
    if (!uninspected.isEmpty()) {
      reasons.add(
          uninspected.size()
              + " acked values not delivered by the drain's end and not looked up in the stream"
              + " (neither proven stored nor proven lost), e.g. "
              + sample(uninspected));
    }
    if (!unexpected.isEmpty()) {
      reasons.add(
          unexpected.size() + " values delivered but never attempted, e.g. " + sample(unexpected));
    }
    if (!afterFailure.isEmpty()) {
      reasons.add(
          afterFailure.size()
              + " values delivered after the broker said they were not stored, e.g. "
              + sample(afterFailure)
              + "; it said: "
              + sample(afterFailure.stream().map(v -> v + " " + failedBecause.get(v)).toList()));
    }
    if (!duplicatesAllowed && duplicateDeliveries > 0) {
      reasons.add(
          duplicateDeliveries
              + " duplicate deliveries where none are allowed, e.g. "
              + sample(duplicated));
    }
    if (!reasons.isEmpty()) {
      return new CheckResult(NAME, Verdict.FAIL, reasons, counts, samples);
    }
    reasons.add(
        acked.size()
            + " acked, all delivered; "
            + duplicateDeliveries
            + " duplicate deliveries, "
            + recovered
            + " indeterminate recovered");
    return new CheckResult(NAME, Verdict.PASS, reasons, counts, samples);
  }

  static List<String> sample(List<String> values) {
    return values.size() <= 5 ? List.copyOf(values) : List.copyOf(values.subList(0, 5));
  }
}
