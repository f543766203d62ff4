package dev.natsproof.reports;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The report's plots, drawn with XChart and embedded as PNG data URIs (no network needed). */
final class Charts {
  static {
    System.setProperty("java.awt.headless", "true");
  }

  private Charts() {}

  static String png(Chart<?, ?> chart) {
    try {
      return "data:image/png;base64,"
          + Base64.getEncoder()
              .encodeToString(BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot render " + chart.getTitle(), e);
    }
  }

  /** Latency by percentile on a "nines" axis (x = log10(1 / (1 − p))): the tail is the right. */
  static String percentileDistribution(String title, Map<String, Histogram> series) {
    XYChart c =
        new XYChartBuilder()
            .width(960)
            .height(420)
            .title(title)
            .xAxisTitle("percentile")
            .yAxisTitle("latency (ms)")
            .build();
    c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    c.getStyler().setMarkerSize(0);
    // No custom tick formatter: XChart 3.8.8 spins forever when formatted labels collide.
    for (Map.Entry<String, Histogram> e : series.entrySet()) {
      List<Double> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      for (HistogramIterationValue v : e.getValue().percentiles(5)) {
        double q = v.getPercentileLevelIteratedTo() / 100.0;
        if (q >= 1.0) {
          break;
        }
        xs.add(Math.log10(1 / (1 - q)));
        ys.add(v.getValueIteratedTo() / 1000.0);
      }
      if (!xs.isEmpty()) {
        c.addSeries(e.getKey(), xs, ys).setMarker(SeriesMarkers.NONE);
      }
    }
    return png(c);
  }

  /**
   * A time series with fault windows shaded: x seconds; each series name → y values; faults as
   * [start, end] seconds pairs.
   */
  static String timeline(
      String title, String yTitle, double[] xs, Map<String, double[]> ys, List<double[]> faults) {
    XYChart c =
        new XYChartBuilder()
            .width(960)
            .height(360)
            .title(title)
            .xAxisTitle("seconds since start")
            .yAxisTitle(yTitle)
            .build();
    c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    c.getStyler().setMarkerSize(0);
    double max = 1;
    for (double[] y : ys.values()) {
      for (double v : y) {
        max = Math.max(max, v);
      }
    }
    if (!faults.isEmpty() && xs.length > 0) {
      // A step series that stands at the top of the chart while a fault is active.
      double[] fx = new double[faults.size() * 4];
      double[] fy = new double[faults.size() * 4];
      int i = 0;
      for (double[] f : faults) {
        fx[i] = f[0];
        fy[i++] = 0;
        fx[i] = f[0];
        fy[i++] = max;
        fx[i] = f[1];
        fy[i++] = max;
        fx[i] = f[1];
        fy[i++] = 0;
      }
      XYSeries s = c.addSeries("fault active", fx, fy);
      s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Area);
      s.setFillColor(new java.awt.Color(255, 80, 80, 60));
      s.setLineColor(new java.awt.Color(255, 80, 80, 120));
      s.setMarker(SeriesMarkers.NONE);
    }
    for (Map.Entry<String, double[]> e : ys.entrySet()) {
      if (xs.length > 0) {
        c.addSeries(e.getKey(), xs, e.getValue()).setMarker(SeriesMarkers.NONE);
      }
    }
    return png(c);
  }

  /** Horizontal comparison bars: label → value. */
  static String bars(String title, String yTitle, Map<String, Double> values) {
    CategoryChart c =
        new CategoryChartBuilder()
            .width(960)
            .height(Math.max(320, 40 * values.size() + 160))
            .title(title)
            .yAxisTitle(yTitle)
            .build();
    c.getStyler().setLegendVisible(false);
    c.getStyler().setXAxisLabelRotation(30);
    c.addSeries(yTitle, new ArrayList<>(values.keySet()), new ArrayList<>(values.values()));
    return png(c);
  }
}
