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
 * @param firstDeliveryCount that first delivery's delivery count: 2 or more is a redelivery (the
 *     restarted server waited out an ack wait before it), null when unknown or no delivery followed
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
    Long firstDeliveryCount,
    Long loadAfterHealMs,
    List<String> steps) {

  /** A fault whose first delivery's count is not known (Core, an upgrade step). */
  public FaultWindow(
      String name,
      int cycle,
      long injectedAtMs,
      long healedAtMs,
      Long firstAckAfterHealMs,
      Long firstDeliveryAfterHealMs,
      Long loadAfterHealMs,
      List<String> steps) {
    this(
        name,
        cycle,
        injectedAtMs,
        healedAtMs,
        firstAckAfterHealMs,
        firstDeliveryAfterHealMs,
        null,
        loadAfterHealMs,
        steps);
  }

  /** The first delivery after the heal was a redelivery: it followed an ack wait, not a pull. */
  public boolean firstDeliveryRedelivered() {
    return firstDeliveryCount != null && firstDeliveryCount >= 2;
  }

  /** Whether the load went on for {@code ms} after the heal (unknown counts as yes). */
  public boolean watchedFor(long ms) {
    return loadAfterHealMs == null || loadAfterHealMs >= ms;
  }
}
