package dev.natsproof.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.natsproof.results.Cli;
import dev.natsproof.results.FanOutClient;
import dev.natsproof.results.ResultsDir;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The report and the comparison opened in headless Chromium (Debian's package; .ci/run installs
 * it): every chart rendered on a non-empty canvas with labelled axes, no script error, and a
 * screenshot of each kept under target/. Where no Chromium can be found the test is skipped and
 * says why; {@code -Dnatsproof.requireBrowser=true} (set by {@code ./natsproof test} whenever
 * Chromium is on the PATH) turns that skip into a failure.
 */
class BrowserRenderTest {
  static Path chromium() {
    for (String p :
        List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
      if (Files.isExecutable(Path.of(p))) {
        return Path.of(p);
      }
    }
    return null;
  }

  static List<String> command(Path chromium, Path userDir, String... extra) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                chromium.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--virtual-time-budget=10000",
                "--user-data-dir=" + userDir));
    cmd.addAll(List.of(extra));
    return cmd;
  }

  /**
   * Runs Chromium with its output in a file: its helper processes can keep an output pipe open
   * after the browser exits, and reading the pipe then never ends (seen here).
   */
  static String run(List<String> cmd) throws Exception {
    Path outFile = Files.createTempFile("chromium-out", ".txt");
    Process p =
        new ProcessBuilder(cmd)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .redirectOutput(outFile.toFile())
            .start();
    boolean done = p.waitFor(120, TimeUnit.SECONDS);
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    if (!done) {
      p.destroyForcibly();
    }
    assertTrue(done, "chromium did not finish in 120 s");
    assertEquals(0, p.exitValue(), "chromium exit code");
    return Files.readString(outFile, StandardCharsets.UTF_8);
  }

  static Path browser() {
    Path chromium = chromium();
    if (Boolean.getBoolean("natsproof.requireBrowser")) {
      assertTrue(chromium != null, "no Chromium found although the launcher installed one");
    }
    assumeTrue(
        chromium != null,
        "no Chromium here: install Debian's chromium package (./natsproof test does when it may)");
    return chromium;
  }

  /** Opens the page, checks its own render report, keeps a screenshot; returns charts drawn. */
  static int check(Path chromium, Path page, Path shot) throws Exception {
    String url = page.toAbsolutePath().toUri().toString();
    Path profile = Files.createTempDirectory("chromium-profile");
    String dom = run(command(chromium, profile, "--dump-dom", url));
    Matcher charts = Pattern.compile("data-charts=\"(\\d+)\"").matcher(dom);
    Matcher rendered = Pattern.compile("data-charts-rendered=\"(\\d+)\"").matcher(dom);
    assertTrue(charts.find() && rendered.find(), "the page's script did not run: " + head(dom));
    int n = Integer.parseInt(charts.group(1));
    assertTrue(n > 0, "no chart on the page");
    Matcher empty = Pattern.compile("data-rendered=\"empty\"").matcher(dom);
    int emptyCount = 0;
    while (empty.find()) {
      emptyCount++;
    }
    assertEquals(n - emptyCount, Integer.parseInt(rendered.group(1)), "charts drawn of " + n);
    Matcher errors = Pattern.compile("id=\"errors\" data-count=\"(\\d+)\">([^<]*)<").matcher(dom);
    assertTrue(errors.find(), "no error report on the page");
    assertEquals("0", errors.group(1), "script errors: " + errors.group(2));
    Matcher axes = Pattern.compile("data-axis-labels=\"(\\d+)\"").matcher(dom);
    while (axes.find()) {
      assertTrue(Integer.parseInt(axes.group(1)) >= 2, "a chart without both axes");
    }
    assertTrue(dom.contains("u-label"), "axis or series labels drawn");
    run(
        command(
            chromium,
            profile,
            "--window-size=1200,3200",
            "--screenshot=" + shot.toAbsolutePath(),
            url));
    assertTrue(
        Files.size(shot) > 20_000, "screenshot too small to hold the charts: " + Files.size(shot));
    return n;
  }

  private static String head(String dom) {
    return dom.substring(0, Math.min(400, dom.length()));
  }

  @Test
  @DisplayName(
      "headless Chromium draws every chart of the report and of the comparison, without errors")
  void rendersInChromium() throws Exception {
    Path chromium = browser();
    Path out = Files.createDirectories(Path.of("target", "report-render"));
    Path run = Fixture.passing(Files.createDirectories(out.resolve("run")), "2.9.10");
    Cli.run(new ReportMain(), "report", run.toString());
    int charts =
        check(chromium, run.resolve(ResultsDir.REPORT_HTML), out.resolve("report-screenshot.png"));
    assertTrue(charts >= 5, "report charts: " + charts);
    Path base = Files.createDirectories(out.resolve("base"));
    Path cand = Files.createDirectories(out.resolve("cand"));
    for (int i = 1; i <= 3; i++) {
      Fixture.fanOut(
          Files.createDirectories(base.resolve("round-" + i)),
          "2.10.27",
          FanOutClient.BROKER,
          300,
          2500,
          200);
      Fixture.fanOut(
          Files.createDirectories(cand.resolve("round-" + i)),
          "2.15.1",
          FanOutClient.BROKER,
          300,
          9000,
          200);
    }
    Cli.run(new ReportMain(), "compare", base.toString(), cand.toString(), "--out", out.toString());
    check(chromium, out.resolve(ResultsDir.COMPARE_HTML), out.resolve("compare-screenshot.png"));
  }

  /**
   * The same check on pages real runs wrote: {@code
   * -Dnatsproof.render.pages=a/report.html,b/compare.html} (the main job's report, an upgrade
   * check's comparison). Skipped without the property.
   */
  @Test
  @DisplayName("pages real runs wrote render the same way (-Dnatsproof.render.pages)")
  void rendersRealPages() throws Exception {
    String pages = System.getProperty("natsproof.render.pages", "").strip();
    assumeTrue(!pages.isEmpty(), "no -Dnatsproof.render.pages given");
    Path chromium = browser();
    Path out = Files.createDirectories(Path.of("target", "report-render", "real"));
    int i = 0;
    for (String page : pages.split(",")) {
      Path p = Path.of(page.strip());
      int charts = check(chromium, p, out.resolve((i++) + "-" + p.getFileName() + ".png"));
      System.out.println("RENDERED " + p + ": " + charts + " charts");
    }
  }
}
