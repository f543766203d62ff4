package dev.natsproof.reports;

import dev.natsproof.results.ChaosVerdict;
import dev.natsproof.results.CoreChaosVerdict;
import dev.natsproof.results.FeatureSupport;
import dev.natsproof.results.FindingCount;
import dev.natsproof.results.Findings;
import dev.natsproof.results.Interventions;
import dev.natsproof.results.RollingUpgradeRun;
import dev.natsproof.results.RunResults;
import dev.natsproof.results.ServerVersion;
import dev.natsproof.results.Verdict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A baseline and a candidate side by side, each as one or more rounds (the alternating rounds of an
 * upgrade check): every metric's median change with its bootstrap interval, called a regression
 * only when it is both worse than the tolerance and clearly so; findings and broker interventions
 * as counts that appeared, disappeared or changed; chaos verdicts that got worse; the features each
 * version has. What changed leads.
 */
final class Comparison {
  enum Change {
    REGRESSION,
    IMPROVEMENT,
    NO_CLEAR_DIFFERENCE,
    NOT_ENOUGH_ROUNDS,
    NOT_JUDGED
  }

  record Row(
      Metrics.Metric metric,
      Stats.Delta delta,
      Change change,
      Verdict verdict,
      double[] base,
      double[] cand) {
    String describe() {
      Metrics.Unit u = metric.unit();
      String ci = delta.hasInterval() ? " [95 %: " + delta.intervalText() + "]" : "";
      return metric.key()
          + ": "
          + u.format(delta.baseMedian())
          + " → "
          + u.format(delta.candMedian())
          + " ("
          + delta.changeText()
          + ci
          + ")";
    }
  }

  /** A finding's count per side (summed over the chaos runs), and what that change is. */
  record FindingDiff(
      String id,
      String title,
      long base,
      long cand,
      String change,
      Verdict baseVerdict,
      Verdict candVerdict) {}

  /** A chaos run whose verdict differs between the sides. */
  record VerdictDiff(String run, Verdict base, Verdict cand, boolean negativeControl) {
    boolean worse() {
      if (negativeControl) {
        return base == Verdict.FAIL && cand != Verdict.FAIL;
      }
      return rank(cand) > rank(base);
    }
  }

  final List<String> baseVersions;
  final List<String> candVersions;
  final double tolerance;
  final List<Row> rows = new ArrayList<>();
  final List<FindingDiff> findings = new ArrayList<>();

  /** Rolling upgrades either side ran (an upgrade check runs one, baseline → candidate). */
  final List<RollingUpgradeRun> upgrades = new ArrayList<>();

  final List<VerdictDiff> verdicts = new ArrayList<>();
  final Map<String, long[]> interventions = new LinkedHashMap<>();
  final Map<String, Map<String, Boolean>> features = new LinkedHashMap<>();
  final int baseRounds;
  final int candRounds;

  private Comparison(
      List<String> baseVersions,
      List<String> candVersions,
      double tolerance,
      int baseRounds,
      int candRounds) {
    this.baseVersions = baseVersions;
    this.candVersions = candVersions;
    this.tolerance = tolerance;
    this.baseRounds = baseRounds;
    this.candRounds = candRounds;
  }

  static Comparison of(List<RunResults> base, List<RunResults> cand, double tolerancePercent) {
    Comparison c =
        new Comparison(
            versions(base), versions(cand), tolerancePercent / 100, base.size(), cand.size());
    Map<Metrics.Metric, double[]> b = Metrics.of(base);
    Map<Metrics.Metric, double[]> k = Metrics.of(cand);
    for (Map.Entry<Metrics.Metric, double[]> e : b.entrySet()) {
      double[] cv = k.get(e.getKey());
      if (cv == null) {
        continue;
      }
      c.rows.add(judge(e.getKey(), e.getValue(), cv, c.tolerance));
    }
    c.compareChaos(base, cand);
    for (List<RunResults> side : List.of(base, cand)) {
      for (RunResults r : side) {
        c.upgrades.addAll(r.rollingUpgrades());
      }
    }
    for (String v : c.baseVersions) {
      c.features.put(v, FeatureSupport.of(ServerVersion.parse(v)));
    }
    for (String v : c.candVersions) {
      c.features.put(v, FeatureSupport.of(ServerVersion.parse(v)));
    }
    return c;
  }

