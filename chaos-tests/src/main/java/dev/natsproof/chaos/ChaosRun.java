package dev.natsproof.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.natsproof.broker.ConsumeOptions;
import dev.natsproof.broker.EnqueueOptions;
import dev.natsproof.broker.EnqueueResult;
import dev.natsproof.broker.StreamBroker;
import dev.natsproof.broker.StreamConsumer;
import dev.natsproof.broker.StreamSpec;
import dev.natsproof.chaos.checker.LossAnalysis;
import dev.natsproof.chaos.checker.QueueChecker;
import dev.natsproof.chaos.nemesis.Nemesis;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * One chaos run of the JetStream queue: writers (sync and async enqueue, unique values) and a
 * consumer, a nemesis on a schedule, all joined by a {@link History}: quiet → load with faults →
 * heal → drain until every acked value is seen (or a bounded deadline) → check. Writes {@code
 * history.jsonl} and {@code verdict.json} under {@code <out>/<suite>/<run>/}.
 */
public final class ChaosRun {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** The schedule and load of a run; every phase is bounded in time. */
  public record Plan(
      String suite,
      String run,
      StreamSpec stream,
      String subjectPrefix,
      int syncWriters,
      int asyncWriters,
      int asyncInFlight,
      Duration quiet,
      int faultCycles,
      Duration loadBetweenFaults,
      Duration faultDuration,
      Duration recoveryLoad,
      Duration drainTimeout,
      long maxValuesPerWriter,
      ConsumeOptions consume) {}

  /** What a run produced, also written as verdict.json. */
  public record Result(
      String suite,
      String run,
      String nemesis,
      String serverVersion,
      String startedAt,
      long durationMs,
      Verdict verdict,
      List<Map<String, Object>> faults,
      List<Long> restartToFirstAckMs,
      List<Long> restartToFirstDeliveryMs,
      String limits,
      Map<String, Object> postMortem,
      Path dir) {}

  private final Plan plan;
  private final Supplier<StreamBroker> brokers;
  private final Nemesis nemesis;
  private volatile StreamBroker consumerBroker;
  private volatile String consumerServer;
  private final Path outRoot;
  private final History history = new History();
  private final Set<String> ackedValues = ConcurrentHashMap.newKeySet();
  private final Set<String> deliveredValues = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean stop = new AtomicBoolean();

  /**
   * @param brokers makes a connected broker (one per writer and one for the consumer)
   * @param nemesis the fault, or null for the no-fault control run
   */
  public ChaosRun(Plan plan, Supplier<StreamBroker> brokers, Nemesis nemesis, Path outRoot) {
    this.plan = plan;
    this.brokers = brokers;
    this.nemesis = nemesis;
    this.outRoot = outRoot;
  }

  public static Path defaultOut() {
    return Path.of(System.getProperty("natsproof.chaos.out", "target/chaos"));
  }

  public History history() {
    return history;
  }

