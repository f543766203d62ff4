package dev.natsproof.reports;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The statistics of a comparison, the way benchstat reads benchmarks: medians of rounds, the
 * relative change of the candidate's median, and a bootstrap confidence interval of that change. A
 * difference is <em>clear</em> only when the interval excludes zero; with too few rounds it never
 * is. Deterministic: the resampling is seeded.
 */
final class Stats {
  private Stats() {}

  static final int ITERATIONS = 4000;
  static final long SEED = 20261202L;

  /** Fewer rounds than this on either side: no interval, no clear difference. */
  static final int MIN_ROUNDS = 3;

  /**
   * @param baseMedian the baseline's median
   * @param candMedian the candidate's median
   * @param change (candidate − baseline) / baseline of the medians
   * @param low the 95 % interval's lower bound of {@code change}, NaN without enough rounds
   * @param high its upper bound
   * @param rounds the fewer rounds of the two sides
   */
  record Delta(
      double baseMedian, double candMedian, double change, double low, double high, int rounds) {
    boolean hasInterval() {
      return !Double.isNaN(low);
    }

    /** The interval excludes zero. */
    boolean clear() {
      return hasInterval() && (low > 0 || high < 0);
    }

    /** The change as people read it: "+12.3 %", or "from 0" when the baseline's median is 0. */
    String changeText() {
      return Double.isInfinite(change) ? "from 0" : percent(change);
    }

    /** The 95 % interval as "low … high", or "n/a" without enough rounds. */
    String intervalText() {
      return hasInterval() ? percent(low) + " … " + percent(high) : "n/a";
    }
  }

  /** A relative change as a signed percentage; an unbounded one (over a zero median) as ∞. */
  static String percent(double fraction) {
    if (Double.isInfinite(fraction)) {
      return fraction > 0 ? "+∞ %" : "−∞ %";
    }
    return String.format(java.util.Locale.ROOT, "%+.1f %%", fraction * 100);
  }

  static double median(double[] xs) {
    return dev.natsproof.results.Ratio.median(xs);
  }

  static double relative(double base, double cand) {
    if (base == 0) {
      return cand == 0 ? 0 : Double.POSITIVE_INFINITY;
    }
    return (cand - base) / Math.abs(base);
  }

  static Delta delta(double[] base, double[] cand) {
    double mb = median(base);
    double mc = median(cand);
    double change = relative(mb, mc);
    int rounds = Math.min(base.length, cand.length);
    if (rounds < MIN_ROUNDS) {
      return new Delta(mb, mc, change, Double.NaN, Double.NaN, rounds);
    }
    SplittableRandom rnd = new SplittableRandom(SEED);
    double[] changes = new double[ITERATIONS];
    double[] rb = new double[base.length];
    double[] rc = new double[cand.length];
    for (int i = 0; i < ITERATIONS; i++) {
      for (int j = 0; j < rb.length; j++) {
        rb[j] = base[rnd.nextInt(base.length)];
      }
      for (int j = 0; j < rc.length; j++) {
        rc[j] = cand[rnd.nextInt(cand.length)];
      }
      changes[i] = relative(median(rb), median(rc));
    }
    Arrays.sort(changes);
    return new Delta(
        mb,
        mc,
        change,
        changes[(int) (ITERATIONS * 0.025)],
        changes[(int) (ITERATIONS * 0.975) - 1],
        rounds);
  }
}
