package dev.natsproof.chaos.checker;

import dev.natsproof.results.CheckResult;
import dev.natsproof.results.History;
import dev.natsproof.results.Op;
import dev.natsproof.results.Verdict;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-key order (leaderboard updates): for every key, the values delivered must appear in the order
 * they were acked, each first delivery after the previous one's. Values are {@code key:n} with n
 * increasing per key as written. Redelivery of an older value after a newer one is counted as a
 * regression only if it is a first delivery.
 */
public final class OrderChecker {
  public static final String NAME = "per-key-order";

  private OrderChecker() {}

  public static CheckResult check(History h) {
    try {
      Map<String, Long> lastFirstDelivery = new HashMap<>();
      Map<String, Boolean> seen = new HashMap<>();
      long ordered = 0;
      List<String> outOfOrder = new ArrayList<>();
      for (Op op : h.ops()) {
        if (!op.is(Op.DELIVER)) {
          continue;
        }
        if (seen.putIfAbsent(op.value(), true) != null) {
          continue; // a redelivery: order is judged on first deliveries
        }
        int i = op.value().lastIndexOf(':');
        String key = op.value().substring(0, i);
        long n = Long.parseLong(op.value().substring(i + 1));
        Long prev = lastFirstDelivery.get(key);
        if (prev != null && n < prev) {
          outOfOrder.add(op.value() + " after " + key + ":" + prev);
        } else {
          ordered++;
        }
        lastFirstDelivery.put(key, prev == null ? n : Math.max(prev, n));
      }
      Map<String, Long> counts = new LinkedHashMap<>();
      counts.put("keys", (long) lastFirstDelivery.size());
      counts.put("inOrder", ordered);
      counts.put("outOfOrder", (long) outOfOrder.size());
      if (ordered == 0) {
        return new CheckResult(
            NAME, Verdict.UNKNOWN, List.of("nothing was delivered"), counts, Map.of());
      }
      if (!outOfOrder.isEmpty()) {
        return new CheckResult(
            NAME,
            Verdict.FAIL,
            List.of(
                outOfOrder.size()
                    + " values delivered out of per-key order, e.g. "
                    + QueueChecker.sample(outOfOrder)),
            counts,
            Map.of("outOfOrder", QueueChecker.sample(outOfOrder)));
      }
      return new CheckResult(
          NAME,
          Verdict.PASS,
          List.of(
              ordered
                  + " first deliveries over "
                  + lastFirstDelivery.size()
                  + " keys, all in order"),
          counts,
          Map.of());
    } catch (RuntimeException e) {
      return CheckResult.unknown(NAME, "checker crashed: " + e);
    }
  }
}
