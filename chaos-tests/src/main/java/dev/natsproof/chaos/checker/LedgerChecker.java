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
 * Settlement ledger exactness: every acked battle credited exactly once, nothing credited that was
 * not sent. "credit" ops carry the battle id and whether the ledger applied it ("applied" or
 * "duplicate"); the ledger's final total is checked against the acked rewards.
 */
public final class LedgerChecker {
  public static final String NAME = "settlement-ledger";

  private LedgerChecker() {}

  /**
   * @param finalTotal the ledger's total gold after the drain
   * @param rewardOf the reward of each battle id as sent
   */
  public static CheckResult check(History h, long finalTotal, Map<String, Long> rewardOf) {
    try {
      Set<String> acked = new HashSet<>();
      Map<String, Integer> applied = new HashMap<>();
      for (Op op : h.ops()) {
        if (op.is(Op.ENQUEUE) && op.ok()) {
          acked.add(op.value());
        } else if (op.is("credit") && "applied".equals(op.detail())) {
          applied.merge(op.value(), 1, Integer::sum);
        }
      }
      List<String> missing = new ArrayList<>();
      List<String> twice = new ArrayList<>();
      List<String> phantom = new ArrayList<>();
      long expectedGold = 0;
      for (String b : acked) {
        expectedGold += rewardOf.getOrDefault(b, 0L);
        if (!applied.containsKey(b)) {
          missing.add(b);
        }
      }
      for (Map.Entry<String, Integer> e : applied.entrySet()) {
        if (e.getValue() > 1) {
          twice.add(e.getKey());
        }
        if (!rewardOf.containsKey(e.getKey())) {
          phantom.add(e.getKey());
        }
      }
      // Indeterminate battles that were applied are fine: their gold counts too.
      long appliedGold = 0;
      for (String b : applied.keySet()) {
        appliedGold += rewardOf.getOrDefault(b, 0L);
      }
      Map<String, Long> counts = new LinkedHashMap<>();
      counts.put("battlesAcked", (long) acked.size());
      counts.put("battlesApplied", (long) applied.size());
      counts.put("missing", (long) missing.size());
      counts.put("appliedTwice", (long) twice.size());
      counts.put("phantom", (long) phantom.size());
      counts.put("expectedGoldAtLeast", expectedGold);
      counts.put("ledgerGold", finalTotal);
      if (acked.isEmpty() || applied.isEmpty()) {
        return new CheckResult(
            NAME, Verdict.UNKNOWN, List.of("nothing acked or nothing applied"), counts, Map.of());
      }
      List<String> reasons = new ArrayList<>();
      if (!missing.isEmpty()) {
        reasons.add(
            missing.size() + " acked battles never credited, e.g. " + QueueChecker.sample(missing));
      }
      if (!twice.isEmpty()) {
        reasons.add(twice.size() + " battles credited twice, e.g. " + QueueChecker.sample(twice));
      }
      if (!phantom.isEmpty()) {
        reasons.add(
            phantom.size()
                + " credits for battles never sent, e.g. "
                + QueueChecker.sample(phantom));
      }
      if (finalTotal != appliedGold) {
        reasons.add("ledger total " + finalTotal + " != sum of applied rewards " + appliedGold);
      }
      if (!reasons.isEmpty()) {
        return new CheckResult(
            NAME, Verdict.FAIL, reasons, counts, Map.of("missing", QueueChecker.sample(missing)));
      }
      return new CheckResult(
          NAME,
          Verdict.PASS,
          List.of(
              applied.size() + " battles credited exactly once; ledger " + finalTotal + " gold"),
          counts,
          Map.of());
    } catch (RuntimeException e) {
      return CheckResult.unknown(NAME, "checker crashed: " + e);
    }
  }
}
