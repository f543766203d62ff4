package dev.natsproof.reports;

import java.nio.file.Path;
import java.util.List;

/**
 * The reports command line.
 *
 * <pre>
 * report  RESULTS_DIR [--gates gates.yaml] [--out DIR]     gates + report.html/.md/.json; exit 0 PASS, 1 FAIL, 2 UNKNOWN
 * compare BASELINE_DIR CANDIDATE_DIR [--tolerance PCT] [--out DIR]   exit 1 on a regression
 * </pre>
 */
public final class ReportMain {
  static final String USAGE =
      "usage: report RESULTS_DIR [--gates FILE] [--out DIR] | compare BASELINE_DIR CANDIDATE_DIR [--tolerance PCT] [--out DIR]";

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String[] args) {
    try {
      if (args.length >= 2 && args[0].equals("report")) {
        Path dir = Path.of(args[1]);
        Gates gates = Gates.defaults();
        Path out = dir;
        for (int i = 2; i < args.length; i += 2) {
          String v = value(args, i);
          switch (args[i]) {
            case "--gates" -> gates = Gates.parse(Path.of(v));
            case "--out" -> out = Path.of(v);
            default -> throw new IllegalArgumentException("unknown option " + args[i]);
          }
        }
        Results r = Results.read(dir);
        List<GateResult> g = Report.write(r, gates, out);
        for (GateResult x : g) {
          System.out.printf("%-8s %s: %s%n", x.verdict(), x.gate(), x.detail());
        }
        int code = GateEvaluator.exitCode(g);
        System.out.println(
            "report: " + Report.overall(g) + " -> " + out.resolve("report.html").toAbsolutePath());
        return code;
      }
      if (args.length >= 3 && args[0].equals("compare")) {
        double tolerance = Gates.defaults().regressionPercent();
        Path out = Path.of(args[2]);
        for (int i = 3; i < args.length; i += 2) {
          String v = value(args, i);
          switch (args[i]) {
            case "--tolerance" -> tolerance = Double.parseDouble(v);
            case "--out" -> out = Path.of(v);
            default -> throw new IllegalArgumentException("unknown option " + args[i]);
          }
        }
        Results base = Results.read(Path.of(args[1]));
        Results cand = Results.read(Path.of(args[2]));
        List<Compare.Row> rows = Compare.compare(base, cand, tolerance);
        if (rows.isEmpty()) {
          System.out.println(
              "compare: UNKNOWN: the two folders share no metric (same workloads and suites needed)");
          return 2;
        }
        Compare.write(rows, base, cand, tolerance, out);
        rows.forEach(
            r ->
                System.out.printf(
                    "%-10s %s: %.2f -> %.2f (%+.1f %%)%n",
                    r.verdict(), r.metric(), r.baseline(), r.candidate(), r.deltaPercent()));
        boolean bad = Compare.regressed(rows);
        System.out.println(
            "compare: "
                + (bad ? "REGRESSION" : "OK")
                + " -> "
                + out.resolve("compare.html").toAbsolutePath());
        return bad ? 1 : 0;
      }
      System.err.println(USAGE);
      return 3;
    } catch (ReportException | IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      return 3;
    }
  }

  private static String value(String[] args, int i) {
    if (i + 1 >= args.length) {
      throw new IllegalArgumentException(args[i] + " needs a value");
    }
    return args[i + 1];
  }
}
