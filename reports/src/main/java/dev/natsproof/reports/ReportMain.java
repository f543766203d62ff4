package dev.natsproof.reports;

import dev.natsproof.results.Cli;
import dev.natsproof.results.GateEngine;
import dev.natsproof.results.GateLimits;
import dev.natsproof.results.GateReport;
import dev.natsproof.results.ResultsDir;
import dev.natsproof.results.RunResults;
import dev.natsproof.results.Verdict;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The reports command line: {@code report} and {@code compare}. Exit 0 PASS, 1 FAIL, 2 UNKNOWN. */
@Command(
    name = "reports",
    mixinStandardHelpOptions = true,
    subcommands = {
      ReportMain.ReportCommand.class,
      ReportMain.CompareCommand.class,
      ReportMain.MergeCommand.class
    },
    description = "natsproof's reports: the gates and report of a results folder, or a comparison.")
public final class ReportMain implements Callable<Integer> {
  public static void main(String[] args) {
    System.exit(Cli.run(new ReportMain(), args));
  }

  @Override
  public Integer call() {
    picocli.CommandLine.usage(this, System.out);
    return Cli.BAD_ARGUMENTS;
  }

  @Command(
      name = "report",
      mixinStandardHelpOptions = true,
      description =
          "Gates and report.html / report.md / report.json / gates-junit.xml of a results folder.")
  static final class ReportCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RESULTS_DIR")
    Path dir;

    @Option(names = "--gates", paramLabel = "FILE", description = "a gates file (default limits)")
    Path gates;

    @Option(names = "--out", paramLabel = "DIR", description = "where the report goes (the folder)")
    Path out;

    @Override
    public Integer call() {
      GateLimits limits = gates == null ? GateLimits.defaults() : GateLimits.parse(gates);
      RunResults r = ResultsDir.at(dir).read();
      GateReport g = GateEngine.evaluate(r, limits);
      Path to = out == null ? dir : out;
      Report.write(r, g, limits, to);
      ResultsDir.at(to).write(g);
      long blocking = g.gates().stream().filter(x -> x.blocking()).count();
      // One line: the verdict, what failed, where the report is.
      System.out.println(
          "report: "
              + g.overall()
              + (blocking > 0
                  ? " ("
                      + blocking
                      + " of "
                      + g.gates().size()
                      + " gates: "
                      + firstBlocking(g)
                      + ")"
                  : " (" + g.gates().size() + " gates)")
              + " -> "
              + to.resolve(ResultsDir.REPORT_HTML).toAbsolutePath());
      return g.overall().exitCode();
    }

    private static String firstBlocking(GateReport g) {
      return g.gates().stream()
          .filter(x -> x.blocking())
          .map(x -> x.verdict() + " " + x.gate() + ": " + x.detail())
          .findFirst()
          .orElse("");
    }
  }

  @Command(
      name = "compare",
      mixinStandardHelpOptions = true,
      description = {
        "Baseline vs candidate. Each side is a results folder, or a folder of round-* folders (the"
            + " alternating rounds of an upgrade check); medians of rounds are compared with a"
            + " bootstrap interval."
      })
  static final class CompareCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "BASELINE")
    Path baseline;

    @Parameters(index = "1", paramLabel = "CANDIDATE")
    Path candidate;

    @Option(
        names = "--tolerance",
        paramLabel = "PERCENT",
        description = "a clear change smaller than this is not a regression (${DEFAULT-VALUE})")
    double tolerance = GateLimits.defaults().regressionPercent();

    @Option(
        names = "--out",
        paramLabel = "DIR",
        description = "where compare.* go (default: CANDIDATE)")
    Path out;

    @Override
    public Integer call() {
      List<RunResults> base = rounds(baseline);
      List<RunResults> cand = rounds(candidate);
      Comparison c = Comparison.of(base, cand, tolerance);
      Path to = out == null ? candidate : out;
      ComparePage.write(c, base, cand, to);
      for (String h : c.headline()) {
        System.out.println("  " + h);
      }
      System.out.println(
          "compare: "
              + c.overall()
              + " ("
              + ComparePage.sides(c)
              + ") -> "
              + to.resolve(ResultsDir.COMPARE_HTML).toAbsolutePath());
      return c.overall() == Verdict.PASS ? 0 : c.overall().exitCode();
    }
  }

  @Command(
      name = "merge",
      mixinStandardHelpOptions = true,
      description =
          "Adds up the fan-out runs of load generators that each ran one shard (--shard I/N):"
              + " counts summed, percentiles from the interval logs added exactly.")
  static final class MergeCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SHARD_DIR", arity = "2..*")
    List<Path> parts;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "the merged folder")
    Path out;

    @Override
    public Integer call() {
      var merged = dev.natsproof.results.FanOutMerge.merge(parts, out);
      RunResults r = ResultsDir.at(out).read();
      GateReport g = GateEngine.evaluate(r, GateLimits.defaults());
      Report.write(r, g, GateLimits.defaults(), out);
      ResultsDir.at(out).write(g);
      for (var f : merged) {
        System.out.println(
            "merge: "
                + f.workload().name()
                + " "
                + f.client()
                + ": "
                + f.deliveries()
                + "/"
                + f.expectedDeliveries()
                + " deliveries from "
                + parts.size()
                + " shards, "
                + f.latency());
      }
      System.out.println(
          "merge: " + g.overall() + " -> " + out.resolve(ResultsDir.REPORT_HTML).toAbsolutePath());
      return g.overall().exitCode();
    }
  }

  /** Folders beside a side's rounds that hold results made once per side. */
  static final List<String> ONCE_PER_SIDE = List.of("chaos", "rolling-upgrade", "capacity");

  /** A side: its {@code round-*} folders if it has any, else the folder itself. */
  static List<RunResults> rounds(Path dir) {
    List<Path> rounds = new ArrayList<>();
    if (Files.isDirectory(dir)) {
      try (Stream<Path> s = Files.list(dir)) {
        s.filter(p -> Files.isDirectory(p) && p.getFileName().toString().startsWith("round-"))
            .sorted()
            .forEach(rounds::add);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + dir, e);
      }
    }
    if (rounds.isEmpty()) {
      rounds.add(dir);
    }
    List<RunResults> out = new ArrayList<>();
    for (Path r : rounds) {
      out.add(ResultsDir.at(r).read());
    }
    // Chaos runs, capacity searches and a rolling upgrade made once per side, beside the rounds,
    // belong to it too.
    if (rounds.size() > 1 || !rounds.get(0).equals(dir)) {
      for (String once : ONCE_PER_SIDE) {
        Path p = dir.resolve(once);
        if (Files.isDirectory(p)) {
          out.add(ResultsDir.at(p).read());
        }
      }
    }
    return out;
  }
}
