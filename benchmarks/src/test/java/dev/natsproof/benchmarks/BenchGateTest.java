package dev.natsproof.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.results.FanOutClient;
import dev.natsproof.results.FanOutRun;
import dev.natsproof.results.GateLimits;
import dev.natsproof.results.Percentiles;
import dev.natsproof.results.ResultsDir;
import dev.natsproof.results.ResultsFormatException;
import dev.natsproof.results.StreamRun;
import dev.natsproof.results.Verdict;
import dev.natsproof.results.Workload;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark gate over result files: it passes a folder of good runs and says FAIL or UNKNOWN
 * for each way a run can be bad (negative controls on synthetic results).
 */
class BenchGateTest {
  static final Workload W = Workload.bundled("rooms-100x10-30hz-200b");

  static Percentiles uniform(long fromMicros, long toMicros, int n) {
    Histogram h = new Histogram(3);
    for (int i = 0; i < n; i++) {
      h.recordValue(fromMicros + (toMicros - fromMicros) * i / Math.max(1, n - 1));
    }
    return Percentiles.of(h);
  }

  static void fanOut(Path dir, FanOutClient client, long p99Micros, long delivered) {
    ResultsDir.at(dir)
        .write(
            new FanOutRun(
                W,
                null,
                client,
                100,
                1000,
                delivered,
                1000 - delivered,
                0,
                Percentiles.EMPTY,
                uniform(100, p99Micros, 1000),
                uniform(0, 100, 100),
                uniform(10, 200, 1000),
                0,
                0,
                1000,
                -1,
                1000,
                null,
                List.of()));
  }

  static void stream(Path dir, long acked, long delivered, long missing, String error) {
    StreamLatencyScenario.Options o = StreamLatencyScenario.Options.defaults(null);
    ResultsDir.at(dir)
        .write(
            new StreamRun(
                o.spec(),
                null,
                acked,
                delivered,
                missing,
                0,
                0,
                uniform(300, 3000, 1000),
                uniform(300, 3000, 1000),
                uniform(10, 200, 1000),
                acked / 10.0,
                -1,
                error));
  }

  static Verdict judge(Path dir) {
    return BenchGate.judge(
            ResultsDir.at(dir), GateLimits.defaults(), new PrintStream(new ByteArrayOutputStream()))
        .overall();
  }

  @Test
  @DisplayName("good fan-out and JetStream runs: PASS (exit 0), gates.json written with ratios")
  void passes(@TempDir Path dir) throws Exception {
    fanOut(dir, FanOutClient.BROKER, 2000, 1000);
    stream(dir, 10_000, 10_000, 0, null);
    assertEquals(Verdict.PASS, judge(dir));
    String gates = Files.readString(dir.resolve(ResultsDir.GATES));
    assertTrue(gates.contains("lossless") && gates.contains("fan-out"), gates);
    fanOut(dir, FanOutClient.RAW_JNATS, 1000, 1000);
    assertEquals(Verdict.PASS, judge(dir));
    assertTrue(
        Files.readString(dir.resolve(ResultsDir.GATES))
            .contains("fan-out rooms-100x10-30hz-200b p99 broker/raw-jnats"));
  }

  @Test
  @DisplayName("negative control: a fan-out p99 over the limit or a missing delivery: FAIL (1)")
  void fanOutFails(@TempDir Path dir) throws Exception {
    fanOut(dir, FanOutClient.BROKER, 30_000, 1000);
    assertEquals(Verdict.FAIL, judge(dir));
    assertEquals(1, judge(dir).exitCode());
    fanOut(dir, FanOutClient.BROKER, 2000, 999);
    assertEquals(Verdict.FAIL, judge(dir));
  }

  @Test
  @DisplayName("negative control: an acked JetStream message that never arrived: FAIL (1)")
  void streamLossFails(@TempDir Path dir) throws Exception {
    fanOut(dir, FanOutClient.BROKER, 2000, 1000);
    stream(dir, 10_000, 9_999, 1, null);
    assertEquals(Verdict.FAIL, judge(dir));
    stream(dir, 10_000, 10_000, 0, "1 enqueues not acked");
    assertEquals(Verdict.FAIL, judge(dir));
    stream(dir, 0, 0, 0, null);
    assertEquals(Verdict.FAIL, judge(dir), "nothing acked is not a pass");
  }

  @Test
  @DisplayName("an empty folder is UNKNOWN (2), a missing one an error naming it, never PASS")
  void nothingIsUnknown(@TempDir Path dir) throws Exception {
    assertEquals(Verdict.UNKNOWN, judge(dir));
    assertEquals(2, judge(dir).exitCode());
    var e = assertThrows(ResultsFormatException.class, () -> judge(dir.resolve("absent")));
    assertTrue(e.getMessage().contains("absent"), e.getMessage());
  }

  @Test
  @DisplayName("broker/raw ratios keep runs with other parameters (replicas) apart")
  void ratiosPerParameters(@TempDir Path dir) throws Exception {
    String jmh =
        "["
            + entry("sync", 1, "broker", 900)
            + ","
            + entry("sync", 1, "raw-jnats", 1000)
            + ","
            + entry("sync", 3, "broker", 300)
            + ","
            + entry("sync", 3, "raw-jnats", 400)
            + "]";
    Files.writeString(dir.resolve(ResultsDir.JMH), jmh);
    var ratios =
        BenchGate.judge(
                ResultsDir.at(dir),
                GateLimits.defaults(),
                new PrintStream(new ByteArrayOutputStream()))
            .ratios();
    assertTrue(
        ratios.get("enqueue[mode=sync,replicas=1] broker/raw-jnats").startsWith("0.900"),
        "" + ratios);
    assertTrue(
        ratios.get("enqueue[mode=sync,replicas=3] broker/raw-jnats").startsWith("0.750"),
        "" + ratios);
  }

  static String entry(String mode, int replicas, String client, double score) {
    return "{\"benchmark\":\"dev.natsproof.benchmarks.jmh.EnqueueBenchmark.enqueue\","
        + "\"mode\":\"thrpt\",\"forks\":1,"
        + "\"params\":{\"client\":\""
        + client
        + "\",\"mode\":\""
        + mode
        + "\",\"replicas\":\""
        + replicas
        + "\"},\"primaryMetric\":{\"score\":"
        + score
        + ",\"scoreError\":1.0,\"scoreUnit\":\"ops/s\",\"rawData\":[[1,2,3]]}}";
  }
}
