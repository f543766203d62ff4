package dev.natsproof.benchmarks.jmh;

import dev.natsproof.broker.BrokerOptions;
import dev.natsproof.broker.ConsumeOptions;
import dev.natsproof.broker.StreamConsumer;
import dev.natsproof.broker.StreamSpec;
import dev.natsproof.broker.nats.NatsStreamBroker;
import io.nats.client.JetStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Settlement throughput with a handler that takes 5 ms (a ledger write), at consume concurrency 1,
 * 8 and 32: what the per-key lanes buy one worker. {@value #MESSAGES} battles over {@value #KEYS}
 * keys ({@code settle.battle.<key>}) are stored before each invocation; the score is the time per
 * message (its inverse the throughput). Order per key is the broker's contract, checked in the
 * contract tests and the chaos suites, not here.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar SettlementConcurrencyBenchmark -rf
 * json}
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 1, batchSize = 1)
@Measurement(iterations = 2, batchSize = 1)
@Fork(1)
@State(Scope.Benchmark)
public class SettlementConcurrencyBenchmark {
  static final int MESSAGES = 1_000;
  static final int KEYS = 200;

  @Param({"1", "8", "32"})
  public int concurrency;

  @Param({"5000"})
  public int handlerMicros;

  private BenchServer server;
  private NatsStreamBroker broker;
  private JetStream js;
  private int round;

  @Setup(Level.Trial)
  public void start() throws Exception {
    server = BenchServer.start();
    broker = NatsStreamBroker.connect(BrokerOptions.builder().servers(server.urls()).build(), 512);
    broker.provision(
        new StreamSpec(
            "BENCHS",
            List.of("settle.>"),
            StreamSpec.Retention.WORK_QUEUE,
            1,
            Duration.ofMinutes(10),
            Duration.ofMinutes(2),
            -1,
            -1));
    js = broker.connection().jetStream();
  }

  @Setup(Level.Invocation)
  public void fill() throws Exception {
    round++;
    broker.connection().jetStreamManagement().purgeStream("BENCHS");
    List<java.util.concurrent.CompletableFuture<io.nats.client.api.PublishAck>> acks =
        new java.util.ArrayList<>();
    for (int i = 0; i < MESSAGES; i++) {
      acks.add(
          js.publishAsync(
              "settle.battle." + (i % KEYS), ("battle-" + i).getBytes(StandardCharsets.UTF_8)));
    }
    for (var a : acks) {
      a.get(30, TimeUnit.SECONDS); // every battle stored before the clock starts
    }
  }

  @TearDown(Level.Trial)
  public void stop() throws Exception {
    broker.connection().jetStreamManagement().deleteStream("BENCHS");
    broker.close();
    server.close();
  }

  @Benchmark
  @OperationsPerInvocation(MESSAGES)
  public long settle() throws Exception {
    CountDownLatch done = new CountDownLatch(MESSAGES);
    long work = TimeUnit.MICROSECONDS.toNanos(handlerMicros);
    String durable = "settle-" + concurrency + "-" + round;
    StreamConsumer c =
        broker.consume(
            "BENCHS",
            m -> {
              LockSupport.parkNanos(work); // the handler's own work: the behaviour measured
              m.ack();
              done.countDown();
            },
            ConsumeOptions.builder()
                .durable(durable)
                .concurrency(concurrency)
                .maxAckPending(256)
                .batchSize(64)
                .build());
    try {
      if (!done.await(300, TimeUnit.SECONDS)) {
        throw new IllegalStateException(done.getCount() + " battles not settled within 300 s");
      }
    } finally {
      c.close();
    }
    broker.connection().jetStreamManagement().deleteConsumer("BENCHS", durable);
    return done.getCount();
  }
}
