package dev.natsproof.benchmarks;

import dev.natsproof.results.Cli;
import dev.natsproof.results.GateEngine;
import dev.natsproof.results.GateLimits;
import dev.natsproof.results.GateReport;
import dev.natsproof.results.GateResult;
import dev.natsproof.results.ResultsDir;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The benchmark gates over a results folder, judged by the one {@link GateEngine}: prints each gate
 * with its numbers and the broker/raw ratios, writes {@code gates.json}, and exits 0 only when
 * every gate passed (1 on FAIL, 2 on UNKNOWN).
 *
 * <pre>java -cp benchmarks.jar dev.natsproof.benchmarks.BenchGate target/bench [--gates FILE]</pre>
 */
@Command(
    name = "bench-gate",
    mixinStandardHelpOptions = true,
    description = "Judges a benchmark results folder: every gate, gates.json, exit 0/1/2.")
public final class BenchGate implements Callable<Integer> {
  @Parameters(paramLabel = "RESULTS_DIR", description = "the folder the benchmarks wrote")
  Path dir;

  @Option(names = "--gates", paramLabel = "FILE", description = "a gates file (default limits)")
  Path gates;

  public static void main(String[] args) {
    System.exit(Cli.run(new BenchGate(), args));
  }

  @Override
  public Integer call() {
    GateLimits limits = gates == null ? GateLimits.defaults() : GateLimits.parse(gates);
    return judge(ResultsDir.at(dir), limits, System.out).overall().exitCode();
  }

  /** Evaluates, prints and writes {@code gates.json}. */
  static GateReport judge(ResultsDir rd, GateLimits limits, PrintStream out) {
    GateReport report = GateEngine.evaluate(rd.read(), limits);
    for (GateResult g : report.gates()) {
      out.printf("%-8s %s  %s%n", g.verdict(), g.gate(), g.detail());
      if (!g.advice().isEmpty()) {
        out.printf("         what to do: %s%n", g.advice());
      }
    }
    report.ratios().forEach((k, v) -> out.printf("INFO     %s = %s%n", k, v));
    rd.write(report);
    out.println("bench gates: " + report.overall());
    return report;
  }
}