  private static List<String> versions(List<RunResults> rounds) {
    Set<String> v = new LinkedHashSet<>();
    rounds.forEach(r -> v.addAll(r.serverVersions()));
    v.remove("unknown");
    return List.copyOf(v);
  }

  static Row judge(Metrics.Metric m, double[] base, double[] cand, double tolerance) {
    Stats.Delta d = Stats.delta(base, cand);
    if (!m.judged()) {
      return new Row(m, d, Change.NOT_JUDGED, Verdict.INFO, base, cand);
    }
    boolean mustBeZero = m.unit() == Metrics.Unit.COUNT && d.baseMedian() == 0 && m.lowerIsBetter();
    if (mustBeZero && d.candMedian() > 0) {
      return new Row(m, d, Change.REGRESSION, Verdict.FAIL, base, cand);
    }
    if (!d.hasInterval()) {
      return new Row(m, d, Change.NOT_ENOUGH_ROUNDS, Verdict.INFO, base, cand);
    }
    double worse = m.lowerIsBetter() ? d.change() : -d.change();
    boolean clearlyWorse = d.clear() && (m.lowerIsBetter() ? d.low() > 0 : d.high() < 0);
    boolean clearlyBetter = d.clear() && (m.lowerIsBetter() ? d.high() < 0 : d.low() > 0);
    if (clearlyWorse && worse > tolerance) {
      return new Row(m, d, Change.REGRESSION, Verdict.FAIL, base, cand);
    }
    if (clearlyBetter && -worse > tolerance) {
      return new Row(m, d, Change.IMPROVEMENT, Verdict.PASS, base, cand);
    }
    return new Row(m, d, Change.NO_CLEAR_DIFFERENCE, Verdict.PASS, base, cand);
  }

  private void compareChaos(List<RunResults> base, List<RunResults> cand) {
    Map<String, long[]> fCounts = new TreeMap<>();
    Map<String, Verdict[]> fVerdicts = new TreeMap<>();
    long[][] iv = new long[2][4];
    Map<String, RunVerdict> baseRuns = new LinkedHashMap<>();
    Map<String, RunVerdict> candRuns = new LinkedHashMap<>();
    for (int side = 0; side < 2; side++) {
      for (RunResults r : side == 0 ? base : cand) {
        for (RunResults.Located<ChaosVerdict> lc : r.chaos()) {
          ChaosVerdict v = lc.result();
          (side == 0 ? baseRuns : candRuns)
              .put(v.suite() + "/" + v.run(), new RunVerdict(v.verdict(), v.negativeControl()));
          countFindings(v.findings(), side, fCounts, fVerdicts);
          Interventions i = v.interventions();
          iv[side][0] += i.repulls();
          iv[side][1] += i.resets();
          iv[side][2] += i.recreations();
          iv[side][3] += i.wedges();
        }
        for (RunResults.Located<CoreChaosVerdict> lc : r.coreChaos()) {
          CoreChaosVerdict v = lc.result();
          (side == 0 ? baseRuns : candRuns)
              .put(v.suite() + "/" + v.run(), new RunVerdict(v.verdict(), v.negativeControl()));
          countFindings(v.findings(), side, fCounts, fVerdicts);
        }
      }
    }
    fCounts.forEach(
        (id, n) -> {
          Verdict[] vs = fVerdicts.get(id);
          String change =
              n[0] == 0 && n[1] > 0
                  ? "appeared"
                  : n[0] > 0 && n[1] == 0 ? "disappeared" : n[0] == n[1] ? "same" : "changed";
          findings.add(
              new FindingDiff(
                  id,
                  Findings.byId(id).map(Findings.Finding::title).orElse(id),
                  n[0],
                  n[1],
                  change,
                  vs[0] == null ? Verdict.PASS : vs[0],
                  vs[1] == null ? Verdict.PASS : vs[1]));
        });
    String[] names = {"repulls", "consumer resets", "durables recreated", "wedges seen"};
    for (int i = 0; i < 4; i++) {
      interventions.put(names[i], new long[] {iv[0][i], iv[1][i]});
    }
    baseRuns.forEach(
        (run, b) -> {
          RunVerdict c = candRuns.get(run);
          if (c != null && b.verdict() != c.verdict()) {
            verdicts.add(new VerdictDiff(run, b.verdict(), c.verdict(), b.negativeControl()));
          }
        });
  }

