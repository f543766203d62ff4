package dev.natsproof.chaos.workload;

import dev.natsproof.broker.ConsumeOptions;
import dev.natsproof.broker.EnqueueOptions;
import dev.natsproof.broker.GameStreams;
import dev.natsproof.broker.StreamBroker;
import dev.natsproof.broker.StreamConsumer;
import dev.natsproof.chaos.ChaosWorkload;
import dev.natsproof.chaos.Outcomes;
import dev.natsproof.chaos.RunContext;
import dev.natsproof.chaos.checker.LedgerChecker;
import dev.natsproof.chaos.checker.QueueChecker;
import dev.natsproof.chaos.checker.SequenceReuse;
import dev.natsproof.results.CheckResult;
import dev.natsproof.results.FindingCount;
import dev.natsproof.results.Findings;
import dev.natsproof.results.History;
import dev.natsproof.results.Interventions;
import dev.natsproof.results.Op;
import dev.natsproof.results.Verdict;
import dev.natsproof.testkit.game.SettlementLedger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Battle settlement: game servers enqueue rewards keyed {@code battle-<server>-<n>}, two workers
 * share the durable and credit an idempotent ledger. Judged by {@link LedgerChecker} (every acked
 * battle credited exactly once, the ledger's gold exact) and {@link QueueChecker}.
 */
public final class SettlementWorkload implements ChaosWorkload {
  private final int writers;
  private final int workers;
  private final SettlementLedger ledger = new SettlementLedger();
  private final Map<String, Long> rewardOf = new ConcurrentHashMap<>();
  private final List<StreamConsumer> consumers = new CopyOnWriteArrayList<>();
  private final Map<String, Object> inspected = new LinkedHashMap<>();
  private volatile History history;

  private final int replicas;

  public SettlementWorkload(int writers, int workers) {
    this(writers, workers, 1);
  }

  /** With the stream on {@code replicas} nodes (3 on a cluster). */
  public SettlementWorkload(int writers, int workers, int replicas) {
    this.writers = writers;
    this.workers = workers;
    this.replicas = replicas;
  }

  @Override
  public String streamName() {
    return "SETTLEMENT";
  }

  @Override
  public String name() {
    return "settlement-ledger";
  }

  @Override
  public void setUp(RunContext ctx) {
    history = ctx.history();
    ctx.admin().provision(GameStreams.settlement(replicas));
    History h = ctx.history();
    for (int w = 0; w < workers; w++) {
      consumers.add(
          ctx.broker()
              .consume(
                  "SETTLEMENT",
                  m -> {
                    String battle = m.messageId().orElseThrow();
                    h.event(
                        "worker",
                        Outcomes.DELIVER,
                        battle,
                        m.streamSequence(),
                        m.deliveryCount(),
                        null);
                    String[] parts = m.dataAsString().split(":");
                    boolean applied = ledger.credit(battle, parts[0], Long.parseLong(parts[1]));
                    h.event(
                        "worker",
                        "credit",
                        battle,
                        m.streamSequence(),
                        m.deliveryCount(),
                        applied ? "applied" : "duplicate");
                    m.ack();
                  },
                  ConsumeOptions.builder()
                      .queue("settlers")
                      .ackWait(Duration.ofSeconds(3))
                      .build()));
    }
  }

  @Override
  public List<Runnable> clients(RunContext ctx) {
    List<Runnable> out = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      StreamBroker b = ctx.broker();
      String p = "gs" + w;
      out.add(
          () -> {
            History h = ctx.history();
            for (long n = 1; !ctx.stopped(); n++) {
              String battle = "battle-" + p + "-" + n;
              long gold = 10 + n % 90;
              rewardOf.put(battle, gold);
              long t = h.now();
              Outcomes.enqueue(
                  h,
                  p,
                  battle,
                  t,
                  b.enqueue(
                      GameStreams.settlementSubject("battle", p + "-" + n),
                      ("player-" + (n % 50) + ":" + gold).getBytes(StandardCharsets.UTF_8),
                      EnqueueOptions.builder()
                          .idempotencyKey(battle)
                          .deadline(Duration.ofSeconds(8))
                          .build()));
            }
          });
    }
    return out;
  }

  @Override
  public boolean drained() {
    History h = history;
    return h.ops().stream()
        .filter(o -> o.is(Outcomes.ENQUEUE) && o.ok())
        .map(Op::value)
        .allMatch(ledger::applied);
  }

  @Override
  public void inspect(RunContext ctx) {
    History h = ctx.history();
    StreamInspector.recordStored(
        ctx.admin(), "SETTLEMENT", StreamInspector.undelivered(h, Outcomes.DELIVER), h);
    inspected.putAll(
        StreamInspector.state(
            ctx.admin(), "SETTLEMENT", "settlers", StreamInspector.highestAcked(h)));
  }

  @Override
  public List<CheckResult> check(History h) {
    return List.of(LedgerChecker.check(h, ledger.totalGold(), rewardOf), QueueChecker.check(h));
  }

  @Override
  public Map<String, Long> findings(History h, List<CheckResult> checks) {
    Map<String, Long> f = new LinkedHashMap<>();
    f.put(
        Findings.CONSUMER_STATE_FORGOTTEN,
        StreamInspector.deliveryCountResets(h, Outcomes.DELIVER));
    Interventions i = interventions();
    f.put(Findings.CONSUMER_WEDGED, i.wedges());
    f.put(Findings.CONSUMER_VANISHED, i.recreations());
    f.put(
        Findings.WORK_QUEUE_SEQUENCE_RESET,
        StreamInspector.sequenceResets(h, SequenceReuse.lostValues(h), replicas, inspected));
    f.put(Findings.STREAM_VANISHED, StreamInspector.streamVanished(inspected));
    return f;
  }

  /**
   * Missing battles are explained only by a work-queue sequence reset this version is expected to
   * have, and only when each is a lost message of that reset: nothing credited twice or out of
   * nowhere, nothing stalled, unexpected or unchecked, and no more lost than the reset explains.
   */
  @Override
  public boolean explains(List<CheckResult> checks, List<FindingCount> findings) {
    CheckResult ledgerCheck = checks.get(0);
    CheckResult queue = checks.get(1);
    if (findings.stream().anyMatch(f -> f.verdict() == Verdict.FAIL)
        || ledgerCheck.count("appliedTwice") > 0
        || ledgerCheck.count("phantom") > 0
        || queue.count("stalled") > 0
        || queue.count("uninspected") > 0
        || queue.count("unexpected") > 0
        || queue.count("deliveredAfterDefiniteFailure") > 0) {
      return false;
    }
    long explained =
        findings.stream()
            .filter(f -> f.id().equals(Findings.WORK_QUEUE_SEQUENCE_RESET))
            .mapToLong(FindingCount::count)
            .sum();
    return explained > 0
        && queue.count("lost") <= explained
        && ledgerCheck.count("missing") <= queue.count("lost");
  }

  @Override
  public Interventions interventions() {
    Interventions sum = Interventions.NONE;
    for (StreamConsumer c : consumers) {
      sum = sum.plus(new Interventions(c.repulls(), c.resets(), c.recreations(), c.wedges()));
    }
    return sum;
  }

  @Override
  public Map<String, Object> postMortem(History h) {
    Map<String, Object> m = new LinkedHashMap<>(inspected);
    m.put("ledgerBattles", ledger.battlesApplied());
    m.put("ledgerGold", ledger.totalGold());
    m.put("duplicatesIgnored", ledger.duplicatesIgnored());
    return m;
  }
}
