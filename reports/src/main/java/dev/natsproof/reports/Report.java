package dev.natsproof.reports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * Renders a run as {@code report.html} (self-contained, plots embedded), {@code report.md} (for a
 * CI comment) and {@code report.json}.
 */
public final class Report {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Report() {}

  /** Writes the three files into {@code out} and returns the gate results. */
  public static List<GateResult> write(Results r, Gates g, Path out) {
    List<GateResult> gates = GateEvaluator.evaluate(r, g);
    try {
      Files.createDirectories(out);
      Files.writeString(out.resolve("report.html"), html(r, gates));
      Files.writeString(out.resolve("report.md"), markdown(r, gates));
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("exitCode", GateEvaluator.exitCode(gates));
      json.put("gates", gates);
      json.put("fanOut", r.fanOuts().stream().map(f -> f.json()).toList());
      json.put("jetStream", r.streams().stream().map(s -> s.json()).toList());
      json.put("capacity", r.capacity().stream().map(c -> c.json()).toList());
      json.put("chaos", r.chaos().stream().map(c -> c.json()).toList());
      json.put("jmh", r.jmh());
      JSON.writeValue(out.resolve("report.json").toFile(), json);
    } catch (IOException e) {
      throw new ReportException("cannot write the report under " + out + ": " + e.getMessage(), e);
    }
    return gates;
  }

