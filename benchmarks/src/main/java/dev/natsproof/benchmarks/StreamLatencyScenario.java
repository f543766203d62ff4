package dev.natsproof.benchmarks;

import dev.natsproof.broker.BrokerOptions;
import dev.natsproof.broker.ConsumeOptions;
import dev.natsproof.broker.EnqueueOptions;
import dev.natsproof.broker.EnqueueResult;
import dev.natsproof.broker.StreamConsumer;
import dev.natsproof.broker.StreamMessage;
import dev.natsproof.broker.StreamSpec;
import dev.natsproof.broker.nats.NatsStreamBroker;
import dev.natsproof.results.Percentiles;
import dev.natsproof.results.Provenance;
import dev.natsproof.results.ResultsDir;
import dev.natsproof.results.StreamRun;
import dev.natsproof.results.StreamRunSpec;
import java.io.PrintStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * JetStream end to end at a fixed rate, open loop: a settlement-like message is enqueued (with its
 * idempotency key, file storage) at each intended time, a durable consumer's handler receives it
 * and acks it. Two latencies per message, both from the <em>intended</em> enqueue time: until the
 * enqueue's PubAck ({@code enqueue}) and until the handler has it ({@code endToEnd}). An enqueue
 * that falls behind its schedule shows up in both instead of lowering the rate.
 *
 * <p>Every acked message must reach the handler: a run with a missing one, a rejected or
 * indeterminate enqueue, or nothing delivered at all is an error, whatever its latency.
 *
 * <p>Message layout: intended enqueue nanoTime (8 bytes), sequence number (8), padding.
 */
public final class StreamLatencyScenario {
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  /**
   * @param spec rate, enqueue and ack modes, replicas, warm-up and recorded seconds
   * @param payloadBytes message size, at least 16
   * @param outDir where the {@code .hlog} files go, or null for none
   * @param drainTimeoutMillis how long to wait for the last deliveries after enqueuing stops
   * @param serverCpuNanos the server processes' CPU so far, or null for an external server
   */
  public record Options(
      StreamRunSpec spec,
      int payloadBytes,
      Path outDir,
      long drainTimeoutMillis,
      LongSupplier serverCpuNanos) {
    public Options {
      if (spec.ratePerSecond() < 1 || spec.ratePerSecond() > 200_000) {
        throw new IllegalArgumentException(
            "rate " + spec.ratePerSecond() + "/s is out of 1..200000");
      }
      if (spec.replicas() < 1 || spec.replicas() > 5) {
        throw new IllegalArgumentException("replicas " + spec.replicas() + " is out of 1..5");
      }
      if (payloadBytes < 16) {
        throw new IllegalArgumentException("payload " + payloadBytes + " B: at least 16");
      }
      if (spec.durationSeconds() < 1 || spec.warmupSeconds() < 0) {
        throw new IllegalArgumentException("duration must be >= 1 s and warm-up >= 0 s");
      }
    }

    public static Options defaults(Path outDir) {
      // the drain ends as soon as everything arrived; 60 s lets a consumer that fell behind
      // (ackSync on R3 here) finish instead of being reported as a loss
      return new Options(
          new StreamRunSpec(
              1000, StreamRunSpec.EnqueueMode.ASYNC, StreamRunSpec.AckMode.ACK, 1, 2, 10),
          200,
          outDir,
          60_000,
          null);
    }

    public Options with(int rate, StreamRunSpec.EnqueueMode e, StreamRunSpec.AckMode a, int r) {
      return new Options(
          new StreamRunSpec(rate, e, a, r, spec.warmupSeconds(), spec.durationSeconds()),
          payloadBytes,
          outDir,
          drainTimeoutMillis,
          serverCpuNanos);
    }

    public Options withDuration(int warmup, int duration) {
      return new Options(
          new StreamRunSpec(
              spec.ratePerSecond(), spec.enqueue(), spec.ack(), spec.replicas(), warmup, duration),
          payloadBytes,
          outDir,
          drainTimeoutMillis,
          serverCpuNanos);
    }

    public Options withDrainTimeout(Duration d) {
      return new Options(spec, payloadBytes, outDir, d.toMillis(), serverCpuNanos);
    }

    public Options withServerCpu(LongSupplier cpu) {
      return new Options(spec, payloadBytes, outDir, drainTimeoutMillis, cpu);
    }

    /** The name of the run's files: {@code stream-e2e-1000ps-async-ack-r1}. */
    public String name() {
      return spec.name();
    }
  }

  private final List<String> urls;
  private final boolean embedded;
  private final Options options;
  private final PrintStream progress;

  // each series: [0] warm-up (discarded), [1] recorded phase; see OpenLoop
  private OpenLoop.Series endToEnd;
  private OpenLoop.Series enqueueLatency;
  private final LongAdder acked = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  private final LongAdder notAcked = new LongAdder();
  private final AtomicReference<String> firstNotAcked = new AtomicReference<>();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final BitSet ackedSeqs = new BitSet();
  private final BitSet deliveredSeqs = new BitSet();
  private long delivered; // guarded by deliveredSeqs
  private volatile long measureStartNanos = Long.MAX_VALUE;
  private volatile long firstRecordedSeq = Long.MAX_VALUE;
  private int loseEvery; // negative controls only: the handler acks but drops every n-th message

