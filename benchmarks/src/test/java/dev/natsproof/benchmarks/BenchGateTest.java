package dev.natsproof.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code -Pbench} gate over result files: it passes a folder of good runs and says FAIL or
 * UNKNOWN for each way a run can be bad (negative controls on synthetic results).
 */
class BenchGateTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static void fanOut(Path dir, String variant, long p99Micros, long delivered) throws Exception {
    Percentiles lat = FanOutGateTest.uniform(100, p99Micros, 1000);
    FanOutResult r =
        new FanOutResult(
            FanOutGateTest.W,
            null,
            variant,
            100,
            1000,
            delivered,
            1000 - delivered,
            lat,
            FanOutGateTest.uniform(0, 100, 100),
            FanOutGateTest.QUIET,
            0,
            0,
            1000,
            1000,
            null);
    JSON.writeValue(dir.resolve("fanout-w-" + variant + ".json").toFile(), r);
  }

  static void stream(Path dir, long acked, long delivered, long missing, String error)
      throws Exception {
    StreamLatencyScenario.Options o = StreamLatencyScenario.Options.defaults(null);
    StreamLatencyResult r =
        new StreamLatencyResult(
            o,
            null,
            acked,
            delivered,
            missing,
            0,
            0,
            FanOutGateTest.uniform(300, 3000, 1000),
            FanOutGateTest.uniform(300, 3000, 1000),
            FanOutGateTest.QUIET,
            acked / 10.0,
            error);
    JSON.writeValue(dir.resolve(o.name() + ".json").toFile(), r);
  }

  @Test
  @DisplayName("good fan-out and JetStream runs: PASS (exit 0), gates.json written")
  void passes(@TempDir Path dir) throws Exception {
    fanOut(dir, "broker", 2000, 1000);
    stream(dir, 10_000, 10_000, 0, null);
    assertEquals(0, BenchGate.run(dir));
    String gates = Files.readString(dir.resolve("gates.json"));
    assertTrue(gates.contains("stream-lossless") && gates.contains("fanout-p99"), gates);
    fanOut(dir, "raw-jnats", 1000, 1000);
    assertEquals(0, BenchGate.run(dir));
    assertTrue(
        Files.readString(dir.resolve("gates.json"))
            .contains("fanOut[rooms-100x10-30hz-200b] p99 broker/raw-jnats"));
  }

  @Test
  @DisplayName("negative control: a fan-out p99 over the limit or a missing delivery: FAIL (1)")
  void fanOutFails(@TempDir Path dir) throws Exception {
    fanOut(dir, "broker", 30_000, 1000);
    assertEquals(1, BenchGate.run(dir));
    Files.delete(dir.resolve("fanout-w-broker.json"));
    fanOut(dir, "broker", 2000, 999);
    assertEquals(1, BenchGate.run(dir));
  }

  @Test
  @DisplayName("negative control: an acked JetStream message that never arrived: FAIL (1)")
  void streamLossFails(@TempDir Path dir) throws Exception {
    fanOut(dir, "broker", 2000, 1000);
    stream(dir, 10_000, 9_999, 1, null);
    assertEquals(1, BenchGate.run(dir));
    stream(dir, 10_000, 10_000, 0, "1 enqueues not acked");
    assertEquals(1, BenchGate.run(dir));
    stream(dir, 0, 0, 0, null);
    assertEquals(1, BenchGate.run(dir), "nothing acked is not a pass");
  }

  @Test
  @DisplayName("no folder, or no fan-out result in it: UNKNOWN (2), never PASS")
  void nothingIsUnknown(@TempDir Path dir) throws Exception {
    assertEquals(2, BenchGate.run(dir.resolve("absent")));
    assertEquals(2, BenchGate.run(dir));
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
    Files.writeString(dir.resolve("jmh.json"), jmh);
    Map<String, Object> ratios = BenchGate.ratios(dir.resolve("jmh.json"));
    assertEquals(
        "0.900", ratios.get("enqueue[mode=sync,replicas=1] broker/raw-jnats"), "" + ratios);
    assertEquals(
        "0.750", ratios.get("enqueue[mode=sync,replicas=3] broker/raw-jnats"), "" + ratios);
  }

  static String entry(String mode, int replicas, String client, double score) {
    return "{\"benchmark\":\"dev.natsproof.benchmarks.jmh.EnqueueBenchmark.enqueue\","
        + "\"params\":{\"client\":\""
        + client
        + "\",\"mode\":\""
        + mode
        + "\",\"replicas\":\""
        + replicas
        + "\"},\"primaryMetric\":{\"score\":"
        + score
        + ",\"scoreUnit\":\"ops/s\"}}";
  }
}
