package dev.natsproof.reports;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Two runs side by side (baseline and candidate nats-server): every metric both have, with its
 * delta and a verdict. Latency and CPU regress when they grow, throughput when it shrinks, beyond
 * the tolerance; a chaos run regresses when the candidate's verdict is worse. Writes {@code
 * compare.md}, {@code compare.html} and {@code compare.json}.
 */
public final class Compare {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * @param metric what is compared
   * @param baseline the baseline's value
   * @param candidate the candidate's value
   * @param deltaPercent (candidate − baseline) / baseline × 100
   * @param higherIsBetter true for throughput
   * @param verdict OK, REGRESSION, IMPROVED, or a chaos verdict change
   */
  public record Row(
      String metric,
      double baseline,
      double candidate,
      double deltaPercent,
      boolean higherIsBetter,
      String verdict) {}

  private Compare() {}

  public static List<Row> compare(Results base, Results cand, double tolerancePercent) {
    List<Row> rows = new ArrayList<>();
    for (Results.FanOut b : base.fanOuts()) {
      for (Results.FanOut c : cand.fanOuts()) {
        if (b.workload().equals(c.workload()) && b.client().equals(c.client())) {
          String k = "fan-out " + b.workload() + " " + b.client() + " ";
          for (String f : List.of("p50Micros", "p99Micros")) {
            rows.add(row(k + f, b.latency(f), c.latency(f), false, tolerancePercent));
          }
          // The far tail of one run is a handful of samples: shown, never judged.
          for (String f : List.of("p999Micros", "maxMicros")) {
            Row r = row(k + f, b.latency(f), c.latency(f), false, tolerancePercent);
            rows.add(
                new Row(r.metric(), r.baseline(), r.candidate(), r.deltaPercent(), false, "INFO"));
          }
          rows.add(
              row(
                  k + "clientCpuNanosPerDelivery",
                  b.json().path("clientCpuNanosPerDelivery").asDouble(),
                  c.json().path("clientCpuNanosPerDelivery").asDouble(),
                  false,
                  tolerancePercent));
          rows.add(
              row(
                  k + "missingDeliveries",
                  b.num("missingDeliveries"),
                  c.num("missingDeliveries"),
                  false,
                  0));
        }
      }
    }
    for (Results.StreamRun b : base.streams()) {
      for (Results.StreamRun c : cand.streams()) {
        if (b.name().equals(c.name())) {
          String k = "JetStream " + b.name() + " ";
          rows.add(
              row(
                  k + "endToEnd p50Micros",
                  b.endToEnd("p50Micros"),
                  c.endToEnd("p50Micros"),
                  false,
                  tolerancePercent));
          rows.add(
              row(
                  k + "endToEnd p99Micros",
                  b.endToEnd("p99Micros"),
                  c.endToEnd("p99Micros"),
                  false,
                  tolerancePercent));
          rows.add(
              row(
                  k + "enqueue p99Micros",
                  b.enqueue("p99Micros"),
                  c.enqueue("p99Micros"),
                  false,
                  tolerancePercent));
          rows.add(row(k + "missingAcked", b.num("missingAcked"), c.num("missingAcked"), false, 0));
        }
      }
    }
    for (Results.Jmh b : base.jmh()) {
      for (Results.Jmh c : cand.jmh()) {
        if (b.label().equals(c.label()) && b.unit().equals(c.unit())) {
          rows.add(
              row(
                  "jmh " + b.label() + " (" + b.unit() + ")",
                  b.score(),
                  c.score(),
                  b.unit().contains("ops/"),
                  tolerancePercent));
        }
      }
    }
    for (Results.Chaos b : base.chaos()) {
      for (Results.Chaos c : cand.chaos()) {
        if (b.suite().equals(c.suite())
            && b.run().equals(c.run())
            && b.run().startsWith("negative")) {
          rows.add(
              new Row(
                  "chaos "
                      + b.suite()
                      + "/"
                      + b.run()
                      + " (negative control) "
                      + b.status()
                      + " → "
                      + c.status(),
                  rank(b.status()),
                  rank(c.status()),
                  0,
                  false,
                  c.status().equals("FAIL") ? "OK" : "REGRESSION"));
          continue;
        }
        if (b.suite().equals(c.suite()) && b.run().equals(c.run())) {
          int rb = rank(b.status());
          int rc = rank(c.status());
          rows.add(
              new Row(
                  "chaos "
                      + b.suite()
                      + "/"
                      + b.run()
                      + " verdict "
                      + b.status()
                      + " → "
                      + c.status(),
                  rb,
                  rc,
                  0,
                  false,
                  rc > rb ? "REGRESSION" : rc < rb ? "IMPROVED" : "OK"));
          rows.add(
              row(
                  "chaos " + b.suite() + "/" + b.run() + " lost",
                  b.count("lost"),
                  c.count("lost"),
                  false,
                  0));
          rows.add(
              recovery(
                  "chaos " + b.suite() + "/" + b.run() + " worst recovery ms",
                  b.worstRecoveryMillis(),
                  c.worstRecoveryMillis()));
        }
      }
    }
    return rows;
  }

