package dev.natsproof.benchmarks.jmh;

import dev.natsproof.benchmarks.RawConsume;
import dev.natsproof.broker.BrokerOptions;
import dev.natsproof.broker.ConsumeOptions;
import dev.natsproof.broker.StreamConsumer;
import dev.natsproof.broker.StreamSpec;
import dev.natsproof.broker.nats.NatsStreamBroker;
import io.nats.client.JetStream;
import io.nats.client.MessageConsumer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * JetStream consume throughput of a durable pull consumer, explicit acks: natsproof's broker with
 * {@code ack()} and with {@code ackSync()}, against raw jnats {@code consume()} with {@code ack()},
 * on the same pre-filled stream.
 *
 * <p>Each invocation drains {@value #MESSAGES} messages enqueued before it (not timed) with a new
 * durable; the score is messages per second.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ConsumeBenchmark -rf json}
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS) // per message: "8.3 us/op" reads better than "≈ 10⁻⁵ s/op"
@Warmup(iterations = 1, batchSize = 1)
@Measurement(iterations = 3, batchSize = 1)
@Fork(1)
@State(Scope.Benchmark)
public class ConsumeBenchmark {
  static final int MESSAGES = 20_000;

  @Param({"broker-ack", "broker-ackSync", "raw-jnats-ack"})
  public String client;

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
            "BENCHC",
            List.of("benchc.>"),
            StreamSpec.Retention.LIMITS,
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
    broker.connection().jetStreamManagement().purgeStream("BENCHC");
    RawConsume.fill(js, "benchc.x", MESSAGES, 200); // every message stored before the clock starts
  }

  @TearDown(Level.Trial)
  public void stop() throws Exception {
    broker.connection().jetStreamManagement().deleteStream("BENCHC");
    broker.close();
    server.close();
  }

  @Benchmark
  @OperationsPerInvocation(MESSAGES)
  public int consume() throws Exception {
    CountDownLatch done = new CountDownLatch(MESSAGES);
    AtomicInteger got = new AtomicInteger();
    String durable = "bench-" + client + "-" + round;
    if (client.startsWith("raw-jnats")) {
      try (MessageConsumer mc =
          RawConsume.start(
              broker.connection(),
              "BENCHC",
              durable,
              m -> {
                m.ack();
                got.incrementAndGet();
                done.countDown();
              })) {
        await(done);
      }
    } else {
      boolean sync = client.endsWith("ackSync");
      StreamConsumer c =
          broker.consume(
              "BENCHC",
              m -> {
                if (sync) {
                  m.ackSync(Duration.ofSeconds(5));
                } else {
                  m.ack();
                }
                got.incrementAndGet();
                done.countDown();
              },
              ConsumeOptions.builder().durable(durable).batchSize(100).build());
      try {
        await(done);
      } finally {
        c.close();
      }
    }
    broker.connection().jetStreamManagement().deleteConsumer("BENCHC", durable);
    return got.get();
  }

  private static void await(CountDownLatch done) throws InterruptedException {
    if (!done.await(120, TimeUnit.SECONDS)) {
      throw new IllegalStateException(done.getCount() + " messages not consumed within 120 s");
    }
  }
}
