package dev.natsproof.benchmarks;

import dev.natsproof.broker.BrokerOptions;
import dev.natsproof.broker.ConsumeOptions;
import dev.natsproof.broker.EnqueueOptions;
import dev.natsproof.broker.EnqueueResult;
import dev.natsproof.broker.StreamConsumer;
import dev.natsproof.broker.StreamSpec;
import dev.natsproof.broker.nats.NatsStreamBroker;
import dev.natsproof.results.Cli;
import dev.natsproof.results.GateLimits;
import dev.natsproof.results.OverheadRun;
import dev.natsproof.results.OverheadRun.Row;
import dev.natsproof.results.Provenance;
import dev.natsproof.results.Ratio;
import dev.natsproof.results.ResultsDir;
import dev.natsproof.testkit.NatsServer;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.MessageConsumer;
import io.nats.client.Nats;
import io.nats.client.PublishOptions;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What the Stream broker costs over raw jnats: JetStream enqueue (sync, and async with 256 in
 * flight, both with idempotency keys) and consume (durable pull, explicit ack), measured in
 * alternating rounds on one server in one run (broker then raw, raw then broker, ...), and reported
 * as the median of the per-round ratios broker / raw with its 95 % bootstrap interval ({@link
 * Ratio}). On a shared machine one long run per client drifts with the neighbours; alternating
 * short rounds cancel most of that out. A first round warms both clients up (the JIT) and is not
 * counted.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.natsproof.benchmarks.WrapperOverhead
 *     [--rounds 5] [--seconds 3] [--server URL] [--out DIR]</pre>
 *
 * The gate ({@code throughputRatioMin}, 0.95) judges the interval: exit 1 only when the whole
 * interval is below it, 2 with fewer than 3 rounds, 3 on bad arguments, 0 otherwise (a straddling
 * interval is reported as "cannot tell"); {@code --out DIR} writes {@code wrapper-overhead.json}
 * ({@link OverheadRun}).
 */
@Command(
    name = "wrapper-overhead",
    mixinStandardHelpOptions = true,
    description =
        "The Stream broker's cost over raw jnats in alternating rounds on one server, each ratio"
            + " with its 95 % interval; exit 1 when an interval lies wholly below 0.95.")
public final class WrapperOverhead implements Callable<Integer> {
  private static final int WINDOW = 256;
  private static final int CONSUME_MESSAGES =
      100_000; // ~1 s of consuming: shorter runs are one hiccup
  private static final String STREAM = "NP_OVERHEAD";

  @Option(
      names = "--rounds",
      description = "rounds per client after the warm-up round (${DEFAULT-VALUE})")
  int rounds = 5;

  @Option(names = "--seconds", description = "seconds per round (${DEFAULT-VALUE})")
  int seconds = 3;

  @Option(names = "--server", paramLabel = "URL[,URL]", description = "an external server/cluster")
  String server;

  @Option(names = "--out", paramLabel = "DIR", description = "where wrapper-overhead.json goes")
  Path out;

  public static void main(String[] args) {
    System.exit(Cli.run(new WrapperOverhead(), args));
  }

