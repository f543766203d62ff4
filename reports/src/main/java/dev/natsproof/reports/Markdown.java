package dev.natsproof.reports;

import dev.natsproof.results.GateReport;
import dev.natsproof.results.GateResult;
import dev.natsproof.results.RunResults;
import java.util.ArrayList;
import java.util.List;

/** The Markdown summary: short enough for a pull-request comment or a CI job summary. */
final class Markdown {
  private Markdown() {}

  static String cell(String s) {
    return s.replace("|", "\\|").replace("\n", " ");
  }

  static String report(RunResults r, GateReport g) {
    StringBuilder md = new StringBuilder();
    md.append("## natsproof: **").append(g.overall()).append("**\n\n");
    md.append(Report.provenance(r)).append("\n\n");
    List<GateResult> blocking = new ArrayList<>();
    for (GateResult x : g.gates()) {
      if (x.blocking()) {
        blocking.add(x);
      }
    }
    if (!blocking.isEmpty()) {
      md.append("### What to do\n\n");
      for (GateResult x : blocking) {
        md.append("- **")
            .append(x.verdict())
            .append("** ")
            .append(cell(x.gate()))
            .append(": ")
            .append(cell(x.detail()))
            .append(x.advice().isEmpty() ? "" : " → " + cell(x.advice()))
            .append('\n');
      }
      md.append('\n');
    }
    md.append("| verdict | gate | detail |\n|---|---|---|\n");
    for (GateResult x : g.gates()) {
      md.append("| ")
          .append(x.verdict())
          .append(" | ")
          .append(cell(x.gate()))
          .append(" | ")
          .append(cell(x.detail()))
          .append(" |\n");
    }
    if (!g.ratios().isEmpty()) {
      md.append("\n| broker / raw jnats (not gated) | value |\n|---|---|\n");
      g.ratios()
          .forEach(
              (k, v) ->
                  md.append("| ").append(cell(k)).append(" | ").append(cell(v)).append(" |\n"));
    }
    return md.toString();
  }
}