  /** Negative control: the handler acks every {@code n}-th message without taking it. */
  StreamLatencyScenario losingEvery(int n) {
    this.loseEvery = n;
    return this;
  }

  public StreamLatencyScenario(
      List<String> urls, boolean embedded, Options options, PrintStream progress) {
    this.urls = List.copyOf(urls);
    this.embedded = embedded;
    this.options = options;
    this.progress = progress;
  }

  public StreamRun run() {
    String suffix = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
    String stream = "NP_E2E_" + suffix.toUpperCase(Locale.ROOT);
    String subject = "np.e2e." + suffix;
    String serverVersion = "unknown";
    NatsStreamBroker broker = null;
    StreamConsumer consumer = null;
    try (OpenLoop loop =
        new OpenLoop(
            options.outDir(),
            ResultsDir.streamLog(options.spec(), ResultsDir.StreamLog.HICCUP),
            options.serverCpuNanos(),
            progress,
            options.name())) {
      endToEnd =
          loop.series(
              "latency",
              ResultsDir.streamLog(options.spec(), ResultsDir.StreamLog.LATENCY),
              "JetStream enqueue->handler");
      enqueueLatency =
          loop.series(
              "enqueue",
              ResultsDir.streamLog(options.spec(), ResultsDir.StreamLog.ENQUEUE),
              "JetStream enqueue->PubAck");
      broker =
          NatsStreamBroker.connect(
              BrokerOptions.builder().servers(urls).connectionName("stream-e2e").build(), 1024);
      serverVersion = broker.serverVersion();
      broker.provision(
          new StreamSpec(
              stream,
              List.of(subject),
              StreamSpec.Retention.LIMITS,
              options.spec().replicas(),
              Duration.ofMinutes(10),
              Duration.ofMinutes(2),
              -1,
              -1));
      consumer =
          broker.consume(
              stream,
              this::onMessage,
              ConsumeOptions.builder()
                  .durable("e2e")
                  .ackWait(Duration.ofSeconds(30))
                  .maxAckPending(1024)
                  .build());
      return measure(broker, subject, loop, serverVersion);
    } catch (RuntimeException e) {
      return result(serverVersion, null, e.toString());
    } finally {
      if (consumer != null) {
        consumer.close();
      }
      if (broker != null) {
        try {
          broker.connection().jetStreamManagement().deleteStream(stream);
        } catch (Exception e) {
          // the stream's own max age removes its messages; nothing else to undo
        }
        broker.close();
      }
    }
  }

  private void onMessage(StreamMessage m) {
    byte[] data = m.data();
    long now = System.nanoTime();
    long intended = (long) LONG.get(data, 0);
    int seq = (int) (long) LONG.get(data, 8);
    if (loseEvery > 0 && seq % loseEvery == loseEvery - 1) {
      m.ack(); // a handler bug: acked, never processed
      return;
    }
    boolean first;
    synchronized (deliveredSeqs) {
      first = !deliveredSeqs.get(seq);
      if (first) {
        // timed before the drain can see it delivered, so the last interval holds every delivery
        endToEnd
            .recorder(OpenLoop.phaseOf(intended, measureStartNanos))
            .recordValue(Math.max(0, now - intended) / 1000);
        deliveredSeqs.set(seq);
        delivered++;
        deliveredSeqs.notifyAll();
      }
    }
    if (!first) {
      duplicates.increment();
    }
    if (options.spec().ack() == StreamRunSpec.AckMode.ACK_SYNC) {
      m.ackSync(Duration.ofSeconds(5));
    } else {
      m.ack();
    }
  }

  private StreamRun measure(
      NatsStreamBroker broker, String subject, OpenLoop loop, String serverVersion) {
    long interval = 1_000_000_000L / options.spec().ratePerSecond();
    OpenLoop.Phases phases =
        loop.begin(options.spec().warmupSeconds(), options.spec().durationSeconds());
    measureStartNanos = phases.measureStartNanos();
    CountDownLatch sent = new CountDownLatch(1);
    // one permit per settled async enqueue: the drain waits for as many as were submitted
    Semaphore settledAsync = new Semaphore(0);
    LongAdder submittedAsync = new LongAdder();
    Thread producer =
        new Thread(
            () -> {
              try {
                produce(broker, subject, phases, interval, submittedAsync, settledAsync);
              } catch (Throwable e) {
                failure.compareAndSet(null, e);
              } finally {
                sent.countDown();
              }
            },
            "stream-e2e-producer");
    producer.setDaemon(true);
    producer.start();
    try {
      loop.monitor(sent, () -> acked.sum() + " acked");
      long deadline =
          System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.drainTimeoutMillis());
      settledAsync.tryAcquire(
          (int) submittedAsync.sum(),
          Math.max(0, deadline - System.nanoTime()),
          TimeUnit.NANOSECONDS);
      waitForDeliveries(deadline);
      loop.finish();
      Throwable f = failure.get();
      return result(serverVersion, loop, f == null ? null : f.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return result(serverVersion, null, "interrupted");
    }
  }

