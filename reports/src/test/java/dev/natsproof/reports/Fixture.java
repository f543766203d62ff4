package dev.natsproof.reports;

import dev.natsproof.results.ChaosVerdict;
import dev.natsproof.results.CheckResult;
import dev.natsproof.results.FanOutClient;
import dev.natsproof.results.FanOutRun;
import dev.natsproof.results.FaultWindow;
import dev.natsproof.results.FindingCount;
import dev.natsproof.results.Findings;
import dev.natsproof.results.History;
import dev.natsproof.results.Interventions;
import dev.natsproof.results.Op;
import dev.natsproof.results.Percentiles;
import dev.natsproof.results.Provenance;
import dev.natsproof.results.ResultsDir;
import dev.natsproof.results.ServerVersion;
import dev.natsproof.results.StreamRun;
import dev.natsproof.results.StreamRunSpec;
import dev.natsproof.results.Verdict;
import dev.natsproof.results.Workload;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * A results folder written through the contract, every number chosen: fan-out runs with interval
 * logs, a JetStream run, a chaos run with its history, JMH's JSON.
 */
final class Fixture {
  private Fixture() {}

  static Provenance provenance(String version) {
    return new Provenance(
        version,
        "nats://127.0.0.1:4222",
        true,
        "default",
        "2.26.2",
        "17",
        2,
        "0123456789abcdef",
        "2026-12-02T00:00:00Z",
        "fixture");
  }

  static Workload workload() {
    return Workload.bundled("rooms-100x10-30hz-200b");
  }

  /** A fan-out run whose latency spreads over [from, to] µs, with its interval logs. */
  static FanOutRun fanOut(
      Path dir,
      String version,
      FanOutClient client,
      long fromMicros,
      long toMicros,
      long hiccupMicros) {
    Workload w = workload();
    Histogram total =
        hlog(dir.resolve(ResultsDir.fanOutLatencyLog(w.name(), client)), fromMicros, toMicros, 7);
    Histogram hiccup =
        hlog(dir.resolve(ResultsDir.fanOutHiccupLog(w.name(), client)), 5, hiccupMicros, 11);
    hlog(dir.resolve(ResultsDir.fanOutLatenessLog(w.name(), client)), 10, 200, 13);
    FanOutRun r =
        new FanOutRun(
            w,
            provenance(version),
            client,
            total.getTotalCount() / 10,
            total.getTotalCount(),
            total.getTotalCount(),
            0,
            0,
            Percentiles.EMPTY,
            Percentiles.of(total),
            new Percentiles(100, 50, 80, 150, 190, 200),
            Percentiles.of(hiccup),
            0,
            0,
            1200,
            900,
            30_000,
            null,
            List.of());
    ResultsDir.at(dir).write(r);
    return r;
  }

