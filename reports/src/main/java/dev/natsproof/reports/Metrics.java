package dev.natsproof.reports;

import dev.natsproof.results.CapacityRun;
import dev.natsproof.results.ChaosVerdict;
import dev.natsproof.results.CoreChaosVerdict;
import dev.natsproof.results.FanOutRun;
import dev.natsproof.results.JmhResult;
import dev.natsproof.results.RunResults;
import dev.natsproof.results.StreamRun;
import dev.natsproof.results.Units;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The comparable numbers of a results folder: each with a stable key, whether lower is better, and
 * whether a comparison judges it (the far tail of a run is a handful of samples: shown, never
 * judged). Values from several rounds (or several faults of one run) are samples of the same
 * metric.
 */
final class Metrics {
  private Metrics() {}

  enum Unit {
    MICROS,
    MILLIS,
    NANOS,
    COUNT;

    String format(double v) {
      if (Double.isNaN(v)) {
        return "n/a";
      }
      return switch (this) {
        case MICROS -> Units.micros(Math.round(v));
        case MILLIS -> Units.millis(Math.round(v));
        case NANOS -> Units.nanos(v);
        case COUNT ->
            v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.2f", v);
      };
    }
  }

  /**
   * @param group what it belongs to (a fan-out workload and client, a chaos fault, …)
   * @param name the number within the group
   */
  record Metric(String group, String name, Unit unit, boolean lowerIsBetter, boolean judged) {
    String key() {
      return group + " " + name;
    }
  }

  /** Every metric of every round, samples pooled per metric (insertion order kept). */
  static Map<Metric, double[]> of(List<RunResults> rounds) {
    Map<Metric, List<Double>> acc = new LinkedHashMap<>();
    for (RunResults r : rounds) {
      for (FanOutRun f : r.fanOuts()) {
        String g = "fan-out " + f.workload().name() + " " + f.client();
        add(acc, new Metric(g, "p50", Unit.MICROS, true, true), f.latency().p50Micros());
        add(acc, new Metric(g, "p99", Unit.MICROS, true, true), f.latency().p99Micros());
        add(acc, new Metric(g, "p99.9", Unit.MICROS, true, false), f.latency().p999Micros());
        add(acc, new Metric(g, "max", Unit.MICROS, true, false), f.latency().maxMicros());
        add(
            acc,
            new Metric(g, "client CPU per delivery", Unit.NANOS, true, true),
            f.clientCpuNanosPerDelivery());
        if (f.serverCpuNanosPerDelivery() >= 0) {
          add(
              acc,
              new Metric(g, "server CPU per delivery", Unit.NANOS, true, true),
              f.serverCpuNanosPerDelivery());
        }
        add(
            acc,
            new Metric(g, "missing deliveries", Unit.COUNT, true, true),
            f.missingDeliveries());
        add(
            acc,
            new Metric(g, "hiccup control p99", Unit.MICROS, true, false),
            f.hiccup().p99Micros());
      }
      for (StreamRun s : r.streams()) {
        String g = "JetStream " + s.name();
        add(
            acc,
            new Metric(g, "enqueue→handler p50", Unit.MICROS, true, true),
            s.endToEnd().p50Micros());
        add(
            acc,
            new Metric(g, "enqueue→handler p99", Unit.MICROS, true, true),
            s.endToEnd().p99Micros());
        add(
            acc,
            new Metric(g, "enqueue→PubAck p99", Unit.MICROS, true, true),
            s.enqueue().p99Micros());
        if (s.serverCpuNanosPerMessage() >= 0) {
          add(
              acc,
              new Metric(g, "server CPU per message", Unit.NANOS, true, true),
              s.serverCpuNanosPerMessage());
        }
        add(acc, new Metric(g, "acked never delivered", Unit.COUNT, true, true), s.missingAcked());
      }
      for (CapacityRun c : r.capacity()) {
        add(
            acc,
            new Metric(
                "capacity " + c.client() + " " + c.layout(),
                "rooms within the gate",
                Unit.COUNT,
                false,
                true),
            c.largestPassingRooms());
      }
      for (RunResults.Located<ChaosVerdict> lc : r.chaos()) {
        ChaosVerdict c = lc.result();
        if (c.negativeControl() || c.faults().isEmpty()) {
          continue;
        }
        String g = "chaos " + c.suite() + "/" + c.run();
        for (Long ms : c.recoveryToFirstAckMs()) {
          add(acc, new Metric(g, "heal → first ack", Unit.MILLIS, true, true), ms);
        }
        for (Long ms : c.recoveryToFirstDeliveryMs()) {
          add(acc, new Metric(g, "heal → first delivery", Unit.MILLIS, true, true), ms);
        }
      }
      for (RunResults.Located<CoreChaosVerdict> lc : r.coreChaos()) {
        CoreChaosVerdict c = lc.result();
        if (c.negativeControl()) {
          continue;
        }
        String g = "core chaos " + c.suite() + "/" + c.run();
        add(
            acc,
            new Metric(g, "longest room gap", Unit.MILLIS, true, true),
            c.frames().longestGapMs());
        add(acc, new Metric(g, "frames missed", Unit.COUNT, true, true), c.frames().missed());
        if (c.frames().worstRecoveryMs() != null) {
          add(
              acc,
              new Metric(g, "worst fault → frames again", Unit.MILLIS, true, true),
              c.frames().worstRecoveryMs());
        }
        add(
            acc,
            new Metric(g, "frame p99 during faults", Unit.MICROS, true, true),
            c.latencyDuringFault().p99Micros());
        add(
            acc,
            new Metric(g, "room server lateness p99", Unit.MICROS, true, true),
            c.publisher().p99Micros());
        if (c.serverCpuNanosPerFrame() != null) {
          add(
              acc,
              new Metric(g, "server CPU per frame", Unit.NANOS, true, true),
              c.serverCpuNanosPerFrame());
        }
        add(
            acc,
            new Metric(g, "command p99 with retries", Unit.MICROS, true, true),
            c.commands().latencyWithRetries().p99Micros());
      }
      for (JmhResult j : r.jmh()) {
        TreeMap<String, String> p = new TreeMap<>(j.params());
        String g = "jmh " + j.shortName() + (p.isEmpty() ? "" : " " + p);
        boolean throughput = j.unit().contains("ops/");
        add(
            acc,
            new Metric(g, "score (" + j.unit() + ")", Unit.COUNT, !throughput, !j.noisy()),
            j.score());
      }
    }
    Map<Metric, double[]> out = new LinkedHashMap<>();
    acc.forEach((k, v) -> out.put(k, v.stream().mapToDouble(Double::doubleValue).toArray()));
    return out;
  }

  private static void add(Map<Metric, List<Double>> acc, Metric m, double v) {
    acc.computeIfAbsent(m, k -> new ArrayList<>()).add(v);
  }
}
