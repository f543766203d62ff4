package dev.natsproof.results;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The limits every gate reads, from one place: the gates file, read strictly (an unknown key is an
 * error, so a typo cannot turn a gate off). A fan-out workload may carry its own p99 limit: the
 * engine then applies the stricter of the two, on every path.
 *
 * <pre>
 * fanoutP99Micros: 10000              # fan-out p99 limit
 * hiccupP99Micros: 1000               # above this the platform stalled: latency gates say UNKNOWN
 * missingDeliveries: 0                # deliveries a fan-out run may miss
 * chaosLost: 0                        # acked and gone from the stream, per chaos run
 * chaosUnexpected: 0                  # delivered but never sent, per chaos run
 * recoveryMillis: 15000               # heal → first acked write, worst, any fault
 * singleNodeRecoveryP50Millis: 1000   # a restarted single server → first delivery, median
 * singleNodeRecoveryMaxMillis: 4000   # … and worst, over the kill and SIGTERM runs (see below)
 * singleNodeRedeliveryMaxMillis: 4000 # … worst where that first delivery was a redelivery (below)
 * coreGapMillis: 3000                 # a room's longest gap after a kill -9 of its server (cluster)
 * regressionPercent: 50               # compare: a candidate worse than this (and clearly so) fails
 * throughputRatioMin: 0.95            # alternating rounds: broker / raw jnats throughput floor
 * costRatioMax: 1.5                   # alternating rounds: p99 and CPU per delivery, one client / the other
 * </pre>
 *
 * <p>A restart whose first delivery is a redelivery (delivery count 2 or more) has its own bound,
 * the consumers' ack wait: after a kill -9 a server can restore a consumer whose acks it forgot
 * with its ack window full, and it delivers nothing until those deliveries' ack wait (3 s in the
 * chaos workloads) runs out. Seen on 2.9.10: first deliveries 1.5, 1.8 and 2.0 s after the restart,
 * each a redelivery, in about one restart of 50. Hence 4 s there: that ack wait, the reconnect wait
 * (at most 0.5 s) and a margin.
 *
 * <p>Every other restart is held to 4 s too, not the client's 2 s: the first delivery after a
 * restart also waits for something to deliver. A consumer that had caught up before the kill
 * delivers only once a writer is acked again, and writers wait out their per-attempt timeout (2 s
 * by default) for publishes the dying server never answered: seen on 2.15.1 in CI, settlement
 * (count 1, a new message) 2.03 s after the restart, its first ack about 2.0 s after it.
 */
public record GateLimits(
    long fanoutP99Micros,
    long hiccupP99Micros,
    long missingDeliveries,
    long chaosLost,
    long chaosUnexpected,
    long recoveryMillis,
    long singleNodeRecoveryP50Millis,
    long singleNodeRecoveryMaxMillis,
    long singleNodeRedeliveryMaxMillis,
    long coreGapMillis,
    double regressionPercent,
    double throughputRatioMin,
    double costRatioMax) {

  static final Map<String, Number> DEFAULTS = new LinkedHashMap<>();

  static {
    DEFAULTS.put("fanoutP99Micros", 10_000L);
    DEFAULTS.put("hiccupP99Micros", 1_000L);
    DEFAULTS.put("missingDeliveries", 0L);
    DEFAULTS.put("chaosLost", 0L);
    DEFAULTS.put("chaosUnexpected", 0L);
    DEFAULTS.put("recoveryMillis", 15_000L);
    DEFAULTS.put("singleNodeRecoveryP50Millis", 1_000L);
    DEFAULTS.put("singleNodeRecoveryMaxMillis", 4_000L);
    DEFAULTS.put("singleNodeRedeliveryMaxMillis", 4_000L);
    DEFAULTS.put("coreGapMillis", 3_000L);
    DEFAULTS.put("regressionPercent", 50.0);
    DEFAULTS.put("throughputRatioMin", 0.95);
    DEFAULTS.put("costRatioMax", 1.5);
  }

  public static Set<String> keys() {
    return new TreeSet<>(DEFAULTS.keySet());
  }

  public static GateLimits defaults() {
    return of(Map.of(), "the defaults");
  }

  public static GateLimits parse(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ResultsFormatException(
          "gates file "
              + file
              + " not found: pass an existing file or leave --gates out for the defaults");
    }
    Object doc;
    try (InputStream in = Files.newInputStream(file)) {
      doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
    } catch (IOException e) {
      throw new ResultsFormatException("cannot read gates file " + file + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new ResultsFormatException(
          "gates file " + file + " is not valid YAML: " + e.getMessage(), e);
    }
    if (doc == null) {
      return defaults();
    }
    if (!(doc instanceof Map<?, ?> m)) {
      throw new ResultsFormatException("gates file " + file + " must be a mapping of " + keys());
    }
    Map<String, Object> values = new LinkedHashMap<>();
    m.forEach((k, v) -> values.put(String.valueOf(k), v));
    return of(values, "gates file " + file);
  }

  static GateLimits of(Map<String, Object> given, String where) {
    for (String k : given.keySet()) {
      if (!DEFAULTS.containsKey(k)) {
        throw new ResultsFormatException(
            where + ": unknown key '" + k + "' (allowed: " + keys() + ")");
      }
    }
    Map<String, Number> v = new LinkedHashMap<>(DEFAULTS);
    given.forEach(
        (k, raw) -> {
          if (!(raw instanceof Number n) || n.doubleValue() < 0) {
            throw new ResultsFormatException(
                where + ": '" + k + "' must be a non-negative number, got '" + raw + "'");
          }
          v.put(k, n);
        });
    return new GateLimits(
        v.get("fanoutP99Micros").longValue(),
        v.get("hiccupP99Micros").longValue(),
        v.get("missingDeliveries").longValue(),
        v.get("chaosLost").longValue(),
        v.get("chaosUnexpected").longValue(),
        v.get("recoveryMillis").longValue(),
        v.get("singleNodeRecoveryP50Millis").longValue(),
        v.get("singleNodeRecoveryMaxMillis").longValue(),
        v.get("singleNodeRedeliveryMaxMillis").longValue(),
        v.get("coreGapMillis").longValue(),
        v.get("regressionPercent").doubleValue(),
        v.get("throughputRatioMin").doubleValue(),
        v.get("costRatioMax").doubleValue());
  }

  /** The same limits with another hiccup-control limit (a negative control lifts it). */
  public GateLimits withHiccupP99Micros(long micros) {
    return new GateLimits(
        fanoutP99Micros,
        micros,
        missingDeliveries,
        chaosLost,
        chaosUnexpected,
        recoveryMillis,
        singleNodeRecoveryP50Millis,
        singleNodeRecoveryMaxMillis,
        singleNodeRedeliveryMaxMillis,
        coreGapMillis,
        regressionPercent,
        throughputRatioMin,
        costRatioMax);
  }

  /** The p99 limit for a run of this workload: the stricter of the file's and the workload's. */
  public long fanoutP99Micros(Workload w) {
    return Math.min(fanoutP99Micros, w.gateP99Micros());
  }
}
