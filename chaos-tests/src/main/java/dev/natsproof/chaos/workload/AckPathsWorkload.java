package dev.natsproof.chaos.workload;

import dev.natsproof.broker.ConsumeOptions;
import dev.natsproof.broker.EnqueueOptions;
import dev.natsproof.broker.ReplayRequest;
import dev.natsproof.broker.StreamBroker;
import dev.natsproof.broker.StreamConsumer;
import dev.natsproof.broker.StreamMessage;
import dev.natsproof.broker.StreamSpec;
import dev.natsproof.broker.nats.NatsStreamBroker;
import dev.natsproof.chaos.ChaosWorkload;
import dev.natsproof.chaos.Outcomes;
import dev.natsproof.chaos.RunContext;
import dev.natsproof.chaos.checker.AckPathChecker;
import dev.natsproof.results.CheckResult;
import dev.natsproof.results.Findings;
import dev.natsproof.results.History;
import dev.natsproof.results.Interventions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Every ack path at once: ten messages each mid-nak, mid-nak-delay, termed, left unacked past ack
 * wait, in progress for 2.5 ack waits, and failing towards the dead-letter stream. The first fault
 * comes once every message was delivered once; after the drain the run watches two more ack waits
 * (termed messages must stay gone). Judged by {@link AckPathChecker}; what the server forgot across
 * a crash is counted as findings.
 */
public final class AckPathsWorkload implements ChaosWorkload {
  static final long ACK_WAIT_MS = 2000;
  static final int PER_PATH = 10;
  static final List<String> PATHS = List.of("nak", "delay", "term", "wait", "prog", "dlq");
  static final String STREAM = "ACKP";
  static final String DLQ_STREAM = "ACKPDLQ";
  static final String DLQ = "ackp-dlq";

  private final Set<String> done = ConcurrentHashMap.newKeySet();
  private final Set<String> firstSeen = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor();
  private volatile StreamConsumer consumer;
  private volatile StreamBroker admin;
  private volatile History history;

  @Override
  public String streamName() {
    return STREAM;
  }

  /** Writes its batch before the fault: no acked write is owed after a heal. */
  @Override
  public boolean writesThroughout() {
    return false;
  }

  @Override
  public String name() {
    return "ack-paths";
  }

  static StreamSpec queue() {
    return new StreamSpec(
        STREAM,
        List.of("ackp.>"),
        StreamSpec.Retention.WORK_QUEUE,
        1,
        Duration.ofHours(1),
        Duration.ofMinutes(2),
        -1,
        -1);
  }

  @Override
  public void setUp(RunContext ctx) {
    history = ctx.history();
    admin = ctx.admin();
    admin.provision(queue());
    admin.provision(
        new StreamSpec(
            DLQ_STREAM,
            List.of(DLQ),
            StreamSpec.Retention.LIMITS,
            1,
            Duration.ofHours(1),
            Duration.ofMinutes(2),
            -1,
            -1));
    consumer =
        ctx.broker()
            .consume(
                STREAM,
                this::handle,
                ConsumeOptions.builder()
                    .durable("paths")
                    .ackWait(Duration.ofMillis(ACK_WAIT_MS))
                    .maxDeliver(6)
                    .deadLetterSubject(DLQ)
                    .build());
  }

  /** One writer: every path's ten values, once. */
  @Override
  public List<Runnable> clients(RunContext ctx) {
    StreamBroker b = ctx.broker();
    return List.of(
        () -> {
          History h = ctx.history();
          for (String path : PATHS) {
            for (int i = 0; i < PER_PATH; i++) {
              String v = path + "-" + i;
              long t = h.now();
              Outcomes.enqueue(
                  h,
                  "w0",
                  v,
                  t,
                  b.enqueue("ackp.v", v.getBytes(), EnqueueOptions.idempotencyKey(v)));
            }
          }
        });
  }

  @Override
  public boolean readyForFault() {
    return firstSeen.size() == PATHS.size() * PER_PATH;
  }

  /** Everything but terms and dead letters ends acked; dead letters end in the DLQ stream. */
  @Override
  public boolean drained() {
    return done.size() == 4 * PER_PATH && dlqCount() >= PER_PATH;
  }

