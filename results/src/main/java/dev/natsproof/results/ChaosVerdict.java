package dev.natsproof.results;

import java.util.List;
import java.util.Map;

/**
 * One chaos run's outcome: workload × nemesis × schedule, judged from its recorded history. Written
 * as {@code <suite>/<run>/verdict.json} beside {@code history.jsonl}.
 *
 * @param suite the suite (a folder of runs)
 * @param run this run's name
 * @param workload the workload's name
 * @param nemesis the fault, or {@code none (control)}
 * @param negativeControl a run of a deliberately broken broker: it passes when the checkers say
 *     FAIL
 * @param writesThroughout the workload writes all along: every heal owes an acked write
 * @param consumesThroughout it consumes all along: every heal owes a delivery
 * @param verdict the run's verdict once findings are judged: a FAIL that every expected finding
 *     explains becomes INFO; UNKNOWN stays UNKNOWN
 * @param reasons one line per conclusion
 * @param checks every checker's own result
 * @param counts the numbers the gates read: acked, delivered, lost (gone from the stream), stalled
 *     (acked, not delivered, still stored), unexpected, …
 * @param faults every fault with its timing and recovery
 * @param findings known server behaviours seen, judged for this version
 * @param interventions what the broker did on its own
 * @param limits what the fault can and cannot show
 * @param postMortem what the servers held after the run, and the loss analysis when something was
 *     lost
 * @param provenance the server version and the rest
 * @param durationMs the run's length
 */
public record ChaosVerdict(
    String suite,
    String run,
    String workload,
    String nemesis,
    boolean negativeControl,
    boolean writesThroughout,
    boolean consumesThroughout,
    Verdict verdict,
    List<String> reasons,
    List<CheckResult> checks,
    Map<String, Long> counts,
    List<FaultWindow> faults,
    List<FindingCount> findings,
    Interventions interventions,
    String limits,
    Map<String, Object> postMortem,
    Provenance provenance,
    long durationMs) {

  public long count(String key) {
    return counts.getOrDefault(key, 0L);
  }

  /** Heal → first acked write, over the faults that had one. */
  public List<Long> recoveryToFirstAckMs() {
    return faults.stream()
        .map(FaultWindow::firstAckAfterHealMs)
        .filter(java.util.Objects::nonNull)
        .toList();
  }

  /** Heal → first delivery, over the faults that had one. */
  public List<Long> recoveryToFirstDeliveryMs() {
    return faults.stream()
        .map(FaultWindow::firstDeliveryAfterHealMs)
        .filter(java.util.Objects::nonNull)
        .toList();
  }

  /** Faults after which nothing was acked again although the load went on for {@code ms}. */
  public long healsWithoutAck(long ms) {
    return faults.stream().filter(f -> f.firstAckAfterHealMs() == null && f.watchedFor(ms)).count();
  }

  /** Faults after which nothing was acked, but the load ended sooner than {@code ms} after. */
  public long healsNotWatched(long ms) {
    return faults.stream()
        .filter(f -> f.firstAckAfterHealMs() == null && !f.watchedFor(ms))
        .count();
  }
}
