package dev.natsproof.reports;

import java.io.FileNotFoundException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.HdrHistogram.HistogramLogReader;

/** The data of the page's charts, built from histograms and interval logs (microseconds). */
final class Charts {
  private Charts() {}

  /** The furthest percentile drawn: 99.999 %. */
  static final double MAX_NINES = 5;

  /**
   * Latency by percentile on a nines axis (x = log10(1 / (1 − p)): 1 = 90 %, 2 = 99 %, 3 = 99.9 %),
   * in ms, with the gate as a line.
   */
  static Map<String, Object> percentiles(
      String title, Map<String, Histogram> series, long gateMicros, String gateLabel) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map.Entry<String, Histogram> e : series.entrySet()) {
      if (e.getValue().getTotalCount() == 0) {
        continue;
      }
      List<Double> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      for (HistogramIterationValue v : e.getValue().percentiles(5)) {
        double q = v.getPercentileLevelIteratedTo() / 100.0;
        if (q >= 1.0) {
          break;
        }
        double x = Math.log10(1 / (1 - q));
        if (x > MAX_NINES) {
          break;
        }
        xs.add(round(x));
        ys.add(Math.max(0.001, v.getValueIteratedTo() / 1000.0));
      }
      out.add(series(e.getKey(), xs, ys));
    }
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("kind", "percentiles");
    spec.put("title", title);
    spec.put("yLabel", "latency");
    spec.put("series", out);
    if (gateMicros > 0) {
      spec.put("gateY", gateMicros / 1000.0);
      spec.put("gateLabel", gateLabel);
    }
    return spec;
  }

  /**
   * Values per second on a shared time axis, with windows (start s, end s, label) shaded.
   *
   * @param unit "ms" for latencies (shown in µs, ms or s), else the values' unit
   */
  static Map<String, Object> timeline(
      String title, String yLabel, String unit, List<Series> series, List<Window> windows) {
    double maxX = 0;
    for (Series s : series) {
      for (double x : s.x()) {
        maxX = Math.max(maxX, x);
      }
    }
    int n = (int) Math.ceil(maxX) + 1;
    double[] xs = new double[n];
    for (int i = 0; i < n; i++) {
      xs[i] = i;
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (Series s : series) {
      Double[] ys = new Double[n];
      for (int i = 0; i < s.x().length; i++) {
        int at = (int) Math.round(s.x()[i]);
        if (at >= 0 && at < n) {
          ys[at] = s.y()[i];
        }
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("label", s.label());
      m.put("y", ys);
      if (s.dashed()) {
        m.put("dash", List.of(5, 4));
      }
      out.add(m);
    }
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("kind", "timeline");
    spec.put("title", title);
    spec.put("yLabel", yLabel);
    spec.put("unit", unit);
    spec.put("x", xs);
    spec.put("series", out);
    spec.put(
        "windows",
        windows.stream().map(w -> List.of(round(w.start()), round(w.end()), w.label())).toList());
    return spec;
  }

  /**
   * Two measures on one time axis: counts per second on the left, latencies (ms) on a second axis
   * on the right, windows shaded.
   */
  static Map<String, Object> dual(
      String title,
      String leftLabel,
      List<Series> left,
      String rightLabel,
      List<Series> rightMillis,
      List<Window> windows) {
    Map<String, Object> spec = timeline(title, leftLabel, "", concat(left, rightMillis), windows);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> series = (List<Map<String, Object>>) spec.get("series");
    for (int i = left.size(); i < series.size(); i++) {
      series.get(i).put("scale", "y2");
      series.get(i).put("unit", "ms");
    }
    spec.put("y2Label", rightLabel);
    return spec;
  }

  private static List<Series> concat(List<Series> a, List<Series> b) {
    List<Series> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  /** Side by side per case: categories on x, one bar per series. */
  static Map<String, Object> bars(
      String title,
      String yLabel,
      String unit,
      List<String> categories,
      Map<String, double[]> series) {
    List<Map<String, Object>> out = new ArrayList<>();
    series.forEach(
        (label, ys) -> {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("label", label);
          Double[] v = new Double[ys.length];
          for (int i = 0; i < ys.length; i++) {
            v[i] = Double.isNaN(ys[i]) ? null : ys[i];
          }
          m.put("y", v);
          out.add(m);
        });
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("kind", "bars");
    spec.put("title", title);
    spec.put("yLabel", yLabel);
    spec.put("unit", unit);
    spec.put("categories", categories);
    spec.put("series", out);
    return spec;
  }

  record Series(String label, double[] x, double[] y, boolean dashed) {}

  record Window(double start, double end, String label) {}

  private static Map<String, Object> series(String label, List<Double> xs, List<Double> ys) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("label", label);
    m.put("x", xs);
    m.put("y", ys);
    return m;
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  /** An interval log: every interval's histogram, and their start times in seconds. */
  record Log(List<Double> startSeconds, List<Histogram> intervals, Histogram total) {
    /** One value per interval, in ms: the percentile {@code p} (0..100). */
    Series percentile(String label, double p, boolean dashed) {
      double[] x = new double[intervals.size()];
      double[] y = new double[intervals.size()];
      for (int i = 0; i < intervals.size(); i++) {
        x[i] = startSeconds.get(i);
        y[i] = intervals.get(i).getValueAtPercentile(p) / 1000.0;
      }
      return new Series(label, x, y, dashed);
    }

    /** Events per second. */
    Series rate(String label) {
      double[] x = new double[intervals.size()];
      double[] y = new double[intervals.size()];
      for (int i = 0; i < intervals.size(); i++) {
        x[i] = startSeconds.get(i);
        y[i] = intervals.get(i).getTotalCount();
      }
      return new Series(label, x, y, false);
    }
  }

  static Log read(Path hlog) {
    List<Double> starts = new ArrayList<>();
    List<Histogram> hs = new ArrayList<>();
    Histogram total = new Histogram(3);
    try {
      HistogramLogReader r = new HistogramLogReader(hlog.toFile());
      double first = Double.NaN;
      EncodableHistogram e;
      while ((e = r.nextIntervalHistogram()) != null) {
        if (!(e instanceof Histogram h)) {
          continue;
        }
        double start = h.getStartTimeStamp() / 1000.0;
        if (Double.isNaN(first)) {
          first = start;
        }
        starts.add(start - first);
        hs.add(h);
        total.add(h);
      }
    } catch (FileNotFoundException e) {
      throw new ReportException(hlog + " vanished while being read", e);
    } catch (RuntimeException e) {
      throw new ReportException(
          hlog + " is not an HdrHistogram interval log (" + e.getMessage() + "): run it again", e);
    }
    return new Log(starts, hs, total);
  }
}
