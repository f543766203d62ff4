package dev.natsproof.chaos.upgrade;

import dev.natsproof.broker.BrokerOptions;
import dev.natsproof.broker.nats.NatsStreamBroker;
import dev.natsproof.chaos.ChaosRun;
import dev.natsproof.chaos.Outcomes;
import dev.natsproof.chaos.Schedule;
import dev.natsproof.chaos.core.CoreChecker;
import dev.natsproof.chaos.core.CoreLoad;
import dev.natsproof.chaos.nemesis.UpgradeNemesis;
import dev.natsproof.chaos.workload.SettlementWorkload;
import dev.natsproof.results.ChaosVerdict;
import dev.natsproof.results.CheckResult;
import dev.natsproof.results.CoreChaosVerdict;
import dev.natsproof.results.CoreJudge;
import dev.natsproof.results.FaultWindow;
import dev.natsproof.results.GateLimits;
import dev.natsproof.results.GateResult;
import dev.natsproof.results.History;
import dev.natsproof.results.Op;
import dev.natsproof.results.Percentiles;
import dev.natsproof.results.Provenance;
import dev.natsproof.results.ResultsDir;
import dev.natsproof.results.RollingUpgradeRun;
import dev.natsproof.results.Verdict;
import dev.natsproof.testkit.HiccupMeter;
import dev.natsproof.testkit.NatsCluster;
import dev.natsproof.testkit.NatsServer;
import dev.natsproof.testkit.NatsServerBinary;
import dev.natsproof.testkit.NatsServerStartException;
import dev.natsproof.testkit.StoreCompatibility;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * A live rolling upgrade under game load: a 3-node cluster on version A carries the Core room
 * fan-out (12 rooms at 30 Hz, latest-only, gateways spread over the nodes, player commands) and
 * JetStream settlement (3 game servers enqueueing, 2 workers sharing the durable, an exact ledger)
 * while {@link UpgradeNemesis} moves each node to version B. Everything is recorded into one
 * history; the settlement is judged by the chaos checkers, Core by {@link CoreJudge} with each step
 * as a fault window, and each step gets its own row (acked loss, JetStream stall, frames missed,
 * the longest room gap, reconnects). Afterwards, where a known store incompatibility says version A
 * cannot read what B wrote, natsproof is asked to start A on one node's store and must refuse.
 */
public final class RollingUpgrade {
  static final String SUITE = RollingUpgradeRun.SUITE;
  static final String STREAM = "SETTLEMENT";

  /**
   * @param from the version the cluster starts on
   * @param to the version it is upgraded to
   * @param out where the results go
   * @param before load before the first step
   * @param after load after the last step
   * @param progress where each step is told as it happens
   */
  public record Options(
      NatsServerBinary from,
      NatsServerBinary to,
      ResultsDir out,
      Duration before,
      Duration after,
      java.util.function.Consumer<String> progress) {
    public static Options of(NatsServerBinary from, NatsServerBinary to, Path out) {
      return new Options(
          from, to, ResultsDir.at(out), Duration.ofSeconds(5), Duration.ofSeconds(5), s -> {});
    }
  }

  /** The servers' lame-duck settings: the shortest duration a server accepts, a short grace. */
  static final String LAME_DUCK_CONFIG =
      "lame_duck_duration: \"30s\"\nlame_duck_grace_period: \"1s\"";

  private RollingUpgrade() {}

