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
 * What consume concurrency promises per key ({@code key:n} values, handled from a {@link
 * Op#DELIVER} event to a {@value #HANDLED} event): <b>never two messages of one key handled at the
 * same time</b>, and first deliveries in per-key order. A first delivery older than one already
 * handled is a FAIL in a run without faults; after a crash it is counted, not failed: with more
 * than one message in flight, JetStream redelivers a message whose delivery a crash lost after the
 * newer ones (the serial leaderboard keeps max ack pending at 1 for exactly that reason).
 */
public final class KeyLaneChecker {
  public static final String NAME = "per-key-lanes";
  public static final String HANDLED = "handled";

  private KeyLaneChecker() {}

  public static CheckResult check(History h) {
    try {
      boolean faulted = h.ops().stream().anyMatch(o -> o.is("fault"));
      Map<String, String> running = new HashMap<>(); // key -> value being handled
      Set<String> seen = new HashSet<>();
      Map<String, Long> newest = new HashMap<>();
      List<String> overlaps = new ArrayList<>();
      List<String> late = new ArrayList<>();
      long deliveries = 0;
      for (Op op : h.ops()) {
        boolean start = op.is(Op.DELIVER);
        if (!start && !op.is(HANDLED)) {
          continue;
        }
        int i = op.value().lastIndexOf(':');
        String key = op.value().substring(0, i);
        if (!start) {
          if (op.value().equals(running.get(key))) {
            running.remove(key);
          }
          continue;
        }
        deliveries++;
        String other = running.put(key, op.value());
        if (other != null) {
          overlaps.add(op.value() + " while " + other + " was handled");
        }
        if (!seen.add(op.value())) {
          continue; // a redelivery: order is judged on first deliveries
        }
        long n = Long.parseLong(op.value().substring(i + 1));
        Long prev = newest.get(key);
        if (prev != null && n < prev) {
          late.add(op.value() + " after " + key + ":" + prev);
        }
        newest.put(key, prev == null ? n : Math.max(prev, n));
      }
      Map<String, Long> counts = new LinkedHashMap<>();
      counts.put("keys", (long) newest.size());
      counts.put("deliveries", deliveries);
      counts.put("overlapping", (long) overlaps.size());
      counts.put("reorderedFirstDeliveries", (long) late.size());
      if (deliveries == 0) {
        return new CheckResult(
            NAME, Verdict.UNKNOWN, List.of("nothing was delivered"), counts, Map.of());
      }
      List<String> reasons = new ArrayList<>();
      if (!overlaps.isEmpty()) {
        reasons.add(
            overlaps.size()
                + " messages handled while another of their key was, e.g. "
                + QueueChecker.sample(overlaps));
      }
      if (!late.isEmpty() && !faulted) {
        reasons.add(
            late.size()
                + " first deliveries older than one already handled, without any fault, e.g. "
                + QueueChecker.sample(late));
      }
      if (!reasons.isEmpty()) {
        return new CheckResult(
            NAME,
            Verdict.FAIL,
            reasons,
            counts,
            Map.of(
                "overlapping", QueueChecker.sample(overlaps), "late", QueueChecker.sample(late)));
      }
      return new CheckResult(
          NAME,
          Verdict.PASS,
          List.of(
              deliveries
                  + " deliveries over "
                  + newest.size()
                  + " keys, never two of one key at once"
                  + (late.isEmpty()
                      ? ", first deliveries in order"
                      : "; "
                          + late.size()
                          + " first deliveries came after newer ones of their key, each after a"
                          + " crash (redelivery of a lost delivery)")),
          counts,
          Map.of());
    } catch (RuntimeException e) {
      return CheckResult.unknown(NAME, "checker crashed: " + e);
    }
  }
}