  private void produce(
      NatsStreamBroker broker,
      String subject,
      OpenLoop.Phases phases,
      long interval,
      LongAdder submittedAsync,
      Semaphore settledAsync) {
    boolean sync = options.spec().enqueue() == StreamRunSpec.EnqueueMode.SYNC;
    for (int seq = 0; ; seq++) {
      long intended = phases.startNanos() + seq * interval;
      if (intended >= phases.endNanos()) {
        return;
      }
      if (intended >= phases.measureStartNanos() && firstRecordedSeq == Long.MAX_VALUE) {
        firstRecordedSeq = seq;
      }
      long wait = intended - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      byte[] data = new byte[options.payloadBytes()];
      LONG.set(data, 0, intended);
      LONG.set(data, 8, (long) seq);
      EnqueueOptions eo = EnqueueOptions.idempotencyKey("e2e-" + seq);
      int s = seq;
      if (sync) {
        settled(s, intended, broker.enqueue(subject, data, eo));
      } else {
        submittedAsync.increment();
        broker
            .enqueueAsync(subject, data, eo)
            .whenComplete(
                (r, e) -> {
                  if (e != null) {
                    failure.compareAndSet(null, e);
                  } else {
                    settled(s, intended, r);
                  }
                  settledAsync.release();
                });
      }
    }
  }

  private void settled(int seq, long intended, EnqueueResult r) {
    if (!r.isAcked()) {
      notAcked.increment();
      firstNotAcked.compareAndSet(null, r.toString());
      return;
    }
    long now = System.nanoTime();
    synchronized (deliveredSeqs) {
      ackedSeqs.set(seq);
    }
    acked.increment();
    enqueueLatency
        .recorder(OpenLoop.phaseOf(intended, measureStartNanos))
        .recordValue(Math.max(0, now - intended) / 1000);
  }

  private boolean allAckedDelivered() {
    synchronized (deliveredSeqs) {
      BitSet missing = (BitSet) ackedSeqs.clone();
      missing.andNot(deliveredSeqs);
      return missing.isEmpty();
    }
  }

  /** Waits until every acked message was delivered, or the deadline; deliveries notify. */
  private void waitForDeliveries(long deadline) throws InterruptedException {
    synchronized (deliveredSeqs) {
      while (!allAckedDelivered()) {
        long leftMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (leftMillis <= 0) {
          return;
        }
        deliveredSeqs.wait(leftMillis);
      }
    }
  }

  private StreamRun result(String serverVersion, OpenLoop loop, String error) {
    long ackedRecorded;
    long deliveredRecorded;
    long missing;
    long deliveredAll;
    synchronized (deliveredSeqs) {
      BitSet ackedR = (BitSet) ackedSeqs.clone();
      ackedR.clear(0, (int) Math.min(firstRecordedSeq, ackedR.length())); // warm-up's
      BitSet deliveredR = (BitSet) ackedR.clone();
      deliveredR.and(deliveredSeqs);
      ackedRecorded = ackedR.cardinality();
      deliveredRecorded = deliveredR.cardinality();
      BitSet miss = (BitSet) ackedSeqs.clone();
      miss.andNot(deliveredSeqs);
      missing = miss.cardinality();
      deliveredAll = delivered;
    }
    String err = error;
    if (err == null && notAcked.sum() > 0) {
      err = notAcked.sum() + " enqueues not acked, first: " + firstNotAcked.get();
    }
    if (err == null && missing > 0) {
      err =
          missing
              + " acked messages never reached the handler (waited "
              + options.drainTimeoutMillis() / 1000
              + " s after enqueuing stopped)";
    }
    if (err == null && (deliveredAll == 0 || ackedRecorded == 0 || deliveredRecorded == 0)) {
      err = "nothing was delivered in the recorded phase";
    }
    return new StreamRun(
        options.spec(),
        Provenance.of(
            serverVersion,
            String.join(",", urls),
            embedded,
            io.nats.client.Nats.CLIENT_VERSION,
            options.name()),
        ackedRecorded,
        deliveredRecorded,
        missing,
        duplicates.sum(),
        notAcked.sum(),
        loop == null ? Percentiles.EMPTY : Percentiles.of(endToEnd.total()),
        loop == null ? Percentiles.EMPTY : Percentiles.of(enqueueLatency.total()),
        loop == null ? Percentiles.EMPTY : loop.hiccup(),
        ackedRecorded / (double) options.spec().durationSeconds(),
        loop == null ? -1 : loop.serverCpuNanosPer(ackedRecorded),
        err);
  }
}
