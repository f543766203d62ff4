package dev.natsproof.benchmarks;

import dev.natsproof.results.Percentiles;
import dev.natsproof.testkit.HiccupMeter;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The measurement frame every open-loop scenario shares: a warm-up and a recorded phase on a fixed
 * schedule, a recorder pair per measured series (index 0 warm-up, 1 recorded), a monitor that wakes
 * once a second (and exactly at the start of recording) to write each series' interval to its
 * {@code .hlog}, the hiccup control beside them, CPU time of the client and of the server over the
 * recorded phase, and progress lines with the time left.
 *
 * <p>A scenario times each event by its <em>intended</em> time and records it into {@link
 * Series#recorder(long)}: which phase it belongs to is arithmetic, not a branch (a branch never
 * taken in warm-up is compiled as an uncommon trap, and every handler thread would deoptimize the
 * moment recording starts).
 */
public final class OpenLoop implements AutoCloseable {
  /** The schedule: warm-up from {@code startNanos}, recorded from {@code measureStartNanos}. */
  record Phases(long startNanos, long measureStartNanos, long endNanos) {
    static Phases after(long leadNanos, int warmupSeconds, int durationSeconds) {
      long start = System.nanoTime() + leadNanos;
      long measure = start + TimeUnit.SECONDS.toNanos(warmupSeconds);
      return new Phases(start, measure, measure + TimeUnit.SECONDS.toNanos(durationSeconds));
    }

    /** 1 when {@code intended} falls in the recorded phase, else 0; no branch. */
    int phase(long intended) {
      return phaseOf(intended, measureStartNanos);
    }

    long recordedSeconds() {
      return TimeUnit.NANOSECONDS.toSeconds(endNanos - measureStartNanos);
    }
  }

  /** 1 when {@code intended} is at or after {@code measureStart}, else 0; no branch. */
  static int phaseOf(long intended, long measureStart) {
    return (int) (~(intended - measureStart) >>> 63);
  }

  /** Fixed-range recorders never resize in the hot path. */
  static Recorder recorder() {
    return new Recorder(1, TimeUnit.HOURS.toMicros(1), 3);
  }

  /** One measured series: its two recorders and its interval log. */
  static final class Series {
    final String name;
    final Recorder[] phases = {OpenLoop.recorder(), OpenLoop.recorder()};
    final IntervalLog log;

    Series(String name, IntervalLog log) {
      this.name = name;
      this.log = log;
    }

    Recorder recorder(int phase) {
      return phases[phase];
    }

    Histogram total() {
      return log.total();
    }
  }

  private Phases phases;
  private final Path outDir;
  private final Map<String, Series> series = new LinkedHashMap<>();
  private final HiccupMeter hiccup = new HiccupMeter();
  private final IntervalLog hiccupLog;
  private final IntervalLog warmupLog = IntervalLog.discarding();
  private final LongSupplier serverCpuNanos;
  private final PrintStream progress;
  private final String label;
  private long clientCpuStart;
  private long serverCpuStart;
  private long clientCpu = -1;
  private long serverCpu = -1;
  private boolean recording;

  /**
   * @param hiccupLogName the hiccup control's {@code .hlog} file name
   * @param serverCpuNanos the server processes' CPU time so far, or null when not measurable (an
   *     external server)
   */
  OpenLoop(
      Path outDir,
      String hiccupLogName,
      LongSupplier serverCpuNanos,
      PrintStream progress,
      String label) {
    this.outDir = outDir;
    this.hiccupLog = new IntervalLog(outDir, hiccupLogName, "hiccup control, " + label);
    this.serverCpuNanos = serverCpuNanos;
    this.progress = progress;
    this.label = label;
    // First-time work (JMX for the CPU clock, the interval-log encoder) happens now, during
    // warm-up: at the start of recording it stalled the box for ~3 ms.
    clientCpuNanos();
  }

  /** The schedule, fixed once the clients are connected and before the load starts. */
  Phases begin(int warmupSeconds, int durationSeconds) {
    phases = Phases.after(TimeUnit.MILLISECONDS.toNanos(100), warmupSeconds, durationSeconds);
    return phases;
  }

