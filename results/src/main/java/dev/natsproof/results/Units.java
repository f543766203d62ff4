package dev.natsproof.results;

import java.util.Locale;

/** Human units, chosen per value: 870 µs, 4.3 ms, 12.0 s. */
public final class Units {
  private Units() {}

  public static String micros(long us) {
    if (us < 0) {
      return "n/a";
    }
    if (us < 1_000) {
      return us + " µs";
    }
    if (us < 1_000_000) {
      return String.format(Locale.ROOT, us < 100_000 ? "%.2f ms" : "%.1f ms", us / 1e3);
    }
    return String.format(Locale.ROOT, "%.2f s", us / 1e6);
  }

  public static String millis(long ms) {
    return ms < 0 ? "n/a" : micros(ms * 1000);
  }

  public static String nanos(double ns) {
    if (ns < 1_000) {
      return String.format(Locale.ROOT, "%.0f ns", ns);
    }
    return String.format(Locale.ROOT, "%.2f µs", ns / 1e3);
  }

  public static String percent(double fraction) {
    return String.format(Locale.ROOT, "%+.1f %%", fraction * 100);
  }
}