  static String esc(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  static String ms(long micros) {
    return String.format("%.2f", micros / 1000.0);
  }

  // ---------------------------------------------------------------- Markdown

  static String markdown(Results r, List<GateResult> gates) {
    StringBuilder md = new StringBuilder("## natsproof report\n\n");
    md.append("Overall: **")
        .append(overall(gates))
        .append("**\n\n| gate | verdict | detail |\n|---|---|---|\n");
    for (GateResult g : gates) {
      md.append("| ")
          .append(g.gate())
          .append(" | ")
          .append(g.verdict())
          .append(" | ")
          .append(g.detail().replace("|", "/"))
          .append(" |\n");
    }
    if (!r.fanOuts().isEmpty()) {
      md.append(
              "\n| fan-out | client | p50 ms | p99 ms | p99.9 ms | max ms | hiccup p99 ms | delivered | CPU µs/delivery |\n")
          .append("|---|---|---|---|---|---|---|---|---|\n");
      for (Results.FanOut f : r.fanOuts()) {
        md.append(
            String.format(
                "| %s | %s | %s | %s | %s | %s | %s | %d/%d | %.2f |%n",
                f.workload(),
                f.client(),
                ms(f.latency("p50Micros")),
                ms(f.latency("p99Micros")),
                ms(f.latency("p999Micros")),
                ms(f.latency("maxMicros")),
                ms(f.hiccup("p99Micros")),
                f.num("deliveries"),
                f.num("expectedDeliveries"),
                f.json().path("clientCpuNanosPerDelivery").asDouble() / 1000));
      }
    }
    if (!r.streams().isEmpty()) {
      md.append(
              "\n| JetStream run | acked | reached handler | missing | enqueue→handler p50 ms | p99 ms"
                  + " | max ms | enqueue→PubAck p99 ms | hiccup p99 ms |\n")
          .append("|---|---|---|---|---|---|---|---|---|\n");
      for (Results.StreamRun st : r.streams()) {
        md.append(
            String.format(
                "| %s | %d | %d | %d | %s | %s | %s | %s | %s |%n",
                st.name(),
                st.num("acked"),
                st.num("delivered"),
                st.num("missingAcked"),
                ms(st.endToEnd("p50Micros")),
                ms(st.endToEnd("p99Micros")),
                ms(st.endToEnd("maxMicros")),
                ms(st.enqueue("p99Micros")),
                ms(st.hiccup("p99Micros"))));
      }
    }
    for (Results.Capacity c : r.capacity()) {
      md.append("\n").append(capacityHeadline(c)).append("\n\n");
      md.append(
              "| rooms | verdict | p99 ms | hiccup p99 ms | delivered | CPU µs/delivery | runs |\n")
          .append("|---|---|---|---|---|---|---|\n");
      for (JsonNode a : c.json().path("attempts")) {
        md.append(
            String.format(
                "| %d | %s | %s | %s | %d/%d | %.2f | %d |%n",
                a.path("rooms").asLong(),
                a.path("verdict").asText(),
                ms(a.path("p99Micros").asLong()),
                ms(a.path("hiccupP99Micros").asLong()),
                a.path("deliveries").asLong(),
                a.path("expectedDeliveries").asLong(),
                a.path("clientCpuNanosPerDelivery").asDouble() / 1000,
                a.path("tries").asLong()));
      }
    }
    if (!r.chaos().isEmpty()) {
      md.append(
              "\n| chaos run | fault | verdict | acked | lost | unexpected | duplicates | worst recovery ms |\n")
          .append("|---|---|---|---|---|---|---|---|\n");
      for (Results.Chaos c : r.chaos()) {
        md.append(
            String.format(
                "| %s/%s | %s | %s | %d | %d | %d | %d | %d |%n",
                c.suite(),
                c.run(),
                c.json().path("nemesis").asText(),
                c.status(),
                c.count("acked"),
                c.count("lost"),
                c.count("unexpected"),
                c.count("duplicateDeliveries"),
                c.worstRecoveryMillis()));
      }
    }
    return md.toString();
  }

  static String overall(List<GateResult> gates) {
    return switch (GateEvaluator.exitCode(gates)) {
      case 0 -> "PASS";
      case 1 -> "FAIL";
      default -> "UNKNOWN";
    };
  }

  // ---------------------------------------------------------------- HTML

  static String html(Results r, List<GateResult> gates) {
    StringBuilder h = new StringBuilder();
    h.append(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>natsproof report</title><style>")
        .append(
            "body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;margin:1em 0}")
        .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;font-size:14px}")
        .append(
            ".PASS{background:#d8f5d8}.FAIL{background:#f8d0d0}.UNKNOWN{background:#f5ecc8}.INFO{background:#e4ecf8}")
        .append("img.plot{display:block;margin:1em 0;max-width:100%}</style></head><body>")
        .append("<h1>natsproof report</h1><p>Overall: <b id=\"overall\" class=\"")
        .append(overall(gates))
        .append("\">")
        .append(overall(gates))
        .append("</b> — ")
        .append(esc(r.dir().toString()))
        .append("</p>");
    provenance(h, r);
    h.append("<h2>Gates</h2><table><tr><th>gate</th><th>verdict</th><th>detail</th></tr>");
    for (GateResult g : gates) {
      h.append("<tr class=\"")
          .append(g.verdict())
          .append("\"><td>")
          .append(esc(g.gate()))
          .append("</td><td>")
          .append(g.verdict())
          .append("</td><td>")
          .append(esc(g.detail()))
          .append("</td></tr>");
    }
    h.append("</table>");
    fanOut(h, r);
    streams(h, r);
    capacity(h, r);
    jmh(h, r);
    chaos(h, r);
    h.append("<script>(function(){var imgs=document.querySelectorAll('img.plot');var ok=true;")
        .append("imgs.forEach(function(i){if(!(i.complete&&i.naturalWidth>0))ok=false;});")
        .append(
            "document.body.setAttribute('data-rendered',ok?'ok:'+imgs.length:'broken');})();</script>")
        .append("</body></html>\n");
    return h.toString();
  }

  private static void img(StringBuilder h, String dataUri, String alt) {
    h.append("<img class=\"plot\" alt=\"")
        .append(esc(alt))
        .append("\" src=\"")
        .append(dataUri)
        .append("\">");
  }

  private static void provenance(StringBuilder h, Results r) {
    JsonNode p = null;
    for (Results.FanOut f : r.fanOuts()) {
      p = f.provenance();
    }
    if (p == null || p.isMissingNode() || p.isNull()) {
      return;
    }
    h.append("<h2>Provenance</h2><table>");
    p.fields()
        .forEachRemaining(
            e ->
                h.append("<tr><th>")
                    .append(esc(e.getKey()))
                    .append("</th><td>")
                    .append(esc(e.getValue().asText()))
                    .append("</td></tr>"));
    h.append("</table>");
  }

  private static void fanOut(StringBuilder h, Results r) {
    if (r.fanOuts().isEmpty()) {
      return;
    }
    h.append(
            "<h2>Room fan-out (open loop: receive − intended send time)</h2><table><tr><th>workload</th><th>client</th>")
        .append(
            "<th>p50 ms</th><th>p99 ms</th><th>p99.9 ms</th><th>max ms</th><th>hiccup p99 ms</th>")
        .append(
            "<th>publisher lateness p99 ms</th><th>delivered</th><th>CPU µs/delivery</th></tr>");
    for (Results.FanOut f : r.fanOuts()) {
      h.append(
          String.format(
              "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%d/%d</td><td>%.2f</td></tr>",
              esc(f.workload()),
              esc(f.client()),
              ms(f.latency("p50Micros")),
              ms(f.latency("p99Micros")),
              ms(f.latency("p999Micros")),
              ms(f.latency("maxMicros")),
              ms(f.hiccup("p99Micros")),
              ms(f.json().path("publisherLateness").path("p99Micros").asLong()),
              f.num("deliveries"),
              f.num("expectedDeliveries"),
              f.json().path("clientCpuNanosPerDelivery").asDouble() / 1000));
    }
    h.append("</table>");
    Map<String, Histogram> lat = new TreeMap<>();
    r.hlogs()
        .forEach(
            (k, v) -> {
              if (!k.startsWith("stream-e2e-")
                  && (k.endsWith("-fanout-latency") || k.endsWith("-hiccup"))) {
                lat.put(
                    k.replace("-fanout-latency", "").replace("-hiccup", " (hiccup control)"), v);
              }
            });
    if (!lat.isEmpty()) {
      img(
          h,
          Charts.percentileDistribution("Fan-out latency by percentile", lat),
          "latency percentile distribution");
    }
    try (var files = Files.list(r.dir())) {
      for (Path f :
          files.filter(p -> p.toString().endsWith("-fanout-latency.hlog")).sorted().toList()) {
        List<double[]> s = Results.hlogSeries(f);
        double[] xs = s.stream().mapToDouble(v -> v[0]).toArray();
        Map<String, double[]> ys = new LinkedHashMap<>();
        ys.put("p99 ms", s.stream().mapToDouble(v -> v[1] / 1000).toArray());
        ys.put("max ms", s.stream().mapToDouble(v -> v[2] / 1000).toArray());
        img(
            h,
            Charts.timeline(
                "Fan-out latency over time: " + f.getFileName(), "ms", xs, ys, List.of()),
            "latency over time");
      }
    } catch (IOException e) {
      throw new ReportException("cannot list " + r.dir() + ": " + e.getMessage(), e);
    }
  }

  private static void streams(StringBuilder h, Results r) {
    if (r.streams().isEmpty()) {
      return;
    }
    h.append("<h2>JetStream end to end (open loop, from the intended enqueue time)</h2><table><tr>")
        .append("<th>run</th><th>acked</th><th>reached handler</th><th>missing</th>")
        .append("<th>duplicates</th><th>enqueue→handler p50 ms</th><th>p99 ms</th>")
        .append("<th>p99.9 ms</th><th>max ms</th><th>enqueue→PubAck p99 ms</th>")
        .append("<th>hiccup p99 ms</th></tr>");
    for (Results.StreamRun st : r.streams()) {
      h.append(
          String.format(
              "<tr><td>%s</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%s</td><td>%s</td>"
                  + "<td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>",
              esc(st.name()),
              st.num("acked"),
              st.num("delivered"),
              st.num("missingAcked"),
              st.num("duplicateDeliveries"),
              ms(st.endToEnd("p50Micros")),
              ms(st.endToEnd("p99Micros")),
              ms(st.endToEnd("p999Micros")),
              ms(st.endToEnd("maxMicros")),
              ms(st.enqueue("p99Micros")),
              ms(st.hiccup("p99Micros"))));
    }
    h.append("</table>");
    Map<String, Histogram> lat = new TreeMap<>();
    r.hlogs()
        .forEach(
            (k, v) -> {
              if (k.startsWith("stream-e2e-") && k.endsWith("-latency")) {
                lat.put(k.replace("-latency", " enqueue→handler"), v);
              }
            });
    if (!lat.isEmpty()) {
      img(
          h,
          Charts.percentileDistribution("JetStream enqueue→handler latency by percentile", lat),
          "JetStream latency percentile distribution");
    }
  }

  static String capacityHeadline(Results.Capacity c) {
    JsonNode j = c.json();
    return String.format(
            "Capacity (%s): largest passing room count %d (× %d players at %d Hz, %d B frames; gate p99 ≤"
                + " %s ms with a quiet hiccup control; %d s runs, searched %d..%d)",
            c.client(),
            j.path("largestPassingRooms").asLong(),
            j.path("playersPerRoom").asLong(),
            j.path("hz").asLong(),
            j.path("payloadBytes").asLong(),
            ms(j.path("gateP99Micros").asLong()),
            j.path("durationSeconds").asLong(),
            j.path("lo").asLong(),
            j.path("hi").asLong())
        + (j.path("largestPassingRooms").asLong() == j.path("hi").asLong()
            ? ": the upper bound passed, so the capacity is higher; search again with a larger hi"
            : "");
  }

  private static void capacity(StringBuilder h, Results r) {
    if (r.capacity().isEmpty()) {
      return;
    }
    h.append("<h2>Capacity at the latency SLO (bisection, in the order tried)</h2>");
    for (Results.Capacity c : r.capacity()) {
      h.append("<p>").append(esc(capacityHeadline(c))).append("</p><table><tr>");
      h.append("<th>rooms</th><th>verdict</th><th>p99 ms</th><th>hiccup p99 ms</th>")
          .append("<th>delivered</th><th>CPU µs/delivery</th><th>runs</th><th>why</th></tr>");
      for (JsonNode a : c.json().path("attempts")) {
        String v = a.path("verdict").asText();
        h.append(
            String.format(
                "<tr class=\"%s\"><td>%d</td><td>%s</td><td>%s</td><td>%s</td><td>%d/%d</td>"
                    + "<td>%.2f</td><td>%d</td><td>%s</td></tr>",
                esc(v),
                a.path("rooms").asLong(),
                esc(v),
                ms(a.path("p99Micros").asLong()),
                ms(a.path("hiccupP99Micros").asLong()),
                a.path("deliveries").asLong(),
                a.path("expectedDeliveries").asLong(),
                a.path("clientCpuNanosPerDelivery").asDouble() / 1000,
                a.path("tries").asLong(),
                esc(a.path("reason").asText())));
      }
      h.append("</table>");
    }
  }

  /** Seconds in the time unit of a JMH "time per op" score unit (s/op, ms/op, us/op, ns/op). */
  static double secondsPer(String scoreUnit) {
    return switch (scoreUnit) {
      case "s/op" -> 1;
      case "ms/op" -> 1e-3;
      case "us/op" -> 1e-6;
      case "ns/op" -> 1e-9;
      default -> 0;
    };
  }

  private static void jmh(StringBuilder h, Results r) {
    if (r.jmh().isEmpty()) {
      return;
    }
    h.append(
        "<h2>JMH</h2><table><tr><th>benchmark</th><th>score</th><th>± error</th><th>unit</th></tr>");
    Map<String, Double> throughput = new LinkedHashMap<>();
    for (Results.Jmh j : r.jmh()) {
      h.append("<tr><td>")
          .append(esc(j.label()))
          .append("</td><td>")
          .append(String.format("%.3f", j.score()))
          .append("</td><td>")
          .append(String.format("%.3f", j.error()))
          .append("</td><td>")
          .append(esc(j.unit()))
          .append("</td></tr>");
      if (j.unit().equals("ops/s")) {
        throughput.put(j.label(), j.score());
      } else if (j.unit().endsWith("/op")
          && secondsPer(j.unit()) > 0
          && j.score() > 0
          && j.benchmark().startsWith("Consume")) {
        throughput.put(j.label(), 1 / (j.score() * secondsPer(j.unit())));
      }
    }
    h.append("</table>");
    if (!throughput.isEmpty()) {
      img(
          h,
          Charts.bars("Throughput (ops/s), side by side in one run", "ops/s", throughput),
          "throughput");
    }
  }

  private static void chaos(StringBuilder h, Results r) {
    if (r.chaos().isEmpty()) {
      return;
    }
    h.append(
            "<h2>Chaos matrix</h2><table><tr><th>suite/run</th><th>fault</th><th>verdict</th><th>acked</th><th>delivered</th>")
        .append(
            "<th>lost</th><th>unexpected</th><th>indeterminate</th><th>duplicates</th><th>restart → ack ms</th><th>restart → delivery ms</th></tr>");
    Map<String, Double> recovery = new LinkedHashMap<>();
    for (Results.Chaos c : r.chaos()) {
      h.append("<tr class=\"")
          .append(c.lossAllowed() ? "INFO" : c.status())
          .append("\"><td>")
          .append(esc(c.suite() + "/" + c.run()))
          .append("</td><td>")
          .append(esc(c.json().path("nemesis").asText()))
          .append("</td><td>")
          .append(c.status())
          .append("</td><td>")
          .append(c.count("acked"))
          .append("</td><td>")
          .append(c.count("delivered"))
          .append("</td><td>")
          .append(c.count("lost"))
          .append("</td><td>")
          .append(c.count("unexpected"))
          .append("</td><td>")
          .append(c.count("indeterminate"))
          .append("</td><td>")
          .append(c.count("duplicateDeliveries"))
          .append("</td><td>")
          .append(esc(c.json().path("restartToFirstAckMs").toString()))
          .append("</td><td>")
          .append(esc(c.json().path("restartToFirstDeliveryMs").toString()))
          .append("</td></tr>");
      if (c.worstRecoveryMillis() >= 0) {
        recovery.put(c.suite() + "/" + c.run(), (double) c.worstRecoveryMillis());
      }
    }
    h.append("</table>");
    if (!recovery.isEmpty()) {
      img(
          h,
          Charts.bars("Worst recovery per run: restart → first acked enqueue (ms)", "ms", recovery),
          "recovery times");
    }
    int plotted = 0;
    for (Results.Chaos c : r.chaos()) {
      Path hist = c.dir().resolve("history.jsonl");
      if (plotted < 12 && Files.exists(hist) && c.json().path("faults").size() > 0) {
        timeline(h, c, hist);
        plotted++;
      }
    }
  }

  /** Acked enqueues per second and enqueue latency p99 per second, fault windows shaded. */
  private static void timeline(StringBuilder h, Results.Chaos c, Path hist) {
    TreeMap<Integer, List<Long>> perSecond = new TreeMap<>();
    List<double[]> faults = new ArrayList<>();
    double faultStart = -1;
    try (BufferedReader in = Files.newBufferedReader(hist)) {
      String line;
      while ((line = in.readLine()) != null) {
        JsonNode op = JSON.readTree(line);
        String type = op.path("type").asText();
        double end = op.path("endNanos").asLong() / 1e9;
        if (type.equals("enqueue") && op.path("outcome").asText().equals("ok")) {
          perSecond
              .computeIfAbsent((int) end, k -> new ArrayList<>())
              .add(op.path("endNanos").asLong() - op.path("startNanos").asLong());
        } else if (type.equals("fault")) {
          faultStart = end;
        } else if (type.equals("heal") && faultStart >= 0) {
          faults.add(new double[] {faultStart, end});
          faultStart = -1;
        }
      }
    } catch (IOException e) {
      throw new ReportException("cannot read " + hist + ": " + e.getMessage(), e);
    }
    if (perSecond.isEmpty()) {
      return;
    }
    int last = perSecond.lastKey();
    double[] xs = new double[last + 1];
    double[] acks = new double[last + 1];
    double[] p99 = new double[last + 1];
    for (int s = 0; s <= last; s++) {
      xs[s] = s;
      List<Long> l = perSecond.getOrDefault(s, List.of());
      acks[s] = l.size();
      if (!l.isEmpty()) {
        long[] a = l.stream().mapToLong(Long::longValue).sorted().toArray();
        p99[s] = a[(int) Math.min(a.length - 1, Math.floor(a.length * 0.99))] / 1e6;
      }
    }
    img(
        h,
        Charts.timeline(
            "Acked enqueues per second: " + c.suite() + "/" + c.run(),
            "acks/s",
            xs,
            Map.of("acked enqueues/s", acks),
            faults),
        "acks over time " + c.run());
    img(
        h,
        Charts.timeline(
            "Enqueue latency p99 per second: " + c.suite() + "/" + c.run(),
            "ms",
            xs,
            Map.of("enqueue p99 ms", p99),
            faults),
        "enqueue latency over time " + c.run());
  }
}
