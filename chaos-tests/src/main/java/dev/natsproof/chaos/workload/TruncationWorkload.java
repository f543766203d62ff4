package dev.natsproof.chaos.workload;

import dev.natsproof.broker.EnqueueOptions;
import dev.natsproof.broker.ReplayRequest;
import dev.natsproof.broker.StreamBroker;
import dev.natsproof.broker.StreamMessage;
import dev.natsproof.broker.StreamSpec;
import dev.natsproof.chaos.ChaosWorkload;
import dev.natsproof.chaos.Outcomes;
import dev.natsproof.chaos.RunContext;
import dev.natsproof.chaos.checker.QueueChecker;
import dev.natsproof.results.CheckResult;
import dev.natsproof.results.FindingCount;
import dev.natsproof.results.Findings;
import dev.natsproof.results.History;
import dev.natsproof.results.Interventions;
import dev.natsproof.results.Verdict;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A stream written, then its newest block file cut short while the server is down (the nemesis),
 * then read back. Losing the newest acked messages is what the fault does: counted as {@link
 * Findings#TRUNCATION_LOSS}, expected on every version. Any other loss (older messages, a stream
 * gone) still fails.
 */
public final class TruncationWorkload implements ChaosWorkload {
  static final String STREAM = "TRUNC";
  private final int values;
  private volatile boolean written;
  private final Map<String, Object> inspected = new LinkedHashMap<>();

  public TruncationWorkload(int values) {
    this.values = values;
  }

  public static StreamSpec stream() {
    return new StreamSpec(
        STREAM,
        List.of("trunc.>"),
        StreamSpec.Retention.LIMITS,
        1,
        Duration.ofHours(1),
        Duration.ofMinutes(2),
        -1,
        -1);
  }

  @Override
  public String streamName() {
    return STREAM;
  }

  /** Writes its batch before the fault: no acked write is owed after a heal. */
  @Override
  public boolean writesThroughout() {
    return false;
  }

  /** Reads back after the load: no delivery is owed right after a heal. */
  @Override
  public boolean consumesThroughout() {
    return false;
  }

  @Override
  public String name() {
    return "truncation";
  }

  @Override
  public void setUp(RunContext ctx) {
    ctx.admin().provision(stream());
  }

  @Override
  public List<Runnable> clients(RunContext ctx) {
    StreamBroker b = ctx.broker();
    return List.of(
        () -> {
          History h = ctx.history();
          for (int i = 1; i <= values; i++) {
            String v = "t-" + i;
            long t = h.now();
            Outcomes.enqueue(
                h,
                "w0",
                v,
                t,
                b.enqueue("trunc.v", v.getBytes(), EnqueueOptions.idempotencyKey(v)));
          }
          written = true;
        });
  }

  /** The cut comes once everything was written. */
  @Override
  public boolean readyForFault() {
    return written;
  }

  @Override
  public boolean drained() {
    return true;
  }

  @Override
  public void inspect(RunContext ctx) {
    History h = ctx.history();
    inspected.putAll(
        StreamInspector.state(ctx.admin(), STREAM, null, StreamInspector.highestAcked(h)));
    if (Boolean.TRUE.equals(inspected.get("streamExists"))) {
      for (StreamMessage m : ctx.admin().replay(ReplayRequest.after(STREAM, null, 0))) {
        h.event("reader", Outcomes.DELIVER, m.dataAsString(), m.streamSequence(), 1, null);
      }
    }
  }

  @Override
  public List<CheckResult> check(History h) {
    return List.of(QueueChecker.check(h));
  }

  @Override
  public Map<String, Long> findings(History h, List<CheckResult> checks) {
    CheckResult q = checks.get(0);
    Map<String, Long> f = new LinkedHashMap<>();
    // Only the newest messages can be in the cut part: a loss before them is not the fault's.
    f.put(Findings.TRUNCATION_LOSS, q.count("lostPostfix"));
    f.put(Findings.STREAM_VANISHED, StreamInspector.streamVanished(inspected));
    return f;
  }

  @Override
  public boolean explains(List<CheckResult> checks, List<FindingCount> findings) {
    CheckResult q = checks.get(0);
    return q.status() == Verdict.FAIL
        && q.count("lostPrefix") + q.count("lostMiddle") == 0
        && q.count("unexpected") == 0
        && q.count("stalled") == 0
        && Boolean.TRUE.equals(inspected.get("streamExists"));
  }

  @Override
  public Interventions interventions() {
    return Interventions.NONE;
  }

  @Override
  public Map<String, Object> postMortem(History h) {
    return new LinkedHashMap<>(inspected);
  }
}