  public static RollingUpgradeRun run(Options o) {
    long t0 = System.nanoTime();
    String startedAt = Instant.now().toString();
    History h = new History();
    List<String> reasons = new ArrayList<>();
    Path work = o.out().dir().resolve("nats-servers");
    NatsCluster cluster = NatsCluster.start(3, LAME_DUCK_CONFIG, work, null, o.from());
    String refused = null;
    ChaosRun.Outcome js;
    CoreLoad.Config coreConfig = CoreLoad.Config.defaults();
    Percentiles hiccup;
    try (HiccupMeter meter = new HiccupMeter()) {
      List<String> urls = cluster.clientUrls();
      CoreLoad core = new CoreLoad(coreConfig, spread(urls), h);
      try {
        core.connect();
        core.startLoad();
        Schedule s =
            new Schedule(
                o.before(),
                1,
                Duration.ZERO,
                Duration.ZERO,
                o.after(),
                Duration.ofSeconds(60),
                Duration.ofSeconds(30));
        js =
            ChaosRun.run(
                new ChaosRun.Spec(
                    SUITE,
                    "settlement",
                    new SettlementWorkload(3, 2, 3),
                    new UpgradeNemesis(
                        cluster, o.to(), STREAM, Duration.ofSeconds(90), o.progress()),
                    s,
                    observer ->
                        NatsStreamBroker.connect(
                            BrokerOptions.builder().servers(urls).observer(observer).build(), 256),
                    false,
                    o.out()),
                h);
        core.stopLoad();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("rolling upgrade interrupted", e);
      } finally {
        core.close();
      }
      hiccup = Percentiles.of(meter.total());
      refused = tryDowngrade(cluster, o, reasons);
    } finally {
      cluster.close();
    }
    // The chaos run wrote its history before the Core load stopped: this one has everything.
    h.writeJsonl(js.dir().resolve(ResultsDir.HISTORY));
    List<Step> steps = steps(h);
    List<FaultWindow> windows = new ArrayList<>();
    for (Step st : steps) {
      windows.add(
          new FaultWindow(
              "upgrade " + st.node,
              windows.size() + 1,
              st.startedMs,
              st.caughtUpMs,
              null,
              null,
              null,
              List.of()));
    }
    CoreChecker.Measured m = CoreChecker.measure(h, coreConfig.hz(), true, Set.of(), windows);
    CoreChaosVerdict coreVerdict =
        m.judged(
            SUITE,
            "core",
            "rolling upgrade",
            false,
            List.of(),
            GateLimits.defaults().coreGapMillis(),
            "lame duck moves clients to the other nodes: no room should freeze longer than the"
                + " allowance (coreGapMillis)",
            null, // every node restarted: the server's CPU per frame is not known
            hiccup,
            windows,
            List.of(),
            provenance(o.to().version(), cluster, startedAt),
            0);
    o.out().write(coreVerdict);
    ChaosVerdict v = js.verdict();
    CheckResult queue =
        v.checks().stream().filter(c -> c.checker().equals("queue")).findFirst().orElse(null);
    RollingUpgradeRun.JetStreamTotals totals =
        queue == null
            ? new RollingUpgradeRun.JetStreamTotals(0, 0, 0, 0, 0)
            : new RollingUpgradeRun.JetStreamTotals(
                queue.count("acked"),
                queue.count("delivered"),
                queue.count("lost"),
                queue.count("stalled"),
                queue.count("duplicateDeliveries"));
    Verdict verdict = v.verdict().and(coreVerdict.verdict());
    if (v.verdict() == Verdict.INFO) {
      verdict = verdict == Verdict.PASS ? Verdict.INFO : verdict;
    }
    reasons.add("JetStream settlement: " + v.verdict() + " " + v.reasons());
    for (GateResult g : CoreJudge.gates(coreVerdict)) {
      if (g.verdict() != Verdict.PASS) {
        reasons.add(g.gate() + ": " + g.verdict() + " " + g.detail());
      }
    }
    if (refused != null && refused.startsWith("NOT REFUSED")) {
      verdict = Verdict.FAIL;
    }
    if (steps.size() != 3) {
      verdict = Verdict.FAIL;
      reasons.add("the upgrade did not finish: " + steps.size() + " of 3 nodes caught up");
    }
    RollingUpgradeRun run =
        new RollingUpgradeRun(
            o.from().version(),
            o.to().version(),
            verdict,
            reasons,
            stepRows(h, steps, o.from().version(), o.to().version()),
            totals,
            m.frames(),
            m.commands(),
            v.findings(),
            v.interventions(),
            refused,
            timeline(h),
            provenance(o.to().version(), cluster, startedAt),
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    o.out().write(run);
    return run;
  }

  /**
   * Where the store rule says the old version cannot read the new one's store, asks natsproof to
   * start it there and records the refusal; a start that went ahead is a FAIL.
   */
  private static String tryDowngrade(NatsCluster cluster, Options o, List<String> reasons) {
    Optional<String> rule =
        StoreCompatibility.refusal(o.to().serverVersion(), o.from().serverVersion());
    if (rule.isEmpty()) {
      reasons.add(
          "downgrade not tried: no known store incompatibility from "
              + o.to().version()
              + " back to "
              + o.from().version());
      return null;
    }
    NatsServer n = cluster.node(2);
    n.stop();
    n.useBinary(o.from());
    try {
      n.start();
      return "NOT REFUSED: "
          + o.from().version()
          + " started on a store "
          + o.to().version()
          + " wrote";
    } catch (NatsServerStartException e) {
      return e.getMessage();
    } finally {
      n.useBinary(o.to());
    }
  }

  /** Gateway g on node g, the room server and players on node 0, services on nodes 1 and 2. */
  static CoreLoad.Topology spread(List<String> urls) {
    return new CoreLoad.Topology(
        from(urls, 0),
        List.of(from(urls, 0), from(urls, 1), from(urls, 2)),
        List.of(from(urls, 1), from(urls, 2)),
        from(urls, 0),
        false,
        null);
  }

  static List<String> from(List<String> urls, int first) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < urls.size(); i++) {
      out.add(urls.get((first + i) % urls.size()));
    }
    return out;
  }

  private static Provenance provenance(String version, NatsCluster c, String startedAt) {
    return Provenance.started(
        version,
        String.join(",", c.clientUrls()),
        true,
        io.nats.client.Nats.CLIENT_VERSION,
        startedAt,
        "rolling-upgrade: settlement R3 + core-rooms-12x30hz-latest");
  }

  /** One node's step, from the nemesis's events (ms on the run's clock). */
  record Step(String node, long startedMs, long upMs, long caughtUpMs) {}

  static List<Step> steps(History h) {
    Map<String, long[]> at = new LinkedHashMap<>();
    for (Op op : h.ops()) {
      if (!op.is(ChaosRun.STEP) || op.detail() == null) {
        continue;
      }
      String[] w = op.detail().split(" ");
      if (w.length < 2) {
        continue;
      }
      long ms = TimeUnit.NANOSECONDS.toMillis(op.endNanos());
      long[] t = at.computeIfAbsent(w[1], k -> new long[] {-1, -1, -1});
      switch (w[0]) {
        case UpgradeNemesis.LAME_DUCK -> t[0] = ms;
        case UpgradeNemesis.UP -> t[1] = ms;
        case UpgradeNemesis.CAUGHT_UP -> t[2] = ms;
        default -> {
          // stopped: between the two
        }
      }
    }
    List<Step> out = new ArrayList<>();
    at.forEach(
        (node, t) -> {
          if (t[0] >= 0 && t[2] >= 0) {
            out.add(new Step(node, t[0], t[1], t[2]));
          }
        });
    return out;
  }

  static List<RollingUpgradeRun.Step> stepRows(
      History h, List<Step> steps, String from, String to) {
    List<Op> ops = h.ops();
    List<RollingUpgradeRun.Step> out = new ArrayList<>();
    for (Step s : steps) {
      long a = TimeUnit.MILLISECONDS.toNanos(s.startedMs);
      long b = TimeUnit.MILLISECONDS.toNanos(s.caughtUpMs) + TimeUnit.SECONDS.toNanos(2);
      out.add(
          new RollingUpgradeRun.Step(
              s.node,
              from,
              to,
              s.startedMs,
              s.upMs,
              s.caughtUpMs,
              longestGap(ops, a, b, op -> op.is(Outcomes.ENQUEUE) && op.ok()),
              longestGap(ops, a, b, op -> op.is(Outcomes.DELIVER)),
              framesMissed(ops, a, b),
              longestRoomGap(ops, a, b),
              ops.stream()
                  .filter(
                      op ->
                          op.is(CoreLoad.CONNECTION)
                              && op.value().equals("reconnected")
                              && op.endNanos() >= a
                              && op.endNanos() <= b)
                  .count()));
    }
    return out;
  }

  /** The longest time in [a, b] without an op that {@code is} (ms). */
  static long longestGap(List<Op> ops, long a, long b, java.util.function.Predicate<Op> is) {
    List<Long> t =
        ops.stream().filter(is).map(Op::endNanos).filter(x -> x >= a && x <= b).sorted().toList();
    long prev = a;
    long gap = 0;
    for (long x : t) {
      gap = Math.max(gap, x - prev);
      prev = x;
    }
    gap = Math.max(gap, b - prev);
    return TimeUnit.NANOSECONDS.toMillis(gap);
  }

  /** Frames published for [a, b] that no player was handed (replaced or lost), all rooms. */
  static long framesMissed(List<Op> ops, long a, long b) {
    Map<String, Long> published = new TreeMap<>();
    Map<String, Long> received = new TreeMap<>();
    for (Op op : ops) {
      if (op.startNanos() < a || op.startNanos() > b) {
        continue;
      }
      if (op.is(CoreLoad.PUBLISH) && op.ok()) {
        published.merge(op.value(), 1L, Long::sum);
      } else if (op.is(CoreLoad.FRAME)) {
        received.merge(op.value(), 1L, Long::sum);
      }
    }
    long missed = 0;
    for (Map.Entry<String, Long> e : published.entrySet()) {
      missed += Math.max(0, e.getValue() - received.getOrDefault(e.getKey(), 0L));
    }
    return missed;
  }

  /** The longest gap between two frames of one room handed over in [a, b] (ms). */
  static long longestRoomGap(List<Op> ops, long a, long b) {
    Map<String, List<Long>> byRoom = new TreeMap<>();
    for (Op op : ops) {
      if (op.is(CoreLoad.FRAME) && op.endNanos() >= a && op.endNanos() <= b) {
        byRoom
            .computeIfAbsent(op.process() + "/" + op.value(), k -> new ArrayList<>())
            .add(op.endNanos());
      }
    }
    long gap = 0;
    for (List<Long> t : byRoom.values()) {
      t.sort(Comparator.naturalOrder());
      for (int i = 1; i < t.size(); i++) {
        gap = Math.max(gap, t.get(i) - t.get(i - 1));
      }
    }
    return TimeUnit.NANOSECONDS.toMillis(gap);
  }

  static List<RollingUpgradeRun.Second> timeline(History h) {
    Map<Long, long[]> counts = new TreeMap<>();
    Map<Long, Histogram> lat = new TreeMap<>();
    for (Op op : h.ops()) {
      long s = TimeUnit.NANOSECONDS.toSeconds(op.endNanos());
      if (op.is(Outcomes.ENQUEUE) && op.ok()) {
        counts.computeIfAbsent(s, k -> new long[3])[0]++;
      } else if (op.is(Outcomes.DELIVER)) {
        counts.computeIfAbsent(s, k -> new long[3])[1]++;
      } else if (op.is(CoreLoad.FRAME)) {
        counts.computeIfAbsent(s, k -> new long[3])[2]++;
        lat.computeIfAbsent(s, k -> new Histogram(3))
            .recordValue(
                Math.max(0, TimeUnit.NANOSECONDS.toMicros(op.endNanos() - op.startNanos())));
      }
    }
    List<RollingUpgradeRun.Second> out = new ArrayList<>();
    counts.forEach(
        (s, c) -> {
          Histogram l = lat.get(s);
          out.add(
              new RollingUpgradeRun.Second(
                  s, c[0], c[1], c[2], l == null ? 0 : l.getValueAtPercentile(99)));
        });
    return out;
  }
}