  /** An interval log of 10 one-second intervals, values uniform over [from, to]. */
  static Histogram hlog(Path file, long from, long to, long seed) {
    Random rnd = new Random(seed);
    Histogram total = new Histogram(3);
    try {
      Files.createDirectories(file.getParent());
      HistogramLogWriter w = new HistogramLogWriter(file.toFile());
      w.outputLogFormatVersion();
      w.outputStartTime(1_000_000);
      w.outputLegend();
      for (int s = 0; s < 10; s++) {
        Histogram h = new Histogram(3);
        h.setStartTimeStamp(1_000_000 + s * 1000L);
        h.setEndTimeStamp(1_000_000 + (s + 1) * 1000L);
        for (int i = 0; i < 300; i++) {
          h.recordValue(from + (long) (rnd.nextDouble() * (to - from)));
        }
        w.outputIntervalHistogram(h);
        total.add(h);
      }
      w.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return total;
  }

  static StreamRun stream(Path dir, long acked, long delivered, long missing, String error) {
    StreamRun r =
        new StreamRun(
            new StreamRunSpec(
                1000, StreamRunSpec.EnqueueMode.ASYNC, StreamRunSpec.AckMode.ACK, 1, 2, 10),
            provenance("2.9.10"),
            acked,
            delivered,
            missing,
            0,
            0,
            new Percentiles(acked, 400, 900, 2500, 3000, 3100),
            new Percentiles(acked, 300, 600, 1500, 2000, 2100),
            new Percentiles(2000, 60, 70, 300, 400, 500),
            acked / 10.0,
            500,
            error);
    ResultsDir.at(dir).write(r);
    return r;
  }

  /** A kill -9 chaos run with a small history: two faults, acks and deliveries around them. */
  static ChaosVerdict chaos(
      Path dir, String version, long lost, List<Long> recoveryMs, boolean negative) {
    History h = History.of(List.of());
    for (int i = 0; i < 200; i++) {
      long t = i * 50_000_000L;
      h.add(new Op("w0", "enqueue", "w0-" + i, i + 1, 0, Op.OK, t, t + 1_000_000L, null));
      h.add(
          new Op(
              "consumer",
              "deliver",
              "w0-" + i,
              i + 1,
              1,
              Op.OK,
              t + 2_000_000L,
              t + 2_000_000L,
              null));
    }
    h.add(new Op("nemesis", "fault", "kill-9", 0, 0, Op.OK, 3_000_000_000L, 3_000_000_000L, null));
    h.add(new Op("nemesis", "heal", "kill-9", 0, 0, Op.OK, 3_200_000_000L, 3_200_000_000L, null));
    Verdict v = negative ? Verdict.FAIL : lost > 0 ? Verdict.FAIL : Verdict.PASS;
    List<FaultWindow> faults =
        recoveryMs.stream()
            .map(
                ms ->
                    new FaultWindow("kill-9", 1, 3000, 3200, ms * 2, ms, 5000L, List.<String>of()))
            .toList();
    FindingCount forgot =
        Findings.judge(Findings.CONSUMER_STATE_FORGOTTEN, 3, ServerVersion.parse(version));
    ChaosVerdict c =
        new ChaosVerdict(
            "server-kill",
            negative ? "negative-lying-broker" : "kill9",
            "queue",
            "kill-9",
            negative,
            true,
            true,
            v,
            List.of(v + " by hand"),
            List.of(
                new CheckResult(
                    "queue", v, List.of("by hand"), Map.of("acked", 200L, "lost", lost), Map.of())),
            Map.of("acked", 200L, "delivered", 200L - lost, "lost", lost, "stalled", 0L),
            faults,
            List.of(forgot),
            new Interventions(2, 0, 0, 0),
            "SIGKILL keeps the page cache",
            Map.of(),
            provenance(version),
            10_000);
    ResultsDir rd = ResultsDir.at(dir.resolve("chaos"));
    rd.write(c);
    h.writeJsonl(rd.runDir(c.suite(), c.run()).resolve(ResultsDir.HISTORY));
    return c;
  }

  static void jmh(Path dir) {
    try {
      Files.writeString(
          dir.resolve(ResultsDir.JMH),
          "[" + entry("broker", 900, 10) + "," + entry("raw-jnats", 1000, 3000) + "]");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String entry(String client, double score, double error) {
    return "{\"benchmark\":\"dev.natsproof.benchmarks.jmh.EnqueueBenchmark.enqueue\",\"mode\":\"thrpt\","
        + "\"forks\":1,\"params\":{\"client\":\""
        + client
        + "\",\"mode\":\"sync\"},"
        + "\"primaryMetric\":{\"score\":"
        + score
        + ",\"scoreError\":"
        + error
        + ",\"scoreUnit\":\"ops/s\",\"rawData\":[[1,2,3]]}}";
  }

  /** A complete passing folder. */
  static Path passing(Path dir, String version) {
    fanOut(dir, version, FanOutClient.BROKER, 300, 2500, 200);
    fanOut(dir, version, FanOutClient.RAW_JNATS, 250, 2000, 200);
    stream(dir, 10_000, 10_000, 0, null);
    chaos(dir, version, 0, List.of(150L, 300L), false);
    chaos(dir, version, 5, List.of(150L), true);
    jmh(dir);
    return dir;
  }
}
