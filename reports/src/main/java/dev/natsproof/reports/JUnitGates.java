package dev.natsproof.reports;

import dev.natsproof.results.GateResult;
import dev.natsproof.results.Verdict;
import java.util.List;

/**
 * Gates as a JUnit XML test report, so any CI shows each gate as a test: FAIL is a failure, UNKNOWN
 * an error (the run could not judge), INFO a skipped test with its message, PASS a pass.
 */
final class JUnitGates {
  private JUnitGates() {}

  static String xml(String suite, List<GateResult> gates) {
    long failures = gates.stream().filter(g -> g.verdict() == Verdict.FAIL).count();
    long errors = gates.stream().filter(g -> g.verdict() == Verdict.UNKNOWN).count();
    long skipped = gates.stream().filter(g -> g.verdict() == Verdict.INFO).count();
    StringBuilder x = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.append("<testsuite name=\"")
        .append(attr(suite))
        .append("\" tests=\"")
        .append(gates.size())
        .append("\" failures=\"")
        .append(failures)
        .append("\" errors=\"")
        .append(errors)
        .append("\" skipped=\"")
        .append(skipped)
        .append("\">\n");
    for (GateResult g : gates) {
      x.append("  <testcase classname=\"natsproof.gates\" name=\"")
          .append(attr(g.gate()))
          .append("\">");
      String msg = attr(g.detail() + (g.advice().isEmpty() ? "" : " — " + g.advice()));
      switch (g.verdict()) {
        case FAIL -> x.append("<failure message=\"").append(msg).append("\"/>");
        case UNKNOWN -> x.append("<error message=\"").append(msg).append("\"/>");
        case INFO -> x.append("<skipped message=\"").append(msg).append("\"/>");
        case PASS -> x.append("<system-out>").append(msg).append("</system-out>");
      }
      x.append("</testcase>\n");
    }
    return x.append("</testsuite>\n").toString();
  }

  static String attr(String s) {
    return Page.esc(s).replaceAll("[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F]", "");
  }
}
