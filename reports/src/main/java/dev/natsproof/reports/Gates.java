package dev.natsproof.reports;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The gates file: a few numbers, read strictly (an unknown key is an error, so a typo cannot turn a
 * gate off).
 *
 * <pre>
 * fanoutP99Micros: 10000      # fan-out p99 limit
 * hiccupP99Micros: 1000       # above this the platform stalled: latency gates say UNKNOWN
 * missingDeliveries: 0        # deliveries a fan-out run may miss
 * chaosLost: 0                # acked but never delivered, per chaos run
 * chaosUnexpected: 0          # delivered but never sent, per chaos run
 * recoveryMillis: 15000       # restart → first acked enqueue, worst per chaos run
 * regressionPercent: 50       # compare: a candidate worse than this fails (noise of one run
 *                             # on a shared 2-core box: p99 +35 %, p50 +17 %, same binary twice)
 * </pre>
 */
public record Gates(
    long fanoutP99Micros,
    long hiccupP99Micros,
    long missingDeliveries,
    long chaosLost,
    long chaosUnexpected,
    long recoveryMillis,
    double regressionPercent) {

  static final Set<String> KEYS =
      new TreeSet<>(
          Set.of(
              "fanoutP99Micros",
              "hiccupP99Micros",
              "missingDeliveries",
              "chaosLost",
              "chaosUnexpected",
              "recoveryMillis",
              "regressionPercent"));

  public static Gates defaults() {
    return new Gates(10_000, 1_000, 0, 0, 0, 15_000, 50);
  }

  public static Gates parse(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ReportException(
          "gates file "
              + file
              + " not found: pass an existing file or leave --gates out for the defaults");
    }
    try (InputStream in = Files.newInputStream(file)) {
      Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
      if (doc == null) {
        return defaults();
      }
      if (!(doc instanceof Map<?, ?> m)) {
        throw new ReportException("gates file " + file + " must be a mapping of " + KEYS);
      }
      Gates d = defaults();
      for (Object k : m.keySet()) {
        if (!KEYS.contains(String.valueOf(k))) {
          throw new ReportException(
              "gates file " + file + ": unknown key '" + k + "' (allowed: " + KEYS + ")");
        }
      }
      return new Gates(
          num(m, "fanoutP99Micros", d.fanoutP99Micros(), file),
          num(m, "hiccupP99Micros", d.hiccupP99Micros(), file),
          num(m, "missingDeliveries", d.missingDeliveries(), file),
          num(m, "chaosLost", d.chaosLost(), file),
          num(m, "chaosUnexpected", d.chaosUnexpected(), file),
          num(m, "recoveryMillis", d.recoveryMillis(), file),
          m.get("regressionPercent") instanceof Number n ? n.doubleValue() : d.regressionPercent());
    } catch (IOException e) {
      throw new ReportException("cannot read gates file " + file + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      if (e instanceof ReportException re) {
        throw re;
      }
      throw new ReportException("gates file " + file + " is not valid YAML: " + e.getMessage(), e);
    }
  }

  private static long num(Map<?, ?> m, String key, long dflt, Path file) {
    Object v = m.get(key);
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof Number n) || n.longValue() < 0) {
      throw new ReportException(
          "gates file " + file + ": '" + key + "' must be a non-negative number, got '" + v + "'");
    }
    return n.longValue();
  }
}
