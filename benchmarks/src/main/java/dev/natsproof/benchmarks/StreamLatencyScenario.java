package dev.natsproof.benchmarks;

import dev.natsproof.broker.BrokerOptions;
import dev.natsproof.broker.ConsumeOptions;
import dev.natsproof.broker.EnqueueOptions;
import dev.natsproof.broker.EnqueueResult;
import dev.natsproof.broker.StreamConsumer;
import dev.natsproof.broker.StreamMessage;
import dev.natsproof.broker.StreamSpec;
import dev.natsproof.broker.nats.NatsStreamBroker;
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
import org.HdrHistogram.Recorder;

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
   * @param ratePerSecond messages enqueued per second (a game's 10 % JetStream share: hundreds to a
   *     few thousand)
   * @param enqueue "async" (a window of in-flight enqueues) or "sync" (one at a time, the caller
   *     waiting for each PubAck)
   * @param ack "ack" (fire-and-forget ack) or "ackSync" (the handler waits for the server to
   *     confirm its ack)
   * @param replicas the stream's replicas (3 needs a cluster)
   * @param payloadBytes message size, at least 16
   * @param warmupSeconds run before recording
   * @param durationSeconds recorded run
   * @param outDir where the {@code .hlog} files go, or null for none
   * @param drainTimeoutMillis how long to wait for the last deliveries after enqueuing stops
   */
  public record Options(
      int ratePerSecond,
      String enqueue,
      String ack,
      int replicas,
      int payloadBytes,
      int warmupSeconds,
      int durationSeconds,
      Path outDir,
      long drainTimeoutMillis) {
    public Options {
      if (ratePerSecond < 1 || ratePerSecond > 200_000) {
        throw new IllegalArgumentException("rate " + ratePerSecond + "/s is out of 1..200000");
      }
      if (!enqueue.equals("async") && !enqueue.equals("sync")) {
        throw new IllegalArgumentException("enqueue mode '" + enqueue + "': use async or sync");
      }
      if (!ack.equals("ack") && !ack.equals("ackSync")) {
        throw new IllegalArgumentException("ack mode '" + ack + "': use ack or ackSync");
      }
      if (replicas < 1 || replicas > 5) {
        throw new IllegalArgumentException("replicas " + replicas + " is out of 1..5");
      }
      if (payloadBytes < 16) {
        throw new IllegalArgumentException("payload " + payloadBytes + " B: at least 16");
      }
      if (durationSeconds < 1 || warmupSeconds < 0) {
        throw new IllegalArgumentException("duration must be >= 1 s and warm-up >= 0 s");
      }
    }

    public static Options defaults(Path outDir) {
      // the drain ends as soon as everything arrived; 60 s lets a consumer that fell behind
      // (ackSync on
      // R3 here) finish instead of being reported as a loss
      return new Options(1000, "async", "ack", 1, 200, 2, 10, outDir, 60_000);
    }

    public Options with(int rate, String enqueueMode, String ackMode, int r) {
      return new Options(
          rate,
          enqueueMode,
          ackMode,
          r,
          payloadBytes,
          warmupSeconds,
          durationSeconds,
          outDir,
          drainTimeoutMillis);
    }

    public Options withDuration(int warmup, int duration) {
      return new Options(
          ratePerSecond,
          enqueue,
          ack,
          replicas,
          payloadBytes,
          warmup,
          duration,
          outDir,
          drainTimeoutMillis);
    }

    public Options withDrainTimeout(Duration d) {
      return new Options(
          ratePerSecond,
          enqueue,
          ack,
          replicas,
          payloadBytes,
          warmupSeconds,
          durationSeconds,
          outDir,
          d.toMillis());
    }

    /** The name of the run's files: {@code stream-e2e-1000ps-async-ack-r1}. */
    public String name() {
      return "stream-e2e-"
          + ratePerSecond
          + "ps-"
          + enqueue.toLowerCase(Locale.ROOT)
          + "-"
          + ack.toLowerCase(Locale.ROOT)
          + "-r"
          + replicas;
    }
  }

  private final List<String> urls;
  private final boolean embedded;
  private final Options options;
  private final PrintStream progress;

  // [0] warm-up (discarded), [1] recorded phase: same code for both, see FanOutScenario.phase
  private final Recorder[] endToEnd = {FanOutScenario.recorder(), FanOutScenario.recorder()};
  private final Recorder[] enqueueLatency = {FanOutScenario.recorder(), FanOutScenario.recorder()};
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

  public StreamLatencyResult run() {
    String suffix = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
    String stream = "NP_E2E_" + suffix.toUpperCase(Locale.ROOT);
    String subject = "np.e2e." + suffix;
    String serverVersion = "unknown";
    NatsStreamBroker broker = null;
    StreamConsumer consumer = null;
    try (HiccupMeter hiccup = new HiccupMeter()) {
      broker =
          NatsStreamBroker.connect(
              BrokerOptions.builder().servers(urls).connectionName("stream-e2e").build(), 1024);
      serverVersion = broker.serverVersion();
      broker.provision(
          new StreamSpec(
              stream,
              List.of(subject),
              StreamSpec.Retention.LIMITS,
              options.replicas(),
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
      return measure(broker, subject, hiccup, serverVersion);
    } catch (RuntimeException e) {
      return result(serverVersion, null, null, null, e.toString());
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
        endToEnd[FanOutScenario.phase(intended, measureStartNanos)].recordValue(
            Math.max(0, now - intended) / 1000);
        deliveredSeqs.set(seq);
        delivered++;
        deliveredSeqs.notifyAll();
      }
    }
    if (!first) {
      duplicates.increment();
    }
    if (options.ack().equals("ackSync")) {
      m.ackSync(Duration.ofSeconds(5));
    } else {
      m.ack();
    }
  }

  private StreamLatencyResult measure(
      NatsStreamBroker broker, String subject, HiccupMeter hiccup, String serverVersion) {
    long interval = 1_000_000_000L / options.ratePerSecond();
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
    long measureStart = start + TimeUnit.SECONDS.toNanos(options.warmupSeconds());
    long end = measureStart + TimeUnit.SECONDS.toNanos(options.durationSeconds());
    measureStartNanos = measureStart;
    CountDownLatch sent = new CountDownLatch(1);
    // one permit per settled async enqueue: the drain waits for as many as were submitted
    Semaphore settledAsync = new Semaphore(0);
    LongAdder submittedAsync = new LongAdder();
    Thread producer =
        new Thread(
            () -> {
              try {
                produce(
                    broker,
                    subject,
                    start,
                    measureStart,
                    end,
                    interval,
                    submittedAsync,
                    settledAsync);
              } catch (Throwable e) {
                failure.compareAndSet(null, e);
              } finally {
                sent.countDown();
              }
            },
            "stream-e2e-producer");
    producer.setDaemon(true);
    producer.start();
    String stem = options.name();
    try (IntervalLog e2eLog =
            new IntervalLog(options.outDir(), stem + "-latency", "JetStream enqueue->handler");
        IntervalLog enqLog =
            new IntervalLog(options.outDir(), stem + "-enqueue", "JetStream enqueue->PubAck");
        IntervalLog hiccupLog =
            new IntervalLog(options.outDir(), stem + "-hiccup", "hiccup control");
        IntervalLog warmupLog = IntervalLog.discarding()) {
      boolean recording = false;
      long lastProgress = System.nanoTime();
      long second = TimeUnit.SECONDS.toNanos(1);
      long nextWake = Math.min(measureStart, System.nanoTime() + second);
      // once a second, and exactly at the start of recording (see FanOutScenario)
      while (!sent.await(Math.max(0, nextWake - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        long now = System.nanoTime();
        if (!recording && now >= measureStart) {
          recording = true;
          hiccup.interval(); // the warm-up's noise is not this phase's
          // (the latencies need no reset: messages intended before this phase went to [0])
          nextWake = measureStart + second;
        } else if (recording) {
          e2eLog.add(endToEnd[1].getIntervalHistogram());
          enqLog.add(enqueueLatency[1].getIntervalHistogram());
          hiccupLog.add(hiccup.interval());
          nextWake += second;
        } else {
          warmupLog.add(endToEnd[0].getIntervalHistogram()); // the same work, thrown away
          warmupLog.add(enqueueLatency[0].getIntervalHistogram());
          warmupLog.add(hiccup.interval());
          nextWake = Math.min(measureStart, now + second);
        }
        if (progress != null && now - lastProgress >= TimeUnit.SECONDS.toNanos(5)) {
          lastProgress = now;
          progress.printf(
              "  [%s] %s, %d s left, %d acked%n",
              stem,
              now < measureStart ? "warming up" : "recording",
              Math.max(0, (end - now) / 1_000_000_000L),
              acked.sum());
        }
      }
      long deadline =
          System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.drainTimeoutMillis());
      settledAsync.tryAcquire(
          (int) submittedAsync.sum(),
          Math.max(0, deadline - System.nanoTime()),
          TimeUnit.NANOSECONDS);
      waitForDeliveries(deadline);
      e2eLog.add(endToEnd[1].getIntervalHistogram());
      enqLog.add(enqueueLatency[1].getIntervalHistogram());
      hiccupLog.add(hiccup.interval());
      Throwable f = failure.get();
      return result(
          serverVersion,
          Percentiles.of(e2eLog.total()),
          Percentiles.of(enqLog.total()),
          Percentiles.of(hiccupLog.total()),
          f == null ? null : f.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return result(serverVersion, null, null, null, "interrupted");
    }
  }

  private void produce(
      NatsStreamBroker broker,
      String subject,
      long start,
      long measureStart,
      long end,
      long interval,
      LongAdder submittedAsync,
      Semaphore settledAsync) {
    boolean sync = options.enqueue().equals("sync");
    for (int seq = 0; ; seq++) {
      long intended = start + seq * interval;
      if (intended >= end) {
        return;
      }
      if (intended >= measureStart && firstRecordedSeq == Long.MAX_VALUE) {
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
    enqueueLatency[FanOutScenario.phase(intended, measureStartNanos)].recordValue(
        Math.max(0, now - intended) / 1000);
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

  private StreamLatencyResult result(
      String serverVersion, Percentiles e2e, Percentiles enq, Percentiles hiccupP, String error) {
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
    return new StreamLatencyResult(
        options,
        Provenance.of(serverVersion, String.join(",", urls), embedded, options.name()),
        ackedRecorded,
        deliveredRecorded,
        missing,
        duplicates.sum(),
        notAcked.sum(),
        e2e == null ? Percentiles.EMPTY : e2e,
        enq == null ? Percentiles.EMPTY : enq,
        hiccupP == null ? Percentiles.EMPTY : hiccupP,
        ackedRecorded / (double) options.durationSeconds(),
        err);
  }
}
