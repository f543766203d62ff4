package dev.natsproof.results;

import java.util.Map;

/**
 * One JMH benchmark result, as JMH writes it to {@code jmh.json} (JMH's own format, read only).
 *
 * @param benchmark the method, fully qualified
 * @param mode JMH's mode (thrpt, avgt, ss, …)
 * @param params the {@code @Param} values
 * @param score the primary metric
 * @param error its error (99.9 % confidence half-width), NaN when JMH had too few samples
 * @param unit the score's unit
 * @param forks forks run
 * @param samples measurement samples behind the score
 */
public record JmhResult(
    String benchmark,
    String mode,
    Map<String, String> params,
    double score,
    double error,
    String unit,
    int forks,
    int samples) {

  /** The benchmark method's short name. */
  public String shortName() {
    return benchmark.replaceAll(".*\\.", "");
  }

  /** Whether the error is at least the score: the number says nothing on its own. */
  public boolean noisy() {
    return Double.isNaN(error) || error >= Math.abs(score);
  }
}
