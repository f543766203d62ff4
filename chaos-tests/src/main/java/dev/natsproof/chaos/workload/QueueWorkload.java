package dev.natsproof.chaos.workload;

import dev.natsproof.broker.ConsumeOptions;
import dev.natsproof.broker.EnqueueOptions;
import dev.natsproof.broker.EnqueueResult;
import dev.natsproof.broker.StreamBroker;
import dev.natsproof.broker.StreamConsumer;
import dev.natsproof.broker.StreamMessage;
import dev.natsproof.broker.StreamSpec;
import dev.natsproof.chaos.ChaosWorkload;
import dev.natsproof.chaos.Outcomes;
import dev.natsproof.chaos.RunContext;
import dev.natsproof.chaos.checker.QueueChecker;
import dev.natsproof.chaos.checker.SequenceReuse;
import dev.natsproof.results.CheckResult;
import dev.natsproof.results.FindingCount;
import dev.natsproof.results.Findings;
import dev.natsproof.results.History;
import dev.natsproof.results.Interventions;
import dev.natsproof.results.Op;
import dev.natsproof.results.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
import java.util.function.UnaryOperator;

/**
 * Jepsen's queue on JetStream: writers enqueue unique values ({@code w0-1042}, sync and async, with
 * the value as idempotency key) while one durable consumer acks everything it gets. Judged by
 * {@link QueueChecker} (lost, stalled, unexpected, delivered after a definite failure), with the
 * server findings a loss or stall can be: sequence reuse, a duplicate ack for an unstored write, a
 * wedged or vanished consumer, a stream or sequence the server forgot.
 *
 * @param brokerWrapper wraps each writer's broker (a lying broker for the negative control)
 */
