package dev.natsproof.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.results.Cli;
import dev.natsproof.results.FanOutClient;
import dev.natsproof.results.GateEngine;
import dev.natsproof.results.GateLimits;
import dev.natsproof.results.GateReport;
import dev.natsproof.results.ResultsDir;
import dev.natsproof.results.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report and its command line, on folders written through the results contract. */
class ReportsTest {
  static int report(Path dir, String... more) {
    String[] args = new String[2 + more.length];
    args[0] = "report";
    args[1] = dir.toString();
    System.arraycopy(more, 0, args, 2, more.length);
    return Cli.run(new ReportMain(), args);
  }

  @Test
  @DisplayName("a passing folder: exit 0, and every report file is written")
  void passingFolder(@TempDir Path dir) throws Exception {
    Fixture.passing(dir, "2.9.10");
    assertEquals(0, report(dir));
    String html = Files.readString(dir.resolve(ResultsDir.REPORT_HTML));
    assertTrue(html.contains("class=\"chart\""), "charts on the page");
    assertTrue(html.contains("uPlot"), "the chart library is inlined");
    assertTrue(html.contains("What to do") == false, "nothing to do on a pass");
    assertTrue(html.contains("2.9.10"), "the server version is named");
    String md = Files.readString(dir.resolve(ResultsDir.REPORT_MD));
    assertTrue(md.startsWith("## natsproof: **PASS**"), md);
    String junit = Files.readString(dir.resolve(ResultsDir.GATES_JUNIT));
    assertTrue(junit.contains("failures=\"0\"") && junit.contains("<testcase"), junit);
    assertEquals(
        Verdict.PASS, ResultsDir.read(dir.resolve(ResultsDir.GATES), GateReport.class).overall());
  }

  @Test
  @DisplayName(
      "negative control: a fan-out p99 over the limit FAILs (exit 1), in the page and JUnit XML")
  void slowFanOutFails(@TempDir Path dir) throws Exception {
    Fixture.passing(dir, "2.9.10");
    Fixture.fanOut(dir, "2.9.10", FanOutClient.BROKER, 300, 30_000, 200);
    assertEquals(1, report(dir));
    String html = Files.readString(dir.resolve(ResultsDir.REPORT_HTML));
    assertTrue(html.contains("What to do"), "a FAIL says what to do");
    String junit = Files.readString(dir.resolve(ResultsDir.GATES_JUNIT));
    assertTrue(junit.contains("<failure"), junit);
  }

  @Test
  @DisplayName("a stalled platform is UNKNOWN (exit 2), with the advice on the page")
  void stalledPlatform(@TempDir Path dir) throws Exception {
    Fixture.fanOut(dir, "2.9.10", FanOutClient.BROKER, 300, 2500, 8000);
    assertEquals(2, report(dir));
    String html = Files.readString(dir.resolve(ResultsDir.REPORT_HTML));
    assertTrue(html.contains("quieter machine"), "UNKNOWN explained");
    assertTrue(Files.readString(dir.resolve(ResultsDir.GATES_JUNIT)).contains("<error"));
  }

  @Test
  @DisplayName(
      "negative control: a chaos run that lost an acked write blocks; an empty folder is UNKNOWN")
  void chaosLossAndEmpty(@TempDir Path dir) throws Exception {
    Path lossy = Files.createDirectories(dir.resolve("lossy"));
    Fixture.chaos(lossy, "2.9.10", 3, List.of(200L), false);
    assertEquals(1, report(lossy));
    Path empty = Files.createDirectories(dir.resolve("empty"));
    assertEquals(2, report(empty));
  }

  @Test
  @DisplayName("bad arguments and a missing folder exit 3 with one line naming the problem")
  void badArguments(@TempDir Path dir) {
    assertEquals(3, Cli.run(new ReportMain(), "report"));
    assertEquals(1, report(dir.resolve("absent")));
    assertEquals(3, Cli.run(new ReportMain(), "nonsense"));
  }

  @Test
  @DisplayName(
      "JMH time per op is shown in human units; a score smaller than its error is marked noise")
  void jmhUnits(@TempDir Path dir) throws Exception {
    assertEquals("2.50 ms per op", Report.jmhScore(0.0025, "s/op"));
    assertEquals("870 µs per op", Report.jmhScore(870, "us/op"));
    Fixture.passing(dir, "2.9.10");
    report(dir);
    assertTrue(
        Files.readString(dir.resolve(ResultsDir.REPORT_HTML)).contains("noise: not a measurement"));
  }

  @Test
  @DisplayName("the gates the report shows are the engine's: same verdicts as BenchGate would say")
  void oneEngine(@TempDir Path dir) {
    Fixture.passing(dir, "2.9.10");
    GateReport a = GateEngine.evaluate(ResultsDir.at(dir).read(), GateLimits.defaults());
    report(dir);
    GateReport b = ResultsDir.read(dir.resolve(ResultsDir.GATES), GateReport.class);
    assertEquals(a.gates(), b.gates());
  }
}