  private long dlqCount() {
    try {
      return ((NatsStreamBroker) admin)
          .connection()
          .jetStreamManagement()
          .getStreamInfo(DLQ_STREAM)
          .getStreamState()
          .getMsgCount();
    } catch (Exception e) {
      return -1; // not answerable right now (restarting)
    }
  }

  /**
   * Terms must stay gone: two ack waits more are watched (the time is the behaviour here), then the
   * dead-letter stream is read back into the history.
   */
  @Override
  public void inspect(RunContext ctx) {
    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2 * ACK_WAIT_MS));
    progress.shutdownNow();
    for (StreamMessage d : admin.replay(ReplayRequest.after(DLQ_STREAM, null, 0))) {
      ctx.history().event("dlq", "dead-letter", d.dataAsString(), d.streamSequence(), 0, null);
    }
  }

  private void handle(StreamMessage m) {
    History h = history;
    String v = m.dataAsString();
    h.event("consumer", Outcomes.DELIVER, v, m.streamSequence(), m.deliveryCount(), null);
    firstSeen.add(v);
    // Decide by the server's count: after a crash it may start again from 1 (state forgotten).
    boolean first = m.deliveryCount() == 1;
    switch (v.substring(0, v.indexOf('-'))) {
      case "nak" -> {
        if (first) {
          h.event("consumer", "nak", v, m.streamSequence(), m.deliveryCount(), "0");
          m.nak();
        } else {
          ack(m, h, v);
        }
      }
      case "delay" -> {
        if (first) {
          h.event("consumer", "nak", v, m.streamSequence(), m.deliveryCount(), "3000");
          m.nak(Duration.ofMillis(3000));
        } else {
          ack(m, h, v);
        }
      }
      case "term" -> {
        h.event("consumer", "term", v, m.streamSequence(), m.deliveryCount(), null);
        m.term();
      }
      case "wait" -> {
        if (!first) {
          ack(m, h, v);
        }
      }
      case "prog" -> {
        if (first) {
          // Work for 2.5 ack waits, saying so every 0.6 s, then ack.
          for (long at = 600; at < ACK_WAIT_MS * 5 / 2; at += 600) {
            progress.schedule(
                () -> {
                  if (!m.isSettled()) {
                    m.inProgress();
                    h.event("consumer", "progress", v, m.streamSequence(), m.deliveryCount(), null);
                  }
                },
                at,
                TimeUnit.MILLISECONDS);
          }
          progress.schedule(
              () -> {
                if (!m.isSettled()) {
                  ack(m, h, v);
                }
              },
              ACK_WAIT_MS * 5 / 2,
              TimeUnit.MILLISECONDS);
        } else {
          ack(m, h, v);
        }
      }
      default -> throw new IllegalStateException("poison: always fails"); // dlq-
    }
  }

  private void ack(StreamMessage m, History h, String v) {
    h.event("consumer", "ack", v, m.streamSequence(), m.deliveryCount(), null);
    m.ack();
    done.add(v);
  }

  @Override
  public List<CheckResult> check(History h) {
    return List.of(AckPathChecker.check(h, ACK_WAIT_MS));
  }

  @Override
  public Map<String, Long> findings(History h, List<CheckResult> checks) {
    CheckResult c = checks.get(0);
    Map<String, Long> f = new LinkedHashMap<>();
    f.put(Findings.TERMED_REDELIVERED, c.count("termsForgottenByCrash"));
    f.put(Findings.CONSUMER_STATE_FORGOTTEN, c.count("deliveryCountResetsByCrash"));
    f.put(Findings.PRE_CRASH_ACK_TIMER, c.count("redeliveriesTimedFromBeforeCrash"));
    f.put(Findings.CONSUMER_WEDGED, interventions().wedges());
    f.put(Findings.CONSUMER_VANISHED, interventions().recreations());
    return f;
  }

  @Override
  public Interventions interventions() {
    StreamConsumer c = consumer;
    return c == null
        ? Interventions.NONE
        : new Interventions(c.repulls(), c.resets(), c.recreations(), c.wedges());
  }

  @Override
  public Map<String, Object> postMortem(History h) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("acked", done.size());
    m.put("deadLettersStored", dlqCount());
    return m;
  }
}