  private record RunVerdict(Verdict verdict, boolean negativeControl) {}

  private static void countFindings(
      List<FindingCount> fs,
      int side,
      Map<String, long[]> counts,
      Map<String, Verdict[]> verdicts) {
    for (FindingCount f : fs) {
      counts.computeIfAbsent(f.id(), k -> new long[2])[side] += f.count();
      Verdict[] vs = verdicts.computeIfAbsent(f.id(), k -> new Verdict[2]);
      vs[side] = vs[side] == null ? f.verdict() : vs[side].and(f.verdict());
    }
  }

  static int rank(Verdict v) {
    return switch (v) {
      case PASS -> 0;
      case INFO -> 1;
      case UNKNOWN -> 2;
      case FAIL -> 3;
    };
  }

  boolean empty() {
    return rows.isEmpty() && findings.isEmpty() && verdicts.isEmpty() && upgrades.isEmpty();
  }

  /** FAIL on a clear regression, a worse chaos verdict or a finding the candidate must not have. */
  Verdict overall() {
    if (empty()) {
      return Verdict.UNKNOWN;
    }
    boolean bad =
        rows.stream().anyMatch(r -> r.change() == Change.REGRESSION)
            || verdicts.stream().anyMatch(VerdictDiff::worse)
            || findings.stream().anyMatch(f -> f.candVerdict() == Verdict.FAIL)
            || upgrades.stream().anyMatch(u -> u.verdict().blocking());
    return bad ? Verdict.FAIL : Verdict.PASS;
  }

  /** What changed, most important first: the page's and the command line's summary. */
  List<String> headline() {
    List<String> out = new ArrayList<>();
    for (RollingUpgradeRun u : upgrades) {
      long slowest =
          u.steps().stream().mapToLong(x -> x.caughtUpAtMs() - x.startedAtMs()).max().orElse(0);
      out.add(
          (u.verdict().blocking() ? "FAILED " : "")
              + "rolling upgrade "
              + u.fromVersion()
              + " → "
              + u.toVersion()
              + " under load: "
              + u.verdict()
              + ", "
              + u.jetStream().lost()
              + " of "
              + u.jetStream().acked()
              + " acked lost, longest room gap "
              + dev.natsproof.results.Units.millis(u.core().longestGapMs())
              + ", slowest node back and caught up in "
              + dev.natsproof.results.Units.millis(slowest));
    }
    for (VerdictDiff v : verdicts) {
      out.add(
          (v.worse() ? "WORSE " : "changed ")
              + "chaos "
              + v.run()
              + ": "
              + v.base()
              + " → "
              + v.cand()
              + (v.negativeControl() ? " (negative control)" : ""));
    }
    for (FindingDiff f : findings) {
      if (!f.change().equals("same")) {
        out.add(
            "finding "
                + f.id()
                + " "
                + f.change()
                + ": "
                + f.base()
                + " → "
                + f.cand()
                + " ("
                + f.title()
                + (f.candVerdict() == Verdict.FAIL ? "; FAIL on the candidate's version" : "")
                + ")");
      }
    }
    interventions.forEach(
        (what, n) -> {
          if (n[0] != n[1]) {
            out.add("broker " + what + ": " + n[0] + " → " + n[1]);
          }
        });
    for (Row r : rows) {
      if (r.change() == Change.REGRESSION) {
        out.add("REGRESSION " + r.describe());
      }
    }
    for (Row r : rows) {
      if (r.change() == Change.IMPROVEMENT) {
        out.add("improvement " + r.describe());
      }
    }
    long same = rows.stream().filter(r -> r.change() == Change.NO_CLEAR_DIFFERENCE).count();
    long few = rows.stream().filter(r -> r.change() == Change.NOT_ENOUGH_ROUNDS).count();
    if (same > 0) {
      out.add(
          "no clear difference on "
              + same
              + " metrics (tolerance "
              + Math.round(tolerance * 100)
              + " %)");
    }
    if (few > 0) {
      out.add(
          few
              + " metrics have fewer than "
              + Stats.MIN_ROUNDS
              + " rounds on a side: shown, not judged (run more rounds: --rounds)");
    }
    return out;
  }
}
