package dev.natsproof.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.natsproof.broker.BrokerOptions;
import dev.natsproof.broker.ConsumeOptions;
import dev.natsproof.broker.EnqueueOptions;
import dev.natsproof.broker.EnqueueResult;
import dev.natsproof.broker.StreamConsumer;
import dev.natsproof.broker.StreamSpec;
import dev.natsproof.broker.nats.NatsStreamBroker;
import dev.natsproof.testkit.NatsServer;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.MessageConsumer;
import io.nats.client.Nats;
import io.nats.client.PublishOptions;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the Stream broker costs over raw jnats: JetStream enqueue (sync, and async with 256 in
 * flight, both with idempotency keys) and consume (durable pull, explicit ack), measured in
 * alternating rounds on one server in one run (broker then raw, raw then broker, ...), and reported
 * as the median of the per-round ratios broker / raw. On a shared machine one long run per client
 * drifts with the neighbours; alternating short rounds cancel most of that out. A first round warms
 * both clients up (the JIT) and is not counted.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.natsproof.benchmarks.WrapperOverhead
 *     [--rounds 5] [--seconds 3] [--server URL] [--out DIR]</pre>
 *
 * Exit code 0 when every median ratio is at least 0.95 (the target), 1 otherwise.
 */
public final class WrapperOverhead {
  static final double TARGET = 0.95;
  private static final int WINDOW = 256;
  private static final int CONSUME_MESSAGES =
      100_000; // ~1 s of consuming: shorter runs are one hiccup
  private static final String STREAM = "NP_OVERHEAD";

  /**
   * @param operation enqueue-sync, enqueue-async or consume-ack
   * @param brokerPerSecond broker throughput per round
   * @param rawPerSecond raw jnats throughput per round
   * @param ratios broker / raw per round
   * @param medianRatio the median of the ratios (target: at least 0.95)
   */
  public record Row(
      String operation,
      List<Double> brokerPerSecond,
      List<Double> rawPerSecond,
      List<Double> ratios,
      double medianRatio) {
    /** The target: the broker keeps at least 95 % of raw jnats's throughput (median round). */
    public boolean meetsTarget() {
      return medianRatio >= TARGET;
    }
  }

  public static void main(String[] args) throws Exception {
    int rounds = 5;
    int seconds = 3;
    Path out = null;
    List<String> urls = null;
    try {
      for (int i = 0; i < args.length; i += 2) {
        if (i + 1 >= args.length) {
          usage("missing value for " + args[i]);
        }
        switch (args[i]) {
          case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
          case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
          case "--server" -> urls = ServerUrls.parse(args[i + 1]);
          case "--out" -> out = Path.of(args[i + 1]);
          default -> usage("unknown argument '" + args[i] + "'");
        }
      }
    } catch (IllegalArgumentException e) { // NumberFormatException included
      usage(e.getMessage());
    }
    if (rounds < 1 || seconds < 1) {
      usage("--rounds and --seconds must be at least 1");
    }
    List<Row> rows;
    NatsServer embedded = urls == null ? NatsServer.startDefault() : null;
    try {
      rows = run(urls != null ? urls : List.of(embedded.clientUrl()), rounds, seconds, System.out);
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
    boolean ok = true;
    for (Row r : rows) {
      boolean meets = r.meetsTarget();
      ok &= meets;
      System.out.printf(
          "%s %s broker/raw-jnats median %.3f over %d rounds %s (target >= %.2f)%n",
          meets ? "PASS" : "FAIL",
          r.operation(),
          r.medianRatio(),
          r.ratios().size(),
          fmt(r.ratios()),
          TARGET);
    }
    if (out != null) {
      Files.createDirectories(out);
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .writeValue(out.resolve("wrapper-overhead.json").toFile(), rows);
    }
    System.exit(ok ? 0 : 1);
  }

  private static void usage(String why) {
    System.err.println("error: " + why);
    System.err.println(
        "usage: WrapperOverhead [--rounds N] [--seconds S] [--server URL] [--out DIR]");
    System.exit(3);
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
            List<Double> ratios = list.stream().map(x -> x[0] / x[1]).toList();
            rows.add(new Row(op, bs, rs, ratios, median(ratios)));
          });
      return rows;
    }
  }

  static double median(List<Double> values) {
    List<Double> s = new ArrayList<>(values);
    s.sort(Double::compare);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  private static String fmt(List<Double> v) {
    return v.stream().map(d -> String.format("%.3f", d)).toList().toString();
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
