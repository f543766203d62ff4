package dev.natsproof.benchmarks.jmh;

import dev.natsproof.benchmarks.StreamLatencyScenario;
import dev.natsproof.results.ResultsDir;
import dev.natsproof.results.StreamRun;
import dev.natsproof.results.StreamRunSpec;
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
 * JetStream end to end at a fixed rate, open loop: enqueue (idempotency key, file storage) at
 * scheduled times, a durable consumer's handler receives and acks; latency from each message's
 * intended enqueue time to its PubAck and to the handler, in HdrHistogram with {@code .hlog} files.
 *
 * <p>The tempting wrong way: timing enqueue-then-wait-for-delivery in a loop. Each message would
 * only be sent once the previous one arrived, so a stall delays (and hides) every message behind
 * it. Here the schedule does not wait. JMH's score is the run's wall time and means nothing; the
 * result is in the secondary metrics and in {@code stream-e2e-<rate>ps-<enqueue>-<ack>-r<n>.json}.
 * A run where an acked message never reaches the handler, or an enqueue is not acked, fails.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar StreamEndToEndBenchmark -p
 * rate=1000,5000 -p replicas=1,3} (replicas 3 starts an embedded 3-node cluster)
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1, batchSize = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"})
@State(Scope.Benchmark)
public class StreamEndToEndBenchmark {
  /** Messages enqueued per second. */
  @Param({"1000"})
  public int rate;

  @Param({"async", "sync"})
  public String enqueue;

  @Param({"ack", "ackSync"})
  public String ack;

  @Param({"1"})
  public int replicas;

  /** Seconds recorded (after 2 s of warm-up). */
  @Param({"10"})
  public int streamSeconds;

  private BenchServer server;

  /** Per-iteration results, as JMH secondary metrics (events = the value itself). */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Latency {
    public long endToEndP50Micros;
    public long endToEndP99Micros;
    public long endToEndP999Micros;
    public long endToEndMaxMicros;
    public long enqueueP50Micros;
    public long enqueueP99Micros;
    public long hiccupP99Micros;
    public long acked;
    public long missingAcked;
    public long duplicateDeliveries;
  }

  @Setup(Level.Trial)
  public void start() {
    server = BenchServer.start(replicas);
  }

  @TearDown(Level.Trial)
  public void stop() {
    server.close();
  }

  @Benchmark
  public StreamRun endToEnd(Latency out) {
    StreamLatencyScenario.Options o =
        StreamLatencyScenario.Options.defaults(BenchServer.outDir())
            .with(
                rate,
                StreamRunSpec.EnqueueMode.of(enqueue),
                StreamRunSpec.AckMode.of(ack),
                replicas)
            .withDuration(2, streamSeconds)
            .withServerCpu(server.serverCpuNanos());
    StreamRun r = new StreamLatencyScenario(server.urls(), server.embedded(), o, System.out).run();
    ResultsDir.at(BenchServer.outDir()).write(r);
    if (r.error() != null) {
      throw new IllegalStateException("stream end-to-end run failed: " + r.error()); // -foe
    }
    out.endToEndP50Micros = r.endToEnd().p50Micros();
    out.endToEndP99Micros = r.endToEnd().p99Micros();
    out.endToEndP999Micros = r.endToEnd().p999Micros();
    out.endToEndMaxMicros = r.endToEnd().maxMicros();
    out.enqueueP50Micros = r.enqueue().p50Micros();
    out.enqueueP99Micros = r.enqueue().p99Micros();
    out.hiccupP99Micros = r.hiccup().p99Micros();
    out.acked = r.acked();
    out.missingAcked = r.missingAcked();
    out.duplicateDeliveries = r.duplicateDeliveries();
    return r;
  }
}