public record QueueWorkload(
    StreamSpec stream,
    String subjectPrefix,
    int syncWriters,
    int asyncWriters,
    int asyncInFlight,
    long maxValuesPerWriter,
    ConsumeOptions consume,
    UnaryOperator<StreamBroker> brokerWrapper,
    State state)
    implements ChaosWorkload {

  /** What one run of the workload accumulates; a fresh one per run. */
  public static final class State {
    final Set<String> acked = ConcurrentHashMap.newKeySet();
    final Set<String> delivered = ConcurrentHashMap.newKeySet();
    volatile StreamConsumer consumer;
    volatile StreamBroker consumerBroker;
    volatile String consumerServer;
    final Map<String, Object> inspected = new LinkedHashMap<>();
  }

  /** The queue workload on {@code stream}: 128 async enqueues in flight per async writer. */
  public static QueueWorkload of(StreamSpec stream, int sync, int async, ConsumeOptions consume) {
    return new QueueWorkload(
        stream,
        stream.subjects().get(0).replace(".>", "") + ".v",
        sync,
        async,
        128,
        2_000_000,
        consume,
        UnaryOperator.identity(),
        new State());
  }

  /** The same workload with every writer's broker wrapped (negative controls). */
  public QueueWorkload withWriters(UnaryOperator<StreamBroker> wrapper) {
    return new QueueWorkload(
        stream,
        subjectPrefix,
        syncWriters,
        asyncWriters,
        asyncInFlight,
        maxValuesPerWriter,
        consume,
        wrapper,
        new State());
  }

  @Override
  public String streamName() {
    return stream.name();
  }

  @Override
  public String name() {
    return "queue-" + syncWriters + "sync-" + asyncWriters + "async";
  }

  @Override
  public void setUp(RunContext ctx) {
    ctx.admin().provision(stream);
    StreamBroker b = ctx.broker();
    state.consumerBroker = b;
    state.consumer = b.consume(stream.name(), m -> onDelivery(ctx.history(), m), consume);
  }

  private void onDelivery(History h, StreamMessage m) {
    state.consumerServer = noteServer(h, state.consumerBroker, "consumer", state.consumerServer);
    String v = m.dataAsString();
    h.event("consumer", Outcomes.DELIVER, v, m.streamSequence(), m.deliveryCount(), null);
    state.delivered.add(v);
    m.ack();
  }

  @Override
  public List<Runnable> clients(RunContext ctx) {
    List<Runnable> out = new ArrayList<>();
    for (int w = 0; w < syncWriters + asyncWriters; w++) {
      boolean async = w >= syncWriters;
      StreamBroker b = brokerWrapper.apply(ctx.broker());
      String process = (async ? "a" : "w") + w;
      out.add(() -> write(ctx, b, process, async));
    }
    return out;
  }

  private void write(RunContext ctx, StreamBroker b, String process, boolean async) {
    History h = ctx.history();
    Semaphore inFlight = new Semaphore(asyncInFlight);
    AtomicBoolean rejectedRecently = new AtomicBoolean();
    String server = null;
    for (long n = 1; !ctx.stopped() && n <= maxValuesPerWriter; n++) {
      server = noteServer(h, b, process, server);
      String value = process + "-" + n;
      String subject = subjectPrefix + "." + process;
      byte[] data = value.getBytes(StandardCharsets.UTF_8);
      EnqueueOptions o =
          EnqueueOptions.builder()
              .idempotencyKey(value)
              .attemptTimeout(Duration.ofSeconds(1))
              .deadline(Duration.ofSeconds(5))
              .build();
      long start = h.now();
      if (!async) {
        EnqueueResult r = b.enqueue(subject, data, o);
        record(h, process, value, start, r);
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
                      h,
                      process,
                      value,
                      start,
                      err == null
                          ? r
                          : new EnqueueResult.Indeterminate(value, String.valueOf(err), 0));
                });
      }
    }
    inFlight.acquireUninterruptibly(asyncInFlight); // every async enqueue has ended
  }

  private void record(History h, String process, String value, long start, EnqueueResult r) {
    Outcomes.enqueue(h, process, value, start, r);
    if (r.isAcked()) {
      state.acked.add(value);
    }
  }

  /** Records which server the process talks to whenever that changes: losses follow a node. */
  static String noteServer(History h, StreamBroker b, String process, String last) {
    String now = b == null ? null : b.connectedUrl();
    if (now != null && !now.equals(last)) {
      h.event(process, "connected", now, 0, 0, null);
    }
    return now == null ? last : now;
  }

  @Override
  public boolean drained() {
    return state.delivered.containsAll(state.acked);
  }

  @Override
  public void inspect(RunContext ctx) {
    History h = ctx.history();
    StreamInspector.recordStored(
        ctx.admin(), stream.name(), StreamInspector.undelivered(h, Outcomes.DELIVER), h);
    state.inspected.putAll(
        StreamInspector.state(
            ctx.admin(), stream.name(), consume.durable(), StreamInspector.highestAcked(h)));
    state.inspected.put(
        "ackedNotDeliveredAtDrainEnd", StreamInspector.undelivered(h, Outcomes.DELIVER).size());
  }

  @Override
  public List<CheckResult> check(History h) {
    return List.of(QueueChecker.check(h));
  }

  @Override
  public Map<String, Long> findings(History h, List<CheckResult> checks) {
    Map<String, Long> f = new LinkedHashMap<>();
    List<String> lost = lostValues(h);
    boolean workQueue = stream.retention() == StreamSpec.Retention.WORK_QUEUE;
    long resets =
        workQueue ? StreamInspector.sequenceResets(h, lost, stream.replicas(), state.inspected) : 0;
    // On one server a sequence handed out twice is the work-queue reset, never a new leader's.
    List<String> reused =
        stream.replicas() == 1 && resets > 0 ? List.of() : SequenceReuse.explained(h, lost);
    f.put(Findings.SEQUENCE_REUSE, (long) reused.size());
    f.put(Findings.DUPLICATE_ACK_UNSTORED, duplicateAcksLost(h, lost, reused.size()));
    f.put(
        Findings.CONSUMER_STATE_FORGOTTEN,
        StreamInspector.deliveryCountResets(h, Outcomes.DELIVER));
    Interventions i = interventions();
    long stalled = checks.isEmpty() ? 0 : checks.get(0).count("stalled");
    f.put(Findings.CONSUMER_WEDGED, i.wedges() > 0 || stalled > 0 ? Math.max(1, i.wedges()) : 0);
    f.put(Findings.CONSUMER_VANISHED, i.recreations());
    f.put(Findings.STREAM_VANISHED, StreamInspector.streamVanished(state.inspected));
    f.put(Findings.WORK_QUEUE_SEQUENCE_RESET, resets);
    return f;
  }

  /** Lost values acked as a duplicate, beyond those a reused sequence explains. */
  private static long duplicateAcksLost(History h, List<String> lost, int reused) {
    Set<String> lostSet = Set.copyOf(lost);
    long n = 0;
    for (Op op : h.ops()) {
      if (op.is(Outcomes.ENQUEUE)
          && op.ok()
          && lostSet.contains(op.value())
          && op.detail() != null
          && op.detail().contains("duplicate=true")) {
        n++;
      }
    }
    return Math.max(0, n - reused);
  }

  /** Acked, never delivered, and looked up and not found: still stored or unchecked is not lost. */
  private static List<String> lostValues(History h) {
    Set<String> notLost = new java.util.HashSet<>();
    for (Op op : h.ops()) {
      if (op.is(StreamInspector.STORED) || op.is(StreamInspector.UNCHECKED)) {
        notLost.add(op.value());
      }
    }
    return SequenceReuse.lostValues(h).stream().filter(v -> !notLost.contains(v)).toList();
  }

  /**
   * A FAIL is explained only by findings this version is expected to have, and only when nothing
   * unexpected or delivered-after-failure appeared: every lost value came back as a reused sequence
   * (or a duplicate ack for an unstored write), every stalled one sits behind a consumer the server
   * wedged.
   */
  @Override
  public boolean explains(List<CheckResult> checks, List<FindingCount> findings) {
    CheckResult q = checks.get(0);
    if (q.status() != Verdict.FAIL
        || q.count("unexpected") > 0
        || q.count("uninspected") > 0
        || q.count("deliveredAfterDefiniteFailure") > 0
        || findings.stream().anyMatch(f -> f.verdict() == Verdict.FAIL)) {
      return false;
    }
    long explainedLoss =
        count(findings, Findings.SEQUENCE_REUSE)
            + count(findings, Findings.DUPLICATE_ACK_UNSTORED)
            + count(findings, Findings.WORK_QUEUE_SEQUENCE_RESET);
    boolean lossExplained = q.count("lost") == 0 || q.count("lost") <= explainedLoss;
    boolean stallExplained =
        q.count("stalled") == 0 || count(findings, Findings.CONSUMER_WEDGED) > 0;
    return lossExplained && stallExplained;
  }

  private static long count(List<FindingCount> fs, String id) {
    return fs.stream().filter(f -> f.id().equals(id)).mapToLong(FindingCount::count).sum();
  }

  @Override
  public Interventions interventions() {
    StreamConsumer c = state.consumer;
    return c == null
        ? Interventions.NONE
        : new Interventions(c.repulls(), c.resets(), c.recreations(), c.wedges());
  }

  @Override
  public Map<String, Object> postMortem(History h) {
    Map<String, Object> m = new LinkedHashMap<>(state.inspected);
    StreamConsumer c = state.consumer;
    if (c != null) {
      m.put("consumerHealth", c.health().toString());
    }
    return m;
  }
}
