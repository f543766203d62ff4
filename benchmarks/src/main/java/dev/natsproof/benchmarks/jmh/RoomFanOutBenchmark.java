package dev.natsproof.benchmarks.jmh;

import dev.natsproof.benchmarks.FanOutScenario;
import dev.natsproof.results.FanOutClient;
import dev.natsproof.results.FanOutRun;
import dev.natsproof.results.GateLimits;
import dev.natsproof.results.ResultsDir;
import dev.natsproof.results.Workload;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Room fan-out latency at 30 Hz, open loop: the CI gate (p99 ≤ 10 ms).
 *
 * <p>What: every room publishes a state frame on a fixed schedule and every player subscription
 * receives it; latency = receive time − <em>intended</em> send time, for every delivery, in
 * HdrHistogram with {@code .hlog} interval logs beside the JMH JSON.
 *
 * <p>The tempting wrong way: {@code Mode.SampleTime} around a publish-and-wait. That is closed
 * loop: a stall delays the next send, so the stall is measured once and the frames it should have
 * delayed are never sent (coordinated omission). Here JMH only runs the scenario (forks,
 * iterations, JSON); its own score is the scenario's wall time and means nothing. The result is in
 * the secondary metrics and in {@code fanout-<workload>-<client>.json}.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar RoomFanOutBenchmark -p
 * workload=rooms-500x10-30hz-200b -rf json}
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1, batchSize = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@State(Scope.Benchmark)
public class RoomFanOutBenchmark {
  @Param({"rooms-100x10-30hz-200b"})
  public String workload;

  @Param({"broker", "broker-latest", "raw-jnats"})
  public String client;

  /**
   * Seconds recorded; 0 = the workload's own duration. Warm-up comes from the workload, at most as
   * long as this.
   */
  @Param({"0"})
  public int durationSeconds;

  /**
   * Runs in all while the hiccup control says the machine stalled (UNKNOWN): the run is measured
   * again and the result says how many attempts it took and why.
   */
  @Param({"2"})
  public int attempts;

  private BenchServer server;

  /** Per-iteration results, as JMH secondary metrics (events = the value itself). */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Latency {
    public long p50Micros;
    public long p99Micros;
    public long p999Micros;
    public long maxMicros;
    public long hiccupP99Micros;
    public long publisherLatenessP99Micros;
    public long deliveries;
    public long missingDeliveries;
    public long clientCpuNanosPerDelivery;
    public long serverCpuNanosPerDelivery;
    public long framesReplaced;
  }

  @Setup(Level.Trial)
  public void start() {
    server = BenchServer.start();
  }

  @TearDown(Level.Trial)
  public void stop() {
    server.close();
  }

  @Benchmark
  public FanOutRun fanOut(Latency out) {
    Workload w = Workload.bundled(workload);
    if (durationSeconds > 0) {
      w = w.withDuration(Math.min(w.warmupSeconds(), durationSeconds), durationSeconds);
    }
    Workload measured = w;
    FanOutRun r =
        FanOutScenario.untilQuiet(
            Math.max(1, attempts),
            GateLimits.defaults(),
            System.out,
            () ->
                new FanOutScenario(
                        measured,
                        server.urls(),
                        server.embedded(),
                        FanOutScenario.Options.defaults(BenchServer.outDir())
                            .withClient(FanOutClient.of(client))
                            .withServerCpu(server.serverCpuNanos()),
                        System.out)
                    .run());
    ResultsDir.at(BenchServer.outDir()).write(r);
    if (r.error() != null) {
      throw new IllegalStateException("fan-out run failed: " + r.error()); // -foe fails the build
    }
    out.p50Micros = r.latency().p50Micros();
    out.p99Micros = r.latency().p99Micros();
    out.p999Micros = r.latency().p999Micros();
    out.maxMicros = r.latency().maxMicros();
    out.hiccupP99Micros = r.hiccup().p99Micros();
    out.publisherLatenessP99Micros = r.publisherLateness().p99Micros();
    out.deliveries = r.deliveries();
    out.missingDeliveries = r.missingDeliveries();
    out.clientCpuNanosPerDelivery = (long) r.clientCpuNanosPerDelivery();
    out.serverCpuNanosPerDelivery = (long) r.serverCpuNanosPerDelivery();
    out.framesReplaced = r.framesReplaced();
    return r;
  }
}
