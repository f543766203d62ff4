package dev.natsproof.benchmarks.jmh;

import dev.natsproof.broker.BrokerOptions;
import dev.natsproof.broker.EnqueueOptions;
import dev.natsproof.broker.EnqueueResult;
import dev.natsproof.broker.StreamSpec;
import dev.natsproof.broker.nats.NatsStreamBroker;
import io.nats.client.JetStream;
import io.nats.client.PublishOptions;
import io.nats.client.api.PublishAck;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
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
 * JetStream enqueue throughput with idempotency keys, file storage, R1 (R3 on a 3-node cluster with
 * {@code -p replicas=3}): the natsproof broker vs raw jnats, sync and async (a window of 256 in
 * flight for both), side by side in one run; the report compares them as a ratio.
 *
 * <p>The tempting wrong way: counting async submissions without waiting for their acks. Here an
 * async op only returns once a window slot is free, and each iteration waits for every ack before
 * it ends; a failed ack fails the run.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar EnqueueBenchmark -rf json} (add {@code
 * -p replicas=1,3} for the replicated stream on an embedded 3-node cluster)
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(1)
@State(Scope.Benchmark)
public class EnqueueBenchmark {
  static final int WINDOW = 256;

  @Param({"broker", "raw-jnats"})
  public String client;

  @Param({"sync", "async"})
  public String mode;

  /** Stream replicas: 3 starts an embedded 3-node cluster (or needs -Dnatsproof.server=cluster). */
  @Param({"1", "3"})
  public int replicas;

  private BenchServer server;
  private NatsStreamBroker broker;
  private JetStream js;
  private final AtomicLong counter = new AtomicLong();
  private final Semaphore window = new Semaphore(WINDOW);
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final byte[] payload = new byte[200];

  @Setup(Level.Trial)
  public void start() throws Exception {
    server = BenchServer.start(replicas);
    broker =
        NatsStreamBroker.connect(BrokerOptions.builder().servers(server.urls()).build(), WINDOW);
    broker.provision(
        new StreamSpec(
            "BENCHQ",
            List.of("benchq.>"),
            StreamSpec.Retention.LIMITS,
            replicas,
            Duration.ofMinutes(10),
            Duration.ofMinutes(2),
            -1,
            -1));
    js = broker.connection().jetStream();
  }

  @TearDown(Level.Iteration)
  public void settle() {
    window.acquireUninterruptibly(WINDOW); // every ack of this iteration is in
    window.release(WINDOW);
    if (failure.get() != null) {
      throw new IllegalStateException("an enqueue failed", failure.get());
    }
  }

  @TearDown(Level.Trial)
  public void stop() throws Exception {
    broker.connection().jetStreamManagement().deleteStream("BENCHQ");
    broker.close();
    server.close();
  }

  @Benchmark
  public Object enqueue() throws Exception {
    String id = "bench-" + counter.incrementAndGet();
    boolean raw = client.equals("raw-jnats");
    if (mode.equals("sync")) {
      if (raw) {
        return js.publish("benchq.x", payload, PublishOptions.builder().messageId(id).build());
      }
      EnqueueResult r = broker.enqueue("benchq.x", payload, EnqueueOptions.idempotencyKey(id));
      if (!r.isAcked()) {
        throw new IllegalStateException("not acked: " + r);
      }
      return r;
    }
    window.acquire();
    if (raw) {
      return js.publishAsync("benchq.x", payload, PublishOptions.builder().messageId(id).build())
          .whenComplete((PublishAck a, Throwable e) -> done(e));
    }
    return broker
        .enqueueAsync("benchq.x", payload, EnqueueOptions.idempotencyKey(id))
        .whenComplete(
            (r, e) ->
                done(e != null ? e : r.isAcked() ? null : new IllegalStateException(r.toString())));
  }

  private void done(Throwable e) {
    if (e != null) {
      failure.compareAndSet(null, e);
    }
    window.release();
  }
}
