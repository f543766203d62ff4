package dev.natsproof.reports;

import dev.natsproof.results.ResultsDir;
import dev.natsproof.results.Verdict;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One self-contained HTML page: its own CSS, the chart library (uPlot, from its webjar on the
 * classpath) and the chart code inlined, so it opens from disk with no network. Text is always
 * escaped; charts are {@code <div class="chart">} elements carrying their data as JSON.
 */
final class Page {
  static final String UPLOT = "/META-INF/resources/webjars/uplot/1.6.30/dist/";

  private final StringBuilder body = new StringBuilder();
  private final String title;

  Page(String title) {
    this.title = title;
  }

  static String esc(Object o) {
    String s = String.valueOf(o);
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  Page h1(String text) {
    body.append("<h1>").append(esc(text)).append("</h1>\n");
    return this;
  }

  Page h2(String id, String text) {
    body.append("<h2 id=\"").append(esc(id)).append("\">").append(esc(text)).append("</h2>\n");
    return this;
  }

  Page h3(String text) {
    body.append("<h3>").append(esc(text)).append("</h3>\n");
    return this;
  }

  Page p(String text) {
    body.append("<p>").append(esc(text)).append("</p>\n");
    return this;
  }

  Page pClass(String cls, String text) {
    body.append("<p class=\"").append(cls).append("\">").append(esc(text)).append("</p>\n");
    return this;
  }

  /** Already-built, already-escaped markup. */
  Page raw(String html) {
    body.append(html).append('\n');
    return this;
  }

  static String badge(Verdict v) {
    return "<span class=\"badge " + v + "\">" + v + "</span>";
  }

  Page list(String cls, List<String> items) {
    body.append("<ul class=\"").append(cls).append("\">");
    for (String i : items) {
      body.append("<li>").append(esc(i)).append("</li>");
    }
    body.append("</ul>\n");
    return this;
  }

  /**
   * A table; a cell that is a {@link Verdict} gets its colour, one that starts with a digit is
   * right-aligned.
   */
  Page table(List<String> headers, List<List<Object>> rows) {
    body.append("<table><tr>");
    for (String h : headers) {
      body.append("<th>").append(esc(h)).append("</th>");
    }
    body.append("</tr>\n");
    for (List<Object> r : rows) {
      body.append("<tr>");
      for (Object cell : r) {
        if (cell instanceof Verdict v) {
          body.append("<td class=\"").append(v).append("\">").append(v).append("</td>");
        } else {
          String s = String.valueOf(cell);
          boolean num =
              !s.isEmpty()
                  && (Character.isDigit(s.charAt(0)) || s.startsWith("-") || s.startsWith("+"));
          body.append(num ? "<td class=\"n\">" : "<td>").append(esc(s)).append("</td>");
        }
      }
      body.append("</tr>\n");
    }
    body.append("</table>\n");
    return this;
  }

  /** A chart the page's script draws; {@code spec} is its kind, title, axes and series. */
  Page chart(Map<String, Object> spec) {
    body.append("<div class=\"chart\" data-title=\"")
        .append(esc(spec.get("title")))
        .append("\" data-spec=\"")
        .append(esc(ResultsDir.toJson(spec)))
        .append("\"></div>\n");
    return this;
  }

  String html() {
    return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>"
        + esc(title)
        + "</title>\n<style>"
        + resource(UPLOT + "uPlot.min.css")
        + "\n"
        + resource("/report/report.css")
        + "</style>\n<script>"
        + resource(UPLOT + "uPlot.iife.min.js")
        + "</script>\n</head><body>\n"
        + body
        + "<div id=\"errors\"></div>\n<script>"
        + resource("/report/report.js")
        + "</script>\n</body></html>\n";
  }

  static String resource(String path) {
    try (InputStream in = Page.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException(
            "report resource " + path + " is missing from the classpath: rebuild the reports jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }
}
