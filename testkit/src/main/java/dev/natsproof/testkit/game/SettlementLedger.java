package dev.natsproof.testkit.game;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * An in-memory stand-in for the game's currency ledger: it credits each battle's reward at most
 * once, keyed by the battle id. JetStream delivers at least once (a crash can lose an ack and
 * redeliver), so the business side must be idempotent; this is the smallest honest version.
 */
public final class SettlementLedger {
  private final Map<String, Long> appliedBattles = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> balances = new ConcurrentHashMap<>();
  private final LongAdder duplicatesIgnored = new LongAdder();

  /** Credits {@code gold} to {@code player} for {@code battleId}; false if already credited. */
  public boolean credit(String battleId, String player, long gold) {
    if (appliedBattles.putIfAbsent(battleId, gold) != null) {
      duplicatesIgnored.increment();
      return false;
    }
    balances.computeIfAbsent(player, p -> new LongAdder()).add(gold);
    return true;
  }

  public int battlesApplied() {
    return appliedBattles.size();
  }

  public boolean applied(String battleId) {
    return appliedBattles.containsKey(battleId);
  }

  public long balance(String player) {
    LongAdder a = balances.get(player);
    return a == null ? 0 : a.sum();
  }

  public long totalGold() {
    return balances.values().stream().mapToLong(LongAdder::sum).sum();
  }

  public long duplicatesIgnored() {
    return duplicatesIgnored.sum();
  }
}
