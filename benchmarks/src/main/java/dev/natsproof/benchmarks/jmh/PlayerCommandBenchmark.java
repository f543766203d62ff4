package dev.natsproof.benchmarks.jmh;

import dev.natsproof.broker.BrokerOptions;
import dev.natsproof.broker.Headers;
import dev.natsproof.broker.nats.NatsBroker;
import dev.natsproof.testkit.HiccupMeter;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
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
 * Player commands: request/reply latency through the Core broker at a fixed rate (open loop). Each
 * request is sent at its intended time whether or not earlier replies came back; latency = reply
 * time − intended send time, so a stalled responder shows up in the tail.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar PlayerCommandBenchmark -p rate=2000}
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, batchSize = 1)
@Measurement(iterations = 3, batchSize = 1)
@Fork(1)
@State(Scope.Benchmark)
public class PlayerCommandBenchmark {
  @Param({"2000"})
  public int rate;

  @Param({"5"})
  public int seconds;

  private BenchServer server;
  private NatsBroker service;
  private NatsBroker gateway;

  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Latency {
    public long p50Micros;
    public long p99Micros;
    public long p999Micros;
    public long maxMicros;
    public long timeouts;
    public long hiccupP99Micros;
  }

  @Setup(Level.Trial)
  public void start() {
    server = BenchServer.start();
    service = NatsBroker.connect(BrokerOptions.builder().servers(server.urls()).build());
    gateway = NatsBroker.connect(BrokerOptions.builder().servers(server.urls()).build());
    service.queueSubscribe("cmd.>", "room-servers", m -> service.reply(m, m.data()));
    service.flush(Duration.ofSeconds(5));
  }

  @TearDown(Level.Trial)
  public void stop() {
    gateway.close();
    service.close();
    server.close();
  }

  @Benchmark
  public long commands(Latency out) throws InterruptedException {
    Recorder recorder = new Recorder(3);
    AtomicLong timeouts = new AtomicLong();
    CountDownLatch answered = new CountDownLatch((int) ((long) rate * seconds));
    long interval = 1_000_000_000L / rate;
    long n = (long) rate * seconds;
    try (HiccupMeter hiccup = new HiccupMeter()) {
      long start = System.nanoTime() + 10_000_000L;
      for (long i = 0; i < n; i++) {
        long intended = start + i * interval;
        long wait = intended - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        byte[] body = ByteBuffer.allocate(16).putLong(intended).putLong(i).array();
        gateway
            .requestAsync("cmd.move", Headers.EMPTY, body, Duration.ofSeconds(2))
            .whenComplete(
                (reply, err) -> {
                  if (err != null) {
                    timeouts.incrementAndGet();
                  } else {
                    long sent = ByteBuffer.wrap(reply.data()).getLong();
                    recorder.recordValue(Math.max(0, System.nanoTime() - sent) / 1000);
                  }
                  answered.countDown(); // after recording: the count below sees it
                });
      }
      // every request ends, answered or timed out (2 s), so this bound is never the one that acts
      answered.await(5, TimeUnit.SECONDS);
      Histogram h = recorder.getIntervalHistogram();
      out.p50Micros = h.getValueAtPercentile(50);
      out.p99Micros = h.getValueAtPercentile(99);
      out.p999Micros = h.getValueAtPercentile(99.9);
      out.maxMicros = h.getMaxValue();
      out.timeouts = timeouts.get() + (n - h.getTotalCount() - timeouts.get());
      out.hiccupP99Micros = hiccup.total().getValueAtPercentile(99);
      return h.getTotalCount();
    }
  }
}
