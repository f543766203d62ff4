package dev.natsproof.reports;

import dev.natsproof.results.FanOutRun;
import dev.natsproof.results.ResultsDir;
import dev.natsproof.results.RunResults;
import dev.natsproof.results.Verdict;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** The comparison written as {@code compare.html}, {@code compare.md} and {@code compare.json}. */
final class ComparePage {
  private ComparePage() {}

  static void write(Comparison c, List<RunResults> base, List<RunResults> cand, Path out) {
    try {
      Files.createDirectories(out);
      Files.writeString(out.resolve(ResultsDir.COMPARE_HTML), html(c, base, cand));
      Files.writeString(out.resolve(ResultsDir.COMPARE_MD), markdown(c));
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("overall", c.overall());
      json.put("baselineVersions", c.baseVersions);
      json.put("candidateVersions", c.candVersions);
      json.put("baselineRounds", c.baseRounds);
      json.put("candidateRounds", c.candRounds);
      json.put("tolerancePercent", c.tolerance * 100);
      json.put("headline", c.headline());
      List<Map<String, Object>> rows = new ArrayList<>();
      for (Comparison.Row r : c.rows) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("metric", r.metric().key());
        m.put("change", r.change());
        m.put("verdict", r.verdict());
        m.put("baselineMedian", r.delta().baseMedian());
        m.put("candidateMedian", r.delta().candMedian());
        m.put("changeFraction", r.delta().change());
        m.put("ciLow", r.delta().hasInterval() ? r.delta().low() : null);
        m.put("ciHigh", r.delta().hasInterval() ? r.delta().high() : null);
        m.put("baseline", r.base());
        m.put("candidate", r.cand());
        rows.add(m);
      }
      json.put("metrics", rows);
      json.put("findings", c.findings);
      json.put("chaosVerdictChanges", c.verdicts);
      json.put("features", c.features);
      ResultsDir.at(out).writeDocument(ResultsDir.COMPARE_JSON, ResultsDir.Kind.COMPARISON, json);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the comparison into " + out, e);
    }
  }

  static String sides(Comparison c) {
    return "baseline nats-server "
        + String.join(", ", c.baseVersions)
        + " ("
        + c.baseRounds
        + " rounds) vs candidate nats-server "
        + String.join(", ", c.candVersions)
        + " ("
        + c.candRounds
        + " rounds)";
  }

  static String html(Comparison c, List<RunResults> base, List<RunResults> cand) {
    Page p = new Page("natsproof comparison " + c.overall());
    p.h1(
        "nats-server "
            + String.join(", ", c.baseVersions)
            + " → "
            + String.join(", ", c.candVersions));
    p.raw(
        "<p>"
            + Page.badge(c.overall())
            + " "
            + Page.esc(
                c.overall() == Verdict.FAIL
                    ? "the candidate is worse: see what changed."
                    : c.overall() == Verdict.UNKNOWN
                        ? "the two sides share nothing to compare."
                        : "no clear regression.")
            + "</p>");
    p.pClass(
        "provenance",
        sides(c)
            + "; a difference counts only when it is larger than the tolerance ("
            + Math.round(c.tolerance * 100)
            + " %) and its 95 % bootstrap interval excludes zero.");
    p.raw("<div class=\"summary\">");
    p.h2("changed", "What changed");
    p.list("headline", c.headline());
    p.raw("</div>");
    overlays(p, base, cand);
    p.h2("metrics", "Metrics");
    List<List<Object>> rows = new ArrayList<>();
    List<Comparison.Row> sorted = new ArrayList<>(c.rows);
    sorted.sort((a, b) -> Integer.compare(order(a.change()), order(b.change())));
    for (Comparison.Row r : sorted) {
      Metrics.Unit u = r.metric().unit();
      rows.add(
          List.of(
              r.verdict(),
              r.change().name().toLowerCase(Locale.ROOT).replace('_', ' '),
              r.metric().key(),
              u.format(r.delta().baseMedian()),
              u.format(r.delta().candMedian()),
              r.delta().changeText(),
              r.delta().hasInterval()
                  ? r.delta().intervalText()
                  : "n/a (" + r.delta().rounds() + " rounds)"));
    }
    p.table(
        List.of(
            "verdict",
            "change",
            "metric",
            "baseline median",
            "candidate median",
            "change",
            "95 % interval"),
        rows);
    p.h2("findings", "Findings and broker interventions");
    List<List<Object>> fr = new ArrayList<>();
    for (Comparison.FindingDiff f : c.findings) {
      fr.add(List.of(f.candVerdict(), f.id(), f.title(), f.base(), f.cand(), f.change()));
    }
    p.table(List.of("candidate verdict", "finding", "what", "baseline", "candidate", "change"), fr);
    List<List<Object>> ir = new ArrayList<>();
    c.interventions.forEach((k, v) -> ir.add(List.of(k, v[0], v[1])));
    p.table(List.of("broker intervention", "baseline", "candidate"), ir);
    if (!c.verdicts.isEmpty()) {
      List<List<Object>> vr = new ArrayList<>();
      for (Comparison.VerdictDiff v : c.verdicts) {
        vr.add(
            List.of(v.worse() ? Verdict.FAIL : Verdict.INFO, v.run(), v.base() + " → " + v.cand()));
      }
      p.h3("Chaos verdicts that changed");
      p.table(List.of("", "run", "baseline → candidate"), vr);
    }
    p.h2("features", "Features by version");
    List<String> versions = new ArrayList<>(c.features.keySet());
    List<String> headers = new ArrayList<>(List.of("feature"));
    headers.addAll(versions);
    List<List<Object>> ft = new ArrayList<>();
    if (!versions.isEmpty()) {
      for (String f : c.features.get(versions.get(0)).keySet()) {
        List<Object> row = new ArrayList<>(List.of(f));
        for (String v : versions) {
          row.add(c.features.get(v).get(f) ? "yes" : "no");
        }
        ft.add(row);
      }
    }
    p.table(headers, ft);
    return p.html();
  }

  private static int order(Comparison.Change c) {
    return switch (c) {
      case REGRESSION -> 0;
      case IMPROVEMENT -> 1;
      case NO_CLEAR_DIFFERENCE -> 2;
      case NOT_ENOUGH_ROUNDS -> 3;
      case NOT_JUDGED -> 4;
    };
  }

  /** Baseline and candidate percentile curves on one chart per fan-out case. */
  static void overlays(Page p, List<RunResults> base, List<RunResults> cand) {
    Map<String, Histogram[]> byCase = new LinkedHashMap<>();
    for (int side = 0; side < 2; side++) {
      for (RunResults r : side == 0 ? base : cand) {
        for (FanOutRun f : r.fanOuts()) {
          String key = f.workload().name() + " " + f.client();
          int s = side;
          r.intervalLog(ResultsDir.fanOutLatencyLog(f.workload().name(), f.client()))
              .map(Charts::read)
              .ifPresent(
                  log -> {
                    Histogram[] hs =
                        byCase.computeIfAbsent(
                            key, k -> new Histogram[] {new Histogram(3), new Histogram(3)});
                    hs[s].add(log.total());
                  });
        }
      }
    }
    if (byCase.isEmpty()) {
      return;
    }
    p.h2("curves", "Latency by percentile, both versions");
    byCase.forEach(
        (k, hs) -> {
          Map<String, Histogram> s = new LinkedHashMap<>();
          s.put("baseline", hs[0]);
          s.put("candidate", hs[1]);
          p.chart(Charts.percentiles(k + ": baseline vs candidate (all rounds)", s, 0, ""));
        });
  }

  static String markdown(Comparison c) {
    StringBuilder md = new StringBuilder();
    md.append("## natsproof comparison: **").append(c.overall()).append("**\n\n");
    md.append(sides(c)).append("\n\n### What changed\n\n");
    for (String h : c.headline()) {
      md.append("- ").append(Markdown.cell(h)).append('\n');
    }
    md.append(
        "\n| verdict | metric | baseline | candidate | change | 95 % interval |\n|---|---|---|---|---|---|\n");
    for (Comparison.Row r : c.rows) {
      if (r.change() == Comparison.Change.NOT_JUDGED) {
        continue;
      }
      Metrics.Unit u = r.metric().unit();
      md.append("| ")
          .append(r.verdict())
          .append(" | ")
          .append(Markdown.cell(r.metric().key()))
          .append(" | ")
          .append(u.format(r.delta().baseMedian()))
          .append(" | ")
          .append(u.format(r.delta().candMedian()))
          .append(" | ")
          .append(r.delta().changeText())
          .append(" | ")
          .append(r.delta().intervalText())
          .append(" |\n");
    }
    return md.toString();
  }
}
