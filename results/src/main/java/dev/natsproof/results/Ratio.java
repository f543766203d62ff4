package dev.natsproof.results;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A ratio measured in alternating rounds (A then B, B then A, ...): one ratio per round, their
 * median, and a 95 % bootstrap interval of that median. On a shared machine a single round scatters
 * by tens of percent; what a gate may judge is the interval, never one number. The resampling is
 * seeded, so the same rounds always give the same interval.
 *
 * @param rounds the per-round ratios
 * @param median their median
 * @param low the interval's lower bound, null with fewer than {@link #MIN_ROUNDS} rounds
 * @param high its upper bound, null likewise
 */
public record Ratio(List<Double> rounds, double median, Double low, Double high) {
  /** Fewer rounds than this: no interval, and no verdict but "cannot tell". */
  public static final int MIN_ROUNDS = 3;

  static final int ITERATIONS = 4000;
  static final long SEED = 20261202L;

  public Ratio {
    rounds = List.copyOf(rounds);
  }

  public static Ratio of(List<Double> perRound) {
    double[] xs = perRound.stream().mapToDouble(Double::doubleValue).toArray();
    double m = median(xs);
    if (xs.length < MIN_ROUNDS) {
      return new Ratio(perRound, m, null, null);
    }
    SplittableRandom rnd = new SplittableRandom(SEED);
    double[] medians = new double[ITERATIONS];
    double[] sample = new double[xs.length];
    for (int i = 0; i < ITERATIONS; i++) {
      for (int j = 0; j < sample.length; j++) {
        sample[j] = xs[rnd.nextInt(xs.length)];
      }
      medians[i] = median(sample);
    }
    Arrays.sort(medians);
    return new Ratio(
        perRound, m, medians[(int) (ITERATIONS * 0.025)], medians[(int) (ITERATIONS * 0.975) - 1]);
  }

  public static double median(double[] xs) {
    if (xs.length == 0) {
      return Double.NaN;
    }
    double[] s = xs.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  /**
   * Judged against a floor (higher is better, e.g. throughput broker / raw): FAIL when the whole
   * interval lies below it, PASS when the whole interval reaches it, INFO when the interval
   * straddles it (the rounds cannot tell), UNKNOWN with too few rounds.
   */
  public Verdict atLeast(double floor) {
    if (low == null) {
      return Verdict.UNKNOWN;
    }
    return high < floor ? Verdict.FAIL : low >= floor ? Verdict.PASS : Verdict.INFO;
  }

  /**
   * Judged against a ceiling (lower is better, e.g. p99 or CPU per delivery broker / raw): FAIL
   * when the whole interval lies above it, PASS when the whole interval is within it, INFO when it
   * straddles, UNKNOWN with too few rounds.
   */
  public Verdict atMost(double ceiling) {
    if (low == null) {
      return Verdict.UNKNOWN;
    }
    return low > ceiling ? Verdict.FAIL : high <= ceiling ? Verdict.PASS : Verdict.INFO;
  }

  /** {@code 1.04 [0.97, 1.12] over 5 rounds}. */
  public String describe() {
    String m = String.format(Locale.ROOT, "%.3f", median);
    return low == null
        ? m + " over " + rounds.size() + " round(s), too few for an interval"
        : m
            + String.format(Locale.ROOT, " [%.3f, %.3f]", low, high)
            + " over "
            + rounds.size()
            + " rounds";
  }
}
