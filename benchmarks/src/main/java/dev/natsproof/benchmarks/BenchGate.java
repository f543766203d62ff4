package dev.natsproof.benchmarks;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Evaluates the benchmark gates over a results folder: every {@code fanout-*.json} through {@link
 * FanOutGate}, every {@code stream-e2e-*.json} on losing nothing (its latencies printed, not
 * gated), and the JMH JSON for broker/raw ratios (reported, not gated: one run on a shared box is
 * too noisy for a 5 % threshold). Prints PASS / FAIL / UNKNOWN per gate with its numbers, writes
 * {@code gates.json}, and exits non-zero unless every gate passed.
 *
 * <pre>java -cp benchmarks.jar dev.natsproof.benchmarks.BenchGate target/bench</pre>
 */
public final class BenchGate {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: BenchGate RESULTS_DIR");
      System.exit(3);
    }
    System.exit(run(Path.of(args[0])));
  }

  static int run(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      System.out.println("UNKNOWN no results folder " + dir + ": run the benchmarks first");
      return 2;
    }
    List<Map<String, Object>> gates = new ArrayList<>();
    Verdict overall = Verdict.PASS;
    List<Path> fanouts;
    try (Stream<Path> s = Files.list(dir)) {
      fanouts =
          s.filter(p -> p.getFileName().toString().matches("fanout-.*\\.json")).sorted().toList();
    }
    if (fanouts.isEmpty()) {
      gates.add(gate("fanout-p99", Verdict.UNKNOWN, List.of("no fanout-*.json in " + dir)));
      overall = Verdict.UNKNOWN;
    }
    for (Path f : fanouts) {
      FanOutResult r;
      try {
        r = JSON.readValue(f.toFile(), FanOutResult.class);
      } catch (IOException e) {
        gates.add(
            gate(
                f.getFileName().toString(),
                Verdict.UNKNOWN,
                List.of("unreadable: " + e.getMessage())));
        overall = MainJob.worse(overall, Verdict.UNKNOWN);
        continue;
      }
      FanOutGate.Outcome o =
          FanOutGate.evaluate(
              r, r.workload().gateP99Micros(), FanOutGate.DEFAULT_HICCUP_P99_LIMIT_MICROS);
      gates.add(
          gate("fanout-p99:" + r.workload().name() + ":" + r.variant(), o.verdict(), o.reasons()));
      overall = MainJob.worse(overall, o.verdict());
    }
    List<Path> streams;
    try (Stream<Path> s = Files.list(dir)) {
      streams =
          s.filter(p -> p.getFileName().toString().matches("stream-e2e-.*\\.json"))
              .sorted()
              .toList();
    }
    for (Path f : streams) {
      Map<String, Object> g = streamGate(f);
      gates.add(g);
      overall = MainJob.worse(overall, (Verdict) g.get("verdict"));
    }
    Map<String, Object> ratios = ratios(dir.resolve("jmh.json"));
    ratios.putAll(fanOutRatios(fanouts));
    for (Map<String, Object> g : gates) {
      System.out.printf("%-8s %s  %s%n", g.get("verdict"), g.get("gate"), g.get("reasons"));
    }
    ratios.forEach((k, v) -> System.out.printf("INFO     %s = %s%n", k, v));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("overall", overall);
    out.put("gates", gates);
    out.put("ratios", ratios);
    JSON.writeValue(dir.resolve("gates.json").toFile(), out);
    System.out.println("bench gates: " + overall);
    return overall == Verdict.PASS ? 0 : overall == Verdict.FAIL ? 1 : 2;
  }

  /** broker / raw-jnats fan-out p99 and client CPU per delivery, per workload (lower is better). */
  static Map<String, Object> fanOutRatios(List<Path> fanouts) {
    Map<String, FanOutResult> byKey = new LinkedHashMap<>();
    for (Path f : fanouts) {
      try {
        FanOutResult r = JSON.readValue(f.toFile(), FanOutResult.class);
        byKey.put(r.workload().name() + "|" + r.variant(), r);
      } catch (IOException e) {
        // already reported as an unreadable gate
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    byKey.forEach(
        (k, b) -> {
          FanOutResult raw = byKey.get(k.replace("|broker", "|raw-jnats"));
          if (k.endsWith("|broker") && raw != null && raw.latency().p99Micros() > 0) {
            String w = b.workload().name();
            out.put(
                "fanOut[" + w + "] p99 broker/raw-jnats",
                String.format(
                    "%.3f", b.latency().p99Micros() / (double) raw.latency().p99Micros()));
            if (raw.clientCpuNanosPerDelivery() > 0) {
              out.put(
                  "fanOut[" + w + "] CPU per delivery broker/raw-jnats",
                  String.format(
                      "%.3f", b.clientCpuNanosPerDelivery() / raw.clientCpuNanosPerDelivery()));
            }
          }
        });
    return out;
  }

  /** A JetStream end-to-end run passes when every acked message reached the handler. */
  static Map<String, Object> streamGate(Path f) {
    String name = "stream-lossless:" + f.getFileName().toString().replaceFirst("\\.json$", "");
    StreamLatencyResult r;
    try {
      r = JSON.readValue(f.toFile(), StreamLatencyResult.class);
    } catch (IOException e) {
      return gate(name, Verdict.UNKNOWN, List.of("unreadable: " + e.getMessage()));
    }
    return streamGate(name, r);
  }

  /** The lossless gate on one run, as read from its file or just measured (the main job). */
  static Map<String, Object> streamGate(String name, StreamLatencyResult r) {
    String counts =
        r.acked()
            + " acked, "
            + r.delivered()
            + " reached the handler, "
            + r.missingAcked()
            + " missing, "
            + r.notAcked()
            + " not acked";
    String latency =
        "enqueue→handler "
            + r.endToEnd()
            + ", enqueue→PubAck p99 "
            + r.enqueue().p99Micros()
            + " µs";
    if (r.error() != null) {
      return gate(name, Verdict.FAIL, List.of("the run failed: " + r.error(), counts));
    }
    boolean ok =
        r.acked() > 0 && r.delivered() == r.acked() && r.missingAcked() == 0 && r.notAcked() == 0;
    return gate(name, ok ? Verdict.PASS : Verdict.FAIL, List.of(counts, latency));
  }

  private static Map<String, Object> gate(String name, Verdict v, List<String> reasons) {
    Map<String, Object> g = new LinkedHashMap<>();
    g.put("gate", name);
    g.put("verdict", v);
    g.put("reasons", reasons);
    return g;
  }

  /** broker / raw-jnats throughput for each benchmark and mode found in the JMH JSON. */
  static Map<String, Object> ratios(Path jmhJson) throws IOException {
    Map<String, Object> out = new LinkedHashMap<>();
    if (!Files.exists(jmhJson)) {
      return out;
    }
    Map<String, Double> score = new LinkedHashMap<>();
    for (JsonNode b : JSON.readTree(jmhJson.toFile())) {
      String name = b.path("benchmark").asText().replaceAll(".*\\.", "");
      if (b.path("mode").asText().equals("ss") && !name.equals("consume")) {
        continue; // a scenario's wall time (fan-out, end to end): its ratios come from its JSON
      }
      JsonNode p = b.path("params");
      String client = p.path("client").asText("");
      // every other parameter tells runs apart (mode, replicas, ...): name=value, sorted
      java.util.TreeMap<String, String> others = new java.util.TreeMap<>();
      p.fields()
          .forEachRemaining(
              e -> {
                if (!e.getKey().equals("client")) {
                  others.put(e.getKey(), e.getValue().asText());
                }
              });
      String mode =
          others.isEmpty()
              ? ""
              : String.join(
                  ",",
                  others.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
      double s = b.path("primaryMetric").path("score").asDouble();
      String unit = b.path("primaryMetric").path("scoreUnit").asText();
      if (unit.endsWith("/op")) {
        s = s == 0 ? 0 : 1 / s; // time per op → ops per time unit (a ratio needs no more)
      }
      score.put(name + "|" + mode + "|" + client, s);
    }
    score.forEach(
        (k, v) -> {
          String[] parts = k.split("\\|", -1);
          if (parts[2].startsWith("broker")) {
            String rawClient = parts[2].replace("broker", "raw-jnats").replace("ackSync", "ack");
            Double raw = score.get(parts[0] + "|" + parts[1] + "|" + rawClient);
            if (raw != null && raw > 0) {
              out.put(
                  parts[0]
                      + (parts[1].isEmpty() ? "" : "[" + parts[1] + "]")
                      + " "
                      + parts[2]
                      + "/"
                      + rawClient,
                  String.format("%.3f", v / raw));
            }
          }
        });
    return out;
  }
}