  private static int rank(String status) {
    return switch (status) {
      case "PASS" -> 0;
      case "UNKNOWN" -> 1;
      default -> 2;
    };
  }

  /**
   * Recovery times swing 2x between runs of the same binary on a shared box (seen: 986 → 2041 ms):
   * a regression needs both twice the baseline and two seconds more.
   */
  static Row recovery(String metric, double b, double c) {
    Row r = row(metric, b, c, false, 100);
    if (r.verdict().equals("REGRESSION") && c - b < 2000) {
      return new Row(metric, b, c, r.deltaPercent(), false, "OK");
    }
    return r;
  }

  static Row row(String metric, double b, double c, boolean higherIsBetter, double tolerance) {
    double delta = b == 0 ? (c == 0 ? 0 : 100) : (c - b) / Math.abs(b) * 100;
    double worse = higherIsBetter ? -delta : delta;
    String verdict = worse > tolerance ? "REGRESSION" : worse < -tolerance ? "IMPROVED" : "OK";
    return new Row(metric, b, c, delta, higherIsBetter, verdict);
  }

  public static boolean regressed(List<Row> rows) {
    return rows.stream().anyMatch(r -> r.verdict().equals("REGRESSION"));
  }

  public static void write(List<Row> rows, Results base, Results cand, double tolerance, Path out) {
    StringBuilder md =
        new StringBuilder(
            "## natsproof comparison\n\nbaseline `"
                + base.dir()
                + "` vs candidate `"
                + cand.dir()
                + "`, tolerance "
                + tolerance
                + " %: **"
                + (regressed(rows) ? "REGRESSION" : "OK")
                + "**\n\n"
                + "| metric | baseline | candidate | Δ % | verdict |\n|---|---|---|---|---|\n");
    StringBuilder html =
        new StringBuilder(
                "<!doctype html><html><head><meta charset=\"utf-8\"><title>natsproof comparison</title>"
                    + "<style>body{font-family:sans-serif;margin:2em}td,th{border:1px solid #ccc;padding:4px 8px}table{border-collapse:collapse}"
                    + ".REGRESSION{background:#f8d0d0}.IMPROVED{background:#d8f5d8}</style></head><body><h1>natsproof comparison</h1><p>")
            .append(Report.esc(base.dir() + " → " + cand.dir()))
            .append(" — <b>")
            .append(regressed(rows) ? "REGRESSION" : "OK")
            .append(
                "</b></p><table><tr><th>metric</th><th>baseline</th><th>candidate</th><th>Δ %</th><th>verdict</th></tr>");
    for (Row r : rows) {
      md.append(
          String.format(
              "| %s | %.2f | %.2f | %+.1f | %s |%n",
              r.metric(), r.baseline(), r.candidate(), r.deltaPercent(), r.verdict()));
      html.append(
          String.format(
              "<tr class=\"%s\"><td>%s</td><td>%.2f</td><td>%.2f</td><td>%+.1f</td><td>%s</td></tr>",
              r.verdict(),
              Report.esc(r.metric()),
              r.baseline(),
              r.candidate(),
              r.deltaPercent(),
              r.verdict()));
    }
    html.append("</table></body></html>\n");
    try {
      Files.createDirectories(out);
      Files.writeString(out.resolve("compare.md"), md.toString());
      Files.writeString(out.resolve("compare.html"), html.toString());
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("baseline", base.dir().toString());
      json.put("candidate", cand.dir().toString());
      json.put("tolerancePercent", tolerance);
      json.put("regression", regressed(rows));
      json.put("rows", rows);
      JSON.writeValue(out.resolve("compare.json").toFile(), json);
    } catch (IOException e) {
      throw new ReportException(
          "cannot write the comparison under " + out + ": " + e.getMessage(), e);
    }
  }
}