  @Override
  public Integer call() throws Exception {
    if (rounds < 1 || rounds > 50 || seconds < 1 || seconds > 600) {
      throw new IllegalArgumentException(
          "--rounds must be 1..50 and --seconds 1..600 (got " + rounds + ", " + seconds + ")");
    }
    List<String> urls = server == null || server.isBlank() ? null : ServerUrls.parse(server);
    List<Row> rows;
    String version;
    NatsServer embedded = urls == null ? NatsServer.startDefault() : null;
    try {
      List<String> target = urls != null ? urls : List.of(embedded.clientUrl());
      rows = run(target, rounds, seconds, System.out);
      version = embedded != null ? embedded.version() : "external";
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
    OverheadRun result =
        new OverheadRun(
            OverheadRun.WRAPPER,
            rows,
            Provenance.of(
                version,
                urls == null ? "embedded" : String.join(",", urls),
                urls == null,
                io.nats.client.Nats.CLIENT_VERSION,
                "wrapper-overhead"));
    GateLimits limits = GateLimits.defaults();
    for (Row r : rows) {
      System.out.printf("%s %s %s%n", r.verdict(limits), r.label(), r.ratio().describe());
    }
    if (out != null) {
      ResultsDir.at(out).write(result);
    }
    return result.verdict(limits).exitCode();
  }

  static List<Row> run(List<String> urls, int rounds, int seconds, PrintStream progress)
      throws Exception {
    // Both clients on the same server, the first of the list: on a cluster, a client connected to
    // the node holding the stream is faster, and with jnats's random pick the ratio measured that
    // (1.56-1.71 against a 3-node cluster here).
    try (NatsStreamBroker broker =
            NatsStreamBroker.connect(
                BrokerOptions.builder()
                    .servers(urls)
                    .noRandomize(true)
                    .connectionName("overhead-broker")
                    .build(),
                WINDOW);
        Connection raw =
            Nats.connect(
                new io.nats.client.Options.Builder()
                    .servers(urls.toArray(String[]::new))
                    .noRandomize()
                    .connectionName("overhead-raw")
                    .build())) {
      broker.provision(
          new StreamSpec(
              STREAM,
              List.of("np.overhead.>"),
              StreamSpec.Retention.LIMITS,
              1,
              Duration.ofMinutes(10),
              Duration.ofMinutes(2),
              -1,
              -1));
      JetStream js = raw.jetStream();
      JetStreamManagement jsm = raw.jetStreamManagement();
      long nanos = TimeUnit.SECONDS.toNanos(seconds);
      Map<String, List<double[]>> perOp = new LinkedHashMap<>();
      AtomicLong ids = new AtomicLong();
      for (int round = -1; round < rounds; round++) { // round -1: warm-up, not counted
        boolean brokerFirst = Math.floorMod(round, 2) == 0;
        for (String op : List.of("enqueue-sync", "enqueue-async", "consume-ack")) {
          double b = 0;
          double r = 0;
          for (int k = 0; k < 2; k++) {
            boolean useBroker = (k == 0) == brokerFirst;
            double v =
                switch (op) {
                  case "enqueue-sync" -> enqueueSync(broker, js, useBroker, nanos, ids);
                  case "enqueue-async" -> enqueueAsync(broker, js, useBroker, nanos, ids);
                  default -> consume(broker, raw, js, jsm, useBroker, round);
                };
            if (useBroker) {
              b = v;
            } else {
              r = v;
            }
          }
          if (round >= 0) {
            perOp.computeIfAbsent(op, x -> new ArrayList<>()).add(new double[] {b, r});
          }
          if (progress != null) {
            progress.printf(
                "  %s %s: broker %.0f/s, raw %.0f/s, ratio %.3f%n",
                round < 0 ? "warm-up" : "round " + (round + 1), op, b, r, b / r);
          }
        }
        jsm.purgeStream(STREAM);
      }
      jsm.deleteStream(STREAM);
      List<Row> rows = new ArrayList<>();
      perOp.forEach(
          (op, list) -> {
            List<Double> bs = list.stream().map(x -> x[0]).toList();
            List<Double> rs = list.stream().map(x -> x[1]).toList();
            rows.add(Row.of("throughput " + op, "broker", "raw-jnats", true, bs, rs, "msgs/s"));
          });
      return rows;
    }
  }

  private static double enqueueSync(
      NatsStreamBroker broker, JetStream js, boolean useBroker, long nanos, AtomicLong ids)
      throws Exception {
    byte[] payload = new byte[200];
    long start = System.nanoTime();
    long n = 0;
    while (System.nanoTime() - start < nanos) {
      String id = "o-" + ids.incrementAndGet();
      if (useBroker) {
        EnqueueResult r =
            broker.enqueue("np.overhead.x", payload, EnqueueOptions.idempotencyKey(id));
        if (!r.isAcked()) {
          throw new IllegalStateException("broker enqueue not acked: " + r);
        }
      } else {
        js.publish("np.overhead.x", payload, PublishOptions.builder().messageId(id).build());
      }
      n++;
    }
    return n / ((System.nanoTime() - start) / 1e9);
  }

  private static double enqueueAsync(
      NatsStreamBroker broker, JetStream js, boolean useBroker, long nanos, AtomicLong ids)
      throws Exception {
    byte[] payload = new byte[200];
    Semaphore window = new Semaphore(WINDOW);
    AtomicReference<Object> failure = new AtomicReference<>();
    long start = System.nanoTime();
    long n = 0;
    while (System.nanoTime() - start < nanos) {
      window.acquire();
      String id = "o-" + ids.incrementAndGet();
      if (useBroker) {
        broker
            .enqueueAsync("np.overhead.x", payload, EnqueueOptions.idempotencyKey(id))
            .whenComplete(
                (r, e) -> {
                  if (e != null || !r.isAcked()) {
                    failure.compareAndSet(null, e != null ? e : r);
                  }
                  window.release();
                });
      } else {
        js.publishAsync("np.overhead.x", payload, PublishOptions.builder().messageId(id).build())
            .whenComplete(
                (a, e) -> {
                  if (e != null) {
                    failure.compareAndSet(null, e);
                  }
                  window.release();
                });
      }
      n++;
    }
    if (!window.tryAcquire(WINDOW, 30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("async enqueues still in flight after 30 s");
    }
    if (failure.get() != null) {
      throw new IllegalStateException("an async enqueue failed: " + failure.get());
    }
    return n / ((System.nanoTime() - start) / 1e9);
  }

  private static double consume(
      NatsStreamBroker broker,
      Connection raw,
      JetStream js,
      JetStreamManagement jsm,
      boolean useBroker,
      int round)
      throws Exception {
    jsm.purgeStream(STREAM);
    RawConsume.fill(js, "np.overhead.x", CONSUME_MESSAGES, 200); // stored before the clock starts
    String durable = "overhead-" + (useBroker ? "broker" : "raw") + "-" + round;
    CountDownLatch done = new CountDownLatch(CONSUME_MESSAGES);
    long start = System.nanoTime();
    if (useBroker) {
      StreamConsumer c =
          broker.consume(
              STREAM,
              m -> {
                m.ack();
                done.countDown();
              },
              ConsumeOptions.builder().durable(durable).batchSize(100).build());
      try {
        await(done);
      } finally {
        c.close();
      }
    } else {
      try (MessageConsumer mc =
          RawConsume.start(
              raw,
              STREAM,
              durable,
              m -> {
                m.ack();
                done.countDown();
              })) {
        await(done);
      }
    }
    double perSecond = CONSUME_MESSAGES / ((System.nanoTime() - start) / 1e9);
    jsm.deleteConsumer(STREAM, durable);
    return perSecond;
  }

  private static void await(CountDownLatch done) throws InterruptedException {
    if (!done.await(120, TimeUnit.SECONDS)) {
      throw new IllegalStateException(done.getCount() + " messages not consumed within 120 s");
    }
  }
}