  public Result run() {
    long t0 = System.nanoTime();
    String startedAt = Instant.now().toString();
    List<StreamBroker> opened = new ArrayList<>();
    List<Thread> writers = new ArrayList<>();
    List<Map<String, Object>> faults = new ArrayList<>();
    String serverVersion = "unknown";
    StreamConsumer consumer = null;
    Verdict verdict;
    Map<String, Object> postMortem = new LinkedHashMap<>();
    try {
      StreamBroker admin = open(opened);
      serverVersion = admin.serverVersion();
      admin.provision(plan.stream());
      consumerBroker = open(opened);
      consumer = consumerBroker.consume(plan.stream().name(), this::onDelivery, plan.consume());
      for (int w = 0; w < plan.syncWriters() + plan.asyncWriters(); w++) {
        boolean async = w >= plan.syncWriters();
        StreamBroker b = open(opened);
        String process = (async ? "a" : "w") + w;
        Thread t = new Thread(() -> write(b, process, async), "chaos-writer-" + process);
        t.setDaemon(true);
        writers.add(t);
        t.start();
      }
      pause(plan.quiet());
      if (nemesis != null) {
        nemesis.onStep(step -> history.event("nemesis", "step", nemesis.name(), 0, 0, step));
        for (int c = 0; c < plan.faultCycles(); c++) {
          pause(plan.loadBetweenFaults());
          Map<String, Object> f = new LinkedHashMap<>();
          f.put("name", nemesis.name());
          f.put("cycle", c + 1);
          history.event("nemesis", "fault", nemesis.name(), 0, 0, null);
          f.put("injectedAtMs", ms(history.now()));
          nemesis.inject();
          pause(plan.faultDuration());
          nemesis.heal();
          history.event("nemesis", "heal", nemesis.name(), 0, 0, null);
          f.put("healedAtMs", ms(history.now()));
          faults.add(f);
        }
      }
      pause(plan.recoveryLoad());
      stop.set(true);
      for (Thread t : writers) {
        t.join(TimeUnit.SECONDS.toMillis(60));
      }
      drain();
      postMortem = new LinkedHashMap<>(postMortem(admin));
      postMortem.put("consumerRepulls", consumer.repulls());
      postMortem.put("consumerResets", consumer.resets());
      if (nemesis != null) {
        postMortem.putAll(nemesis.postMortem());
      }
      consumer.close();
      consumer = null;
      verdict = QueueChecker.check(history);
      if (verdict.count("lost") > 0) {
        postMortem.put("lostAnalysis", LossAnalysis.of(history));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      verdict = Verdict.unknown(QueueChecker.NAME, "run interrupted");
    } catch (RuntimeException e) {
      verdict = Verdict.unknown(QueueChecker.NAME, "run crashed: " + e);
    } finally {
      stop.set(true);
      if (consumer != null) {
        consumer.close();
      }
      opened.forEach(StreamBroker::close);
    }
    List<Long> toAck = recovery("enqueue");
    List<Long> toDelivery = recovery("deliver");
    Path dir = outRoot.resolve(plan.suite()).resolve(plan.run());
    Result r =
        new Result(
            plan.suite(),
            plan.run(),
            nemesis == null ? "none (control)" : nemesis.name(),
            serverVersion,
            startedAt,
            ms(System.nanoTime() - t0),
            verdict,
            faults,
            toAck,
            toDelivery,
            nemesis == null ? "" : nemesis.limits(),
            postMortem,
            dir);
    write(r);
    return r;
  }

  private StreamBroker open(List<StreamBroker> opened) {
    StreamBroker b = brokers.get();
    opened.add(b);
    return b;
  }

  private void onDelivery(dev.natsproof.broker.StreamMessage m) {
    consumerServer = noteServer(consumerBroker, "consumer", consumerServer);
    String v = m.dataAsString();
    history.event("consumer", "deliver", v, m.streamSequence(), m.deliveryCount(), null);
    deliveredValues.add(v);
    m.ack();
  }

  private void write(StreamBroker b, String process, boolean async) {
    Semaphore inFlight = new Semaphore(plan.asyncInFlight());
    AtomicBoolean rejectedRecently = new AtomicBoolean();
    long n = 0;
    String server = null;
    while (!stop.get() && n < plan.maxValuesPerWriter()) {
      server = noteServer(b, process, server);
      String value = process + "-" + (++n);
      String subject = plan.subjectPrefix() + "." + process;
      byte[] data = value.getBytes(StandardCharsets.UTF_8);
      EnqueueOptions o =
          EnqueueOptions.builder()
              .idempotencyKey(value)
              .attemptTimeout(Duration.ofSeconds(1))
              .deadline(Duration.ofSeconds(5))
              .build();
      long start = history.now();
      if (!async) {
        EnqueueResult r = b.enqueue(subject, data, o);
        record(process, value, start, r);
        if (r.status() == EnqueueResult.Status.REJECTED) {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // a caller backs off
        }
      } else {
        inFlight.acquireUninterruptibly();
        if (rejectedRecently.getAndSet(false)) {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // a caller backs off
        }
        b.enqueueAsync(subject, data, o)
            .whenComplete(
                (r, err) -> {
                  if (r != null && r.status() == EnqueueResult.Status.REJECTED) {
                    rejectedRecently.set(true);
                  }
                  inFlight.release();
                  record(
                      process,
                      value,
                      start,
                      err == null
                          ? r
                          : new EnqueueResult.Indeterminate(value, String.valueOf(err), 0));
                });
      }
    }
    inFlight.acquireUninterruptibly(plan.asyncInFlight()); // every async enqueue has ended
  }

  /** Records which server the process talks to whenever that changes: losses follow a node. */
  private String noteServer(StreamBroker b, String process, String last) {
    String now = b.connectedUrl();
    if (now != null && !now.equals(last)) {
      history.event(process, "connected", now, 0, 0, null);
    }
    return now == null ? last : now;
  }

  private void record(String process, String value, long start, EnqueueResult r) {
    String outcome =
        switch (r.status()) {
          case ACKED -> Op.OK;
          case REJECTED -> Op.FAIL;
          case INDETERMINATE -> Op.INFO;
        };
    long seq = r instanceof EnqueueResult.Acked a ? a.sequence() : 0;
    // An ack that needed a retry or answered "duplicate" keeps its story: such an ack can come
    // from a dedupe table rather than a stored message.
    String detail =
        r instanceof EnqueueResult.Acked a && !a.duplicate() && a.attempts() <= 1
            ? null
            : r.toString();
    history.add(process, "enqueue", value, seq, 0, outcome, start, detail);
    if (r.isAcked()) {
      ackedValues.add(value);
    }
  }

  /**
   * What the server holds after the drain, to tell a consumer that stalled (messages still stored
   * and pending) from a loss (gone from the stream).
   */
  private Map<String, Object> postMortem(StreamBroker admin) {
    Map<String, Object> m = new LinkedHashMap<>();
    Set<String> undelivered = new java.util.HashSet<>(ackedValues);
    undelivered.removeAll(deliveredValues);
    m.put("ackedNotDeliveredAtDrainEnd", undelivered.size());
    if (!(admin instanceof dev.natsproof.broker.nats.NatsStreamBroker nsb)) {
      return m;
    }
    try {
      var jsm = nsb.connection().jetStreamManagement();
      var si = jsm.getStreamInfo(plan.stream().name());
      m.put("streamMessages", si.getStreamState().getMsgCount());
      m.put("streamLastSequence", si.getStreamState().getLastSequence());
      var ci = jsm.getConsumerInfo(plan.stream().name(), plan.consume().durable());
      m.put("consumerNumPending", ci.getNumPending());
      m.put("consumerNumAckPending", ci.getNumAckPending());
      m.put("consumerNumWaiting", ci.getNumWaiting());
      m.put("consumerDeliveredStreamSeq", ci.getDelivered().getStreamSequence());
      m.put("consumerAckFloorStreamSeq", ci.getAckFloor().getStreamSequence());
      if (si.getClusterInfo() != null) {
        m.put("streamLeader", si.getClusterInfo().getLeader());
      }
    } catch (Exception e) {
      m.put("error", e.toString());
    }
    return m;
  }

  private void drain() {
    Drain.until(() -> deliveredValues.containsAll(ackedValues), plan.drainTimeout());
  }

  /** For each heal: ms until the first op of this type completed after it (-1 if none). */
  private List<Long> recovery(String type) {
    List<Op> ops = history.ops();
    List<Long> out = new ArrayList<>();
    for (Op heal : ops) {
      if (!heal.is("heal")) {
        continue;
      }
      long first = -1;
      for (Op op : ops) {
        if (op.is(type) && op.ok() && op.endNanos() > heal.endNanos()) {
          long d = op.endNanos() - heal.endNanos();
          if (first < 0 || d < first) {
            first = d;
          }
        }
      }
      out.add(first < 0 ? -1 : ms(first));
    }
    return out;
  }

  private void write(Result r) {
    try {
      Files.createDirectories(r.dir());
      history.writeJsonl(r.dir().resolve("history.jsonl"));
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("suite", r.suite());
      v.put("run", r.run());
      v.put("nemesis", r.nemesis());
      v.put("status", r.verdict().status());
      v.put("checker", r.verdict().checker());
      v.put("reasons", r.verdict().reasons());
      v.put("counts", r.verdict().counts());
      v.put("samples", r.verdict().samples());
      v.put("faults", r.faults());
      v.put("restartToFirstAckMs", r.restartToFirstAckMs());
      v.put("restartToFirstDeliveryMs", r.restartToFirstDeliveryMs());
      v.put("natsServerVersion", r.serverVersion());
      v.put("jnatsVersion", io.nats.client.Nats.CLIENT_VERSION);
      v.put("startedAt", r.startedAt());
      v.put("durationMs", r.durationMs());
      v.put("limits", r.limits());
      v.put("postMortem", r.postMortem());
      JSON.writeValue(r.dir().resolve("verdict.json").toFile(), v);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write results under " + r.dir(), e);
    }
  }

  static long ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  /** The schedule's own phases: time is the behaviour here, not a synchronisation. */
  static void pause(Duration d) throws InterruptedException {
    if (!d.isZero()) {
      Thread.sleep(d.toMillis());
    }
  }
}
