package dev.natsproof.results;

import java.util.List;

/**
 * What one client costs over another, measured in alternating rounds in one process against one
 * server (A then B, B then A, ...), so the machine's drift falls on both sides: the Stream broker
 * over raw jnats for enqueue and consume ({@code WrapperOverhead}), and the Core broker's plain and
 * latest-only fan-out over raw jnats and over each other ({@code FanOutOverhead}). Written as
 * {@code NAME.json} ({@link #name()}). Every ratio carries its interval, and that is what the gate
 * judges ({@link GateEngine}).
 *
 * @param name the tool's file name without {@code .json}: wrapper-overhead or core-overhead
 * @param rows one per metric and pair of clients
 * @param provenance where it ran
 */
public record OverheadRun(String name, List<Row> rows, Provenance provenance) {
  public static final String WRAPPER = "wrapper-overhead";
  public static final String FAN_OUT = "core-overhead";

  /**
   * @param metric what was measured: throughput (higher is better), or p99 or CPU per delivery
   *     (lower is better)
   * @param client the client judged (the numerator)
   * @param reference what it is compared with (the denominator)
   * @param higherIsBetter true for a throughput: the ratio must reach a floor; false for a cost:
   *     the ratio must stay under a ceiling
   * @param clientValues the client's value per round
   * @param referenceValues the reference's value per round
   * @param ratio client / reference per round, with its median and interval
   * @param unit the values' unit (msgs/s, µs, ns)
   */
  public record Row(
      String metric,
      String client,
      String reference,
      boolean higherIsBetter,
      List<Double> clientValues,
      List<Double> referenceValues,
      Ratio ratio,
      String unit) {
    public static Row of(
        String metric,
        String client,
        String reference,
        boolean higherIsBetter,
        List<Double> clientValues,
        List<Double> referenceValues,
        String unit) {
      if (clientValues.size() != referenceValues.size()) {
        throw new IllegalArgumentException(
            metric + ": " + clientValues.size() + " vs " + referenceValues.size() + " rounds");
      }
      List<Double> ratios = new java.util.ArrayList<>();
      for (int i = 0; i < clientValues.size(); i++) {
        ratios.add(clientValues.get(i) / referenceValues.get(i));
      }
      return new Row(
          metric,
          client,
          reference,
          higherIsBetter,
          clientValues,
          referenceValues,
          Ratio.of(ratios),
          unit);
    }

    /** {@code throughput enqueue-sync broker/raw-jnats}. */
    public String label() {
      return metric + " " + client + "/" + reference;
    }

    /** Judged by the floor (throughputs) or the ceiling (costs) the gates file sets. */
    public Verdict verdict(GateLimits limits) {
      return higherIsBetter
          ? ratio.atLeast(limits.throughputRatioMin())
          : ratio.atMost(limits.costRatioMax());
    }

    public String limitText(GateLimits limits) {
      return higherIsBetter
          ? "≥ " + limits.throughputRatioMin() + " unless the whole interval is below"
          : "≤ " + limits.costRatioMax() + " unless the whole interval is above";
    }
  }

  /** The worst row's verdict; UNKNOWN when nothing was measured. */
  public Verdict verdict(GateLimits limits) {
    return rows.isEmpty()
        ? Verdict.UNKNOWN
        : Verdict.worst(rows.stream().map(r -> r.verdict(limits)).toList());
  }
}