  /** A measured series whose intervals go to {@code logName} (null: kept in memory only). */
  Series series(String name, String logName, String comment) {
    Series s =
        new Series(
            name,
            logName == null
                ? new IntervalLog(null, name, comment)
                : new IntervalLog(outDir, logName, comment + ", " + label));
    series.put(name, s);
    return s;
  }

  /**
   * Runs the monitor until {@code done} (the load's end): once a second, intervals go to the logs;
   * at the start of recording the CPU clocks start. {@code status} gives the progress line's tail.
   */
  void monitor(CountDownLatch done, Supplier<String> status) throws InterruptedException {
    long lastProgress = System.nanoTime();
    long second = TimeUnit.SECONDS.toNanos(1);
    long nextWake = Math.min(phases.measureStartNanos(), System.nanoTime() + second);
    while (!done.await(Math.max(0, nextWake - System.nanoTime()), TimeUnit.NANOSECONDS)) {
      long now = System.nanoTime();
      if (!recording && now >= phases.measureStartNanos()) {
        startRecording();
        nextWake = phases.measureStartNanos() + second;
      } else if (recording) {
        interval();
        nextWake += second;
      } else {
        for (Series s : series.values()) {
          warmupLog.add(s.phases[0].getIntervalHistogram()); // the same work, thrown away
        }
        warmupLog.add(hiccup.interval());
        nextWake = Math.min(phases.measureStartNanos(), now + second);
      }
      if (progress != null && now - lastProgress >= TimeUnit.SECONDS.toNanos(5)) {
        lastProgress = now;
        long left = Math.max(0, (phases.endNanos() - now) / 1_000_000_000L);
        progress.printf(
            "  [%s] %s, %d s left, %s%n",
            label,
            now < phases.measureStartNanos() ? "warming up" : "recording",
            left,
            status.get());
      }
    }
    if (!recording) {
      startRecording();
    }
  }

  private void startRecording() {
    recording = true;
    clientCpuStart = clientCpuNanos();
    serverCpuStart = serverCpuNanos == null ? 0 : serverCpuNanos.getAsLong();
    hiccup.interval(); // the control's warm-up noise is not this phase's
    // (the series need no reset: events intended before this phase went to their warm-up's)
  }

  private void interval() {
    for (Series s : series.values()) {
      s.log.add(s.phases[1].getIntervalHistogram());
    }
    hiccupLog.add(hiccup.interval());
  }

  /** After the drain: the last interval, and the CPU clocks stop. */
  void finish() {
    clientCpu = clientCpuNanos() - clientCpuStart;
    serverCpu = serverCpuNanos == null ? -1 : serverCpuNanos.getAsLong() - serverCpuStart;
    interval();
  }

  Percentiles hiccup() {
    return Percentiles.of(hiccupLog.total());
  }

  /** JVM CPU over the recorded phase (and the drain) per event, 0 for none. */
  double clientCpuNanosPer(long events) {
    return events == 0 || clientCpu < 0 ? 0 : (double) clientCpu / events;
  }

  /** Server CPU over the same span per event; -1 when the server is not ours to measure. */
  double serverCpuNanosPer(long events) {
    return serverCpu < 0 ? -1 : events == 0 ? 0 : (double) serverCpu / events;
  }

  @Override
  public void close() {
    hiccup.close();
    List<AutoCloseable> logs = new ArrayList<>();
    series.values().forEach(s -> logs.add(s.log));
    logs.add(hiccupLog);
    for (AutoCloseable l : logs) {
      try {
        l.close();
      } catch (Exception e) {
        // the log's last write failed: the JSON result still holds the totals
      }
    }
  }

  private static final java.lang.management.OperatingSystemMXBean OS =
      ManagementFactory.getOperatingSystemMXBean();

  static long clientCpuNanos() {
    if (OS instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getProcessCpuTime();
    }
    return 0;
  }

  /** CPU time so far of the processes with these pids (user + system), from the OS. */
  public static LongSupplier processCpuNanos(List<Long> pids) {
    return dev.natsproof.testkit.ServerCpu.processCpuNanos(pids);
  }
}
