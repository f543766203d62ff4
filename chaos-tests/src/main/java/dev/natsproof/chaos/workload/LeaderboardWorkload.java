package dev.natsproof.chaos.workload;

import dev.natsproof.broker.ConsumeOptions;
import dev.natsproof.broker.EnqueueOptions;
import dev.natsproof.broker.GameStreams;
import dev.natsproof.broker.StreamBroker;
import dev.natsproof.broker.StreamConsumer;
import dev.natsproof.chaos.ChaosWorkload;
import dev.natsproof.chaos.Outcomes;
import dev.natsproof.chaos.RunContext;
import dev.natsproof.chaos.checker.KeyLaneChecker;
import dev.natsproof.chaos.checker.OrderChecker;
import dev.natsproof.chaos.checker.QueueChecker;
import dev.natsproof.results.CheckResult;
import dev.natsproof.results.Findings;
import dev.natsproof.results.History;
import dev.natsproof.results.Interventions;
import dev.natsproof.results.Op;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Leaderboard updates {@code p<k>:<n>}, ordered per player: one message in flight at a time (with
 * more, a message whose delivery was lost in a crash comes back after newer ones). Judged by {@link
 * OrderChecker} and by {@link QueueChecker} over every update the stream's per-player limit did not
 * evict. With {@code concurrency} above 1, the consumer runs that many handlers, one per player at
 * a time (64 in flight), judged by {@link KeyLaneChecker} instead of {@link OrderChecker}.
 */
public final class LeaderboardWorkload implements ChaosWorkload {
  private final Set<String> delivered = ConcurrentHashMap.newKeySet();
  private final Set<String> acked = ConcurrentHashMap.newKeySet();
  private volatile StreamConsumer consumer;
  private final Map<String, Object> inspected = new LinkedHashMap<>();
  private final int concurrency;

  public LeaderboardWorkload() {
    this(1);
  }

  public LeaderboardWorkload(int concurrency) {
    this.concurrency = concurrency;
  }

  @Override
  public String streamName() {
    return "LEADERBOARD";
  }

  @Override
  public String name() {
    return concurrency > 1 ? "leaderboard-order-parallel" : "leaderboard-order";
  }

  @Override
  public void setUp(RunContext ctx) {
    ctx.admin().provision(GameStreams.leaderboard(1));
    History h = ctx.history();
    consumer =
        ctx.broker()
            .consume(
                "LEADERBOARD",
                m -> {
                  h.event(
                      "ranker",
                      Outcomes.DELIVER,
                      m.dataAsString(),
                      m.streamSequence(),
                      m.deliveryCount(),
                      null);
                  delivered.add(m.dataAsString());
                  if (concurrency > 1) {
                    // a little work, so that handlers of different players overlap
                    java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                    h.event(
                        "ranker",
                        KeyLaneChecker.HANDLED,
                        m.dataAsString(),
                        m.streamSequence(),
                        m.deliveryCount(),
                        null);
                  }
                  m.ack();
                },
                ConsumeOptions.builder()
                    .durable("ranker")
                    .maxAckPending(concurrency > 1 ? 64 : 1)
                    .concurrency(concurrency)
                    .orderKey(m -> m.dataAsString().substring(0, m.dataAsString().indexOf(':')))
                    .ackWait(Duration.ofSeconds(2))
                    .build());
  }

  @Override
  public List<Runnable> clients(RunContext ctx) {
    List<Runnable> out = new ArrayList<>();
    for (int w = 0; w < 2; w++) {
      StreamBroker b = ctx.broker();
      int first = w * 10;
      out.add(
          () -> {
            History h = ctx.history();
            for (long n = 1; !ctx.stopped(); n++) {
              for (int k = first; k < first + 10 && !ctx.stopped(); k++) {
                String v = "p" + k + ":" + n;
                long t = h.now();
                var r =
                    b.enqueue(
                        GameStreams.leaderboardSubject("global", "p" + k),
                        v.getBytes(),
                        EnqueueOptions.builder()
                            .idempotencyKey(v)
                            .deadline(Duration.ofSeconds(8))
                            .build());
                Outcomes.enqueue(h, "w" + first, v, t, r);
                if (r.isAcked()) {
                  acked.add(v);
                }
              }
            }
          });
    }
    return out;
  }

  @Override
  public boolean drained() {
    return delivered.containsAll(acked);
  }

  @Override
  public void inspect(RunContext ctx) {
    inspected.putAll(
        StreamInspector.state(
            ctx.admin(), "LEADERBOARD", "ranker", StreamInspector.highestAcked(ctx.history())));
  }

  @Override
  public List<CheckResult> check(History h) {
    Set<String> evicted =
        evictedByPerPlayerLimit(
            acked, delivered, GameStreams.leaderboard(1).maxMessagesPerSubject());
    History judged =
        History.of(
            h.ops().stream()
                .filter(o -> !(o.is(Outcomes.ENQUEUE) && evicted.contains(o.value())))
                .toList());
    inspected.put("evictedByPerPlayerLimit", evicted.size());
    return List.of(
        concurrency > 1 ? KeyLaneChecker.check(h) : OrderChecker.check(h),
        QueueChecker.check(judged));
  }

  /**
   * The undelivered values ("p<k>:<n>") that the stream's limit of {@code keep} messages per player
   * has certainly discarded: {@code keep} newer values of the same player were acked, so stored
   * after it. Any other undelivered value is a loss.
   */
  public static Set<String> evictedByPerPlayerLimit(
      Set<String> acked, Set<String> delivered, long keep) {
    Map<String, List<Long>> byPlayer = new HashMap<>();
    for (String v : acked) {
      String[] kn = v.split(":");
      byPlayer.computeIfAbsent(kn[0], k -> new ArrayList<>()).add(Long.parseLong(kn[1]));
    }
    Set<String> out = new HashSet<>();
    if (keep < 1) {
      return out;
    }
    for (Map.Entry<String, List<Long>> e : byPlayer.entrySet()) {
      List<Long> ns = e.getValue();
      ns.sort(null);
      for (int i = 0; i < ns.size(); i++) {
        String v = e.getKey() + ":" + ns.get(i);
        if (ns.size() - 1 - i >= keep && !delivered.contains(v)) {
          out.add(v);
        }
      }
    }
    return out;
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
    f.put(Findings.STREAM_VANISHED, StreamInspector.streamVanished(inspected));
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
    long count =
        h.ops().stream().filter(o -> o.is(Outcomes.ENQUEUE) && o.ok()).map(Op::value).count();
    Map<String, Object> m = new LinkedHashMap<>(inspected);
    m.put("acked", count);
    return m;
  }
}
