package dev.natsproof.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * An HdrHistogram interval log ({@code .hlog}, microseconds) beside a run's JSON, plus the run's
 * total. A scenario adds each interval histogram (one per second) with {@link #add}; the file is
 * only written when an output folder was given.
 */
final class IntervalLog implements AutoCloseable {
  private final HistogramLogWriter writer;
  private final Histogram total = new Histogram(3);

  /**
   * @param outDir where the file goes, or null for none
   * @param fileName the file's name ({@code .hlog} is added when missing)
   * @param comment what is in it, for whoever opens the file
   */
  IntervalLog(Path outDir, String fileName, String comment) {
    String file = fileName.endsWith(".hlog") ? fileName : fileName + ".hlog";
    if (outDir == null) {
      writer = null;
      return;
    }
    try {
      Files.createDirectories(outDir);
      writer = new HistogramLogWriter(outDir.resolve(file).toFile());
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot write " + file + " under " + outDir + ": " + e.getMessage(), e);
    }
    writer.outputComment("natsproof " + comment + ", in microseconds");
    writer.outputLogFormatVersion();
    writer.outputStartTime(System.currentTimeMillis());
    writer.outputLegend();
  }

  private IntervalLog(HistogramLogWriter writer) {
    this.writer = writer;
  }

  /**
   * A log that encodes and throws away: run during warm-up, it loads and compiles the encoding path
   * before recording starts, instead of in the first recorded second.
   */
  static IntervalLog discarding() {
    return new IntervalLog(new HistogramLogWriter(java.io.OutputStream.nullOutputStream()));
  }

  void add(Histogram interval) {
    total.add(interval);
    if (writer != null) {
      writer.outputIntervalHistogram(interval);
    }
  }

  Histogram total() {
    return total;
  }

  @Override
  public void close() {
    if (writer != null) {
      writer.close();
    }
  }
}
