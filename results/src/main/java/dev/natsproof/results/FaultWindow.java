package dev.natsproof.results;

import java.util.List;

/**
 * One fault of a chaos run, on the run's clock.
 *
 * @param name the nemesis
 * @param cycle 1 for the first fault of the run
 * @param injectedAtMs when it was injected
 * @param healedAtMs when it was healed
 * @param firstAckAfterHealMs heal → the first acked write, or null if none followed
 * @param firstDeliveryAfterHealMs heal → the first delivery, or null if none followed
 * @param loadAfterHealMs heal → the end of the load (how long recovery could be watched), or null
 *     when the load's end is not in the history
 * @param steps what the nemesis did inside the fault (which node stopped, became leader, …)
 */
public record FaultWindow(
    String name,
    int cycle,
    long injectedAtMs,
    long healedAtMs,
    Long firstAckAfterHealMs,
    Long firstDeliveryAfterHealMs,
    Long loadAfterHealMs,
    List<String> steps) {

  /** Whether the load went on for {@code ms} after the heal (unknown counts as yes). */
  public boolean watchedFor(long ms) {
    return loadAfterHealMs == null || loadAfterHealMs >= ms;
  }
}
