package dev.natsproof.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
 * The report opened in headless Chromium (Debian's package; .ci/run installs it): every plot
 * decodes and shows, and a screenshot is kept under target/. Skipped, saying so, where no Chromium
 * is installed.
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

  @Test
  @DisplayName("headless Chromium renders the report with every plot and no broken image")
  void rendersInChromium() throws Exception {
    Path chromium = chromium();
    assumeTrue(chromium != null, "no Chromium installed here (.ci/run installs Debian's chromium)");
    Path out = Path.of("target", "report-render");
    Files.createDirectories(out);
    Report.write(Results.read(ReportsTest.fixture()), Gates.defaults(), out);
    String url = out.resolve("report.html").toAbsolutePath().toUri().toString();
    Path profile = Files.createTempDirectory("chromium-profile");
    String dom = run(command(chromium, profile, "--dump-dom", url));
    Matcher m = Pattern.compile("data-rendered=\"ok:(\\d+)\"").matcher(dom);
    assertTrue(
        m.find(),
        "the page's own check did not report every plot loaded: "
            + dom.substring(0, Math.min(300, dom.length())));
    assertTrue(Integer.parseInt(m.group(1)) >= 5, "plots rendered: " + m.group(1));
    Path shot = out.resolve("report-screenshot.png").toAbsolutePath();
    run(command(chromium, profile, "--window-size=1200,3000", "--screenshot=" + shot, url));
    assertTrue(
        Files.size(shot) > 20_000, "screenshot too small to hold the plots: " + Files.size(shot));
  }
}
