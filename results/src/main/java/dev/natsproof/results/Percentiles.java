package dev.natsproof.results;

import org.HdrHistogram.Histogram;

/**
 * Percentiles read from a histogram of microseconds (never averaged across runs).
 *
 * @param count values recorded
 * @param p50Micros median
 * @param p90Micros 90th percentile
 * @param p99Micros 99th percentile
 * @param p999Micros 99.9th percentile
 * @param maxMicros largest value
 */
public record Percentiles(
    long count, long p50Micros, long p90Micros, long p99Micros, long p999Micros, long maxMicros) {

  public static final Percentiles EMPTY = new Percentiles(0, 0, 0, 0, 0, 0);

  public static Percentiles of(Histogram h) {
    if (h.getTotalCount() == 0) {
      return EMPTY;
    }
    return new Percentiles(
        h.getTotalCount(),
        h.getValueAtPercentile(50),
        h.getValueAtPercentile(90),
        h.getValueAtPercentile(99),
        h.getValueAtPercentile(99.9),
        h.getMaxValue());
  }

  @Override
  public String toString() {
    return "p50="
        + Units.micros(p50Micros)
        + " p90="
        + Units.micros(p90Micros)
        + " p99="
        + Units.micros(p99Micros)
        + " p99.9="
        + Units.micros(p999Micros)
        + " max="
        + Units.micros(maxMicros)
        + " (n="
        + count
        + ")";
  }
}
