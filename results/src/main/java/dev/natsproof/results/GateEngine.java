package dev.natsproof.results;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one gate engine: every gate natsproof has, a pure function of typed results and {@link
 * GateLimits}. The main job, the benchmark gate and the report all judge with it, so a result is
 * judged the same whichever path reads it.
 */
public final class GateEngine {
  private GateEngine() {}

  static final String STALLED_ADVICE =
      "the hiccup control saw the machine itself stall, so latency cannot be judged: run again on a"
          + " quieter machine, pin client and server to separate cores (./natsproof fanout --pin), or"
          + " raise hiccupP99Micros if this machine is what production looks like";

  /** Every gate over a folder's results. An empty folder is UNKNOWN. */
  public static GateReport evaluate(RunResults r, GateLimits g) {
    List<GateResult> out = new ArrayList<>();
    if (r.isEmpty()) {
      out.add(
          new GateResult(
              "results",
              Verdict.UNKNOWN,
              "no fan-out, JetStream, capacity, JMH or chaos result in " + r.dir(),
              "give the folder a run wrote (--out), or run the job first"));
      return GateReport.of(out, Map.of());
    }
    for (FanOutRun f : r.fanOuts()) {
      out.add(fanOut(f, g));
    }
    for (StreamRun s : r.streams()) {
      out.add(stream(s));
    }
    for (CapacityRun c : r.capacity()) {
      out.add(capacity(c));
    }
    for (RunResults.Located<ChaosVerdict> c : r.chaos()) {
      out.addAll(chaos(c.result(), g));
    }
    out.addAll(singleNodeRecovery(r.chaos().stream().map(RunResults.Located::result).toList(), g));
    for (RunResults.Located<CoreChaosVerdict> c : r.coreChaos()) {
      out.addAll(coreChaos(c.result()));
    }
    for (RollingUpgradeRun u : r.rollingUpgrades()) {
      out.add(rollingUpgrade(u));
    }
    for (OverheadRun o : r.overheads()) {
      out.addAll(overhead(o, g));
    }
    Map<String, String> ratios = new LinkedHashMap<>(fanOutRatios(r.fanOuts()));
    ratios.putAll(jmhRatios(r.jmh()));
    return GateReport.of(out, ratios);
  }

  /**
   * The fan-out gate: PASS only when every expected delivery arrived, p99 is within the limit and
   * the hiccup control shows the platform itself was quiet.
   */
  public static GateResult fanOut(FanOutRun r, GateLimits g) {
    String name = "fan-out " + r.workload().name() + " (" + r.client() + ")";
    long limit = g.fanoutP99Micros(r.workload());
    if (r.error() != null) {
      return new GateResult(name, Verdict.FAIL, "the run failed: " + r.error(), "see its log");
    }
    if (r.framesPublished() == 0 || r.expectedDeliveries() == 0) {
      return new GateResult(
          name,
          Verdict.UNKNOWN,
          "nothing was published in the recorded phase",
          "the publisher did not run: check the server URL and the workload");
    }
    if (r.deliveries() == 0) {
      return new GateResult(
          name, Verdict.FAIL, "nothing was delivered (expected " + r.expectedDeliveries() + ")");
    }
    if (r.missingDeliveries() > g.missingDeliveries()) {
      return new GateResult(
          name,
          Verdict.FAIL,
          "missing deliveries: "
              + r.missingDeliveries()
              + " of "
              + r.expectedDeliveries()
              + " (allowed "
              + g.missingDeliveries()
              + ")");
    }
    if (r.deliveries() + r.framesReplaced() > r.expectedDeliveries()) {
      return new GateResult(
          name,
          Verdict.FAIL,
          "more deliveries than expected: "
              + (r.deliveries() + r.framesReplaced())
              + " > "
              + r.expectedDeliveries());
    }
    long p99 = r.latency().p99Micros();
    long hiccup = r.hiccup().p99Micros();
    if (r.hiccup().count() == 0) {
      return new GateResult(
          name,
          Verdict.UNKNOWN,
          "no hiccup control recorded: the platform's noise is unknown",
          "run it with the hiccup control (the default)");
    }
    if (hiccup > g.hiccupP99Micros()) {
      return new GateResult(
          name,
          Verdict.UNKNOWN,
          "hiccup control p99 "
              + Units.micros(hiccup)
              + " > "
              + Units.micros(g.hiccupP99Micros())
              + ": the platform stalled, latency p99 "
              + Units.micros(p99)
              + " cannot be judged",
          STALLED_ADVICE);
    }
    if (p99 > limit) {
      return new GateResult(
          name,
          Verdict.FAIL,
          "fan-out p99 " + Units.micros(p99) + " > limit " + Units.micros(limit),
          "profile the client (CPU per delivery "
              + Units.nanos(r.clientCpuNanosPerDelivery())
              + ") or lower the load");
    }
    return new GateResult(
        name,
        Verdict.PASS,
        "fan-out p99 "
            + Units.micros(p99)
            + " ≤ "
            + Units.micros(limit)
            + ", all "
            + r.deliveries()
            + " deliveries"
            + (r.framesReplaced() > 0 ? " (" + r.framesReplaced() + " replaced by design)" : "")
            + ", hiccup p99 "
            + Units.micros(hiccup));
  }

  /** A JetStream end-to-end run passes when every acked message reached the handler. */
  public static GateResult stream(StreamRun r) {
    String name = "JetStream " + r.name() + " lossless";
    String counts =
        r.acked()
            + " acked, "
            + r.delivered()
            + " reached the handler, "
            + r.missingAcked()
            + " missing, "
            + r.notAcked()
            + " not acked; enqueue→handler "
            + r.endToEnd()
            + ", enqueue→PubAck p99 "
            + Units.micros(r.enqueue().p99Micros());
    if (r.error() != null) {
      return new GateResult(
          name, Verdict.FAIL, "the run failed: " + r.error() + " (" + counts + ")");
    }
    boolean ok =
        r.acked() > 0 && r.delivered() == r.acked() && r.missingAcked() == 0 && r.notAcked() == 0;
    return new GateResult(name, ok ? Verdict.PASS : Verdict.FAIL, counts);
  }

  /** No target: what the limit allows on this machine, for the reader and for comparisons. */
  static GateResult capacity(CapacityRun c) {
    return new GateResult(
        "capacity (" + c.client() + ", " + c.layout() + ")",
        Verdict.INFO,
        c.largestPassingRooms()
            + " rooms × "
            + c.playersPerRoom()
            + " players at "
            + c.hz()
            + " Hz with p99 ≤ "
            + Units.micros(c.gateP99Micros())
            + " ("
            + c.attempts().size()
            + " attempts, "
            + c.lo()
            + ".."
            + c.hi()
            + ")"
            + (c.largestPassingRooms() >= c.hi() ? "; the upper bound passed: search higher" : ""));
  }

  public static List<GateResult> chaos(ChaosVerdict c, GateLimits g) {
    List<GateResult> out = new ArrayList<>();
    String name = "chaos " + c.suite() + "/" + c.run();
    if (c.negativeControl()) {
      boolean caught = c.verdict() == Verdict.FAIL;
      out.add(
          new GateResult(
              name + " (negative control)",
              caught ? Verdict.PASS : Verdict.FAIL,
              "the broken broker was "
                  + (caught ? "caught" : "NOT caught")
                  + ": "
                  + c.verdict()
                  + ", lost "
                  + c.count("lost"),
              caught ? "" : "a checker no longer catches a lying broker: it cannot fail"));
      return out;
    }
    out.add(
        new GateResult(
            name + " verdict",
            c.verdict(),
            c.verdict() + ": " + String.join("; ", c.reasons()),
            c.verdict() == Verdict.UNKNOWN
                ? "the run proved nothing (nothing acked or delivered, or a checker crashed): see its"
                    + " history"
                : ""));
    long lost = c.count("lost");
    long unexpected = c.count("unexpected");
    long stalled = c.count("stalled");
    boolean explained = c.verdict() == Verdict.INFO;
    Verdict lossVerdict =
        lost <= g.chaosLost() && unexpected <= g.chaosUnexpected()
            ? Verdict.PASS
            : explained && unexpected <= g.chaosUnexpected() ? Verdict.INFO : Verdict.FAIL;
    out.add(
        new GateResult(
            name + " lost/stalled/unexpected",
            lossVerdict,
            "lost "
                + lost
                + ", stalled "
                + stalled
                + ", unexpected "
                + unexpected
                + " (acked "
                + c.count("acked")
                + ")"
                + (explained
                    ? "; every one explained by a finding expected on this version"
                    : "")));
    for (FindingCount f : c.findings()) {
      out.add(
          new GateResult(
              name + " finding " + f.id(),
              f.verdict(),
              f.count() + "× " + f.judgement(),
              f.verdict() == Verdict.FAIL
                  ? "a version expected to be free of this shows it: report it upstream with the"
                      + " run's history"
                  : ""));
    }
    if (c.interventions().any()) {
      Interventions i = c.interventions();
      out.add(
          new GateResult(
              name + " broker interventions",
              Verdict.INFO,
              i.repulls()
                  + " repulls, "
                  + i.resets()
                  + " resets, "
                  + i.recreations()
                  + " durables recreated, "
                  + i.wedges()
                  + " wedges seen"));
    }
    List<Long> toAck = c.recoveryToFirstAckMs();
    if (!c.faults().isEmpty() && c.writesThroughout()) {
      long worst = toAck.stream().mapToLong(Long::longValue).max().orElse(0);
      long without = c.healsWithoutAck(g.recoveryMillis());
      long unwatched = c.healsNotWatched(g.recoveryMillis());
      String watched =
          unwatched == 0
              ? ""
              : "; "
                  + unwatched
                  + " heal(s) with no ack before the load ended, sooner than the limit after the"
                  + " heal: not judged (give the run a longer recovery load)";
      out.add(
          new GateResult(
              name + " recovery",
              without == 0 && worst <= g.recoveryMillis() ? Verdict.PASS : Verdict.FAIL,
              (without > 0
                      ? without
                          + " of "
                          + c.faults().size()
                          + " heals were followed by no acked write in "
                          + Units.millis(g.recoveryMillis())
                          + " of load"
                      : "worst heal → first ack "
                          + Units.millis(worst)
                          + " (limit "
                          + Units.millis(g.recoveryMillis())
                          + ")")
                  + watched));
    }
    return out;
  }

  /** The nemeses whose recovery the single-server gate judges. */
  static boolean singleNodeRestart(ChaosVerdict c) {
    String n = c.nemesis();
    return !c.negativeControl()
        && c.consumesThroughout()
        && (n.equals("kill-9") || n.equals("sigterm"))
        && !c.suite().startsWith("cluster");
  }

  /**
   * What the README promises for a restarted server: consumption resumes within p50 ≤ 1 s and max ≤
   * 2 s of the restart, over every kill and SIGTERM run of a single server. A restart whose first
   * delivery was a redelivery is held to its own maximum instead (by default 4 s: one ack wait, see
   * {@link GateLimits}); the detail says how many there were, so the allowance is never silent.
   */
  static List<GateResult> singleNodeRecovery(List<ChaosVerdict> runs, GateLimits g) {
    List<Long> all = new ArrayList<>();
    long worstFresh = -1;
    long worstRedelivered = -1;
    int redelivered = 0;
    long watch = Math.max(g.singleNodeRecoveryMaxMillis(), g.singleNodeRedeliveryMaxMillis());
    long heals = 0;
    int resetRuns = 0;
    for (ChaosVerdict c : runs) {
      if (!singleNodeRestart(c)) {
        continue;
      }
      if (sequenceWasReset(c)) {
        resetRuns++;
        continue;
      }
      for (FaultWindow f : c.faults()) {
        Long ms = f.firstDeliveryAfterHealMs();
        // A restart whose load ended before the allowed maximum, with no delivery yet, is not a
        // failure to recover: it was not watched long enough.
        if (ms == null) {
          heals += f.watchedFor(watch) ? 1 : 0;
          continue;
        }
        heals++;
        all.add(ms);
        if (f.firstDeliveryRedelivered()) {
          redelivered++;
          worstRedelivered = Math.max(worstRedelivered, ms);
        } else {
          worstFresh = Math.max(worstFresh, ms);
        }
      }
    }
    String name = "single-server restart → first delivery";
    String excluded =
        resetRuns == 0
            ? ""
            : "; the restarts of "
                + resetRuns
                + " run(s) not counted: the stream's sequence was reset ("
                + Findings.WORK_QUEUE_SEQUENCE_RESET
                + ", judged as a finding), so delivery waited for the stream to pass its old"
                + " sequence";
    if (heals == 0) {
      return resetRuns == 0
          ? List.of()
          : List.of(new GateResult(name, Verdict.INFO, "no restart left to judge" + excluded));
    }
    if (all.size() < heals) {
      return List.of(
          new GateResult(
              name,
              Verdict.FAIL,
              (heals - all.size())
                  + " of "
                  + heals
                  + " restarts were followed by no delivery"
                  + excluded));
    }
    List<Long> sorted = all.stream().sorted().toList();
    long p50 = sorted.get((sorted.size() - 1) / 2);
    boolean ok =
        p50 <= g.singleNodeRecoveryP50Millis()
            && worstFresh <= g.singleNodeRecoveryMaxMillis()
            && worstRedelivered <= g.singleNodeRedeliveryMaxMillis();
    String detail =
        "p50 "
            + Units.millis(p50)
            + " (limit "
            + Units.millis(g.singleNodeRecoveryP50Millis())
            + "), max "
            + (worstFresh < 0 ? "n/a" : Units.millis(worstFresh))
            + " (limit "
            + Units.millis(g.singleNodeRecoveryMaxMillis())
            + ") over "
            + sorted.size()
            + " restarts";
    if (redelivered > 0) {
      detail +=
          "; "
              + redelivered
              + " of them began with a redelivery (the restored consumer waited out an ack"
              + " wait): max "
              + Units.millis(worstRedelivered)
              + " (limit "
              + Units.millis(g.singleNodeRedeliveryMaxMillis())
              + ")";
    }
    return List.of(new GateResult(name, ok ? Verdict.PASS : Verdict.FAIL, detail + excluded));
  }

  /** The run saw its work-queue stream hand out sequences again after a restart. */
  private static boolean sequenceWasReset(ChaosVerdict c) {
    return c.findings().stream()
        .anyMatch(f -> f.id().equals(Findings.WORK_QUEUE_SEQUENCE_RESET) && f.count() > 0);
  }

  /**
   * A Core chaos run's gates ({@link CoreJudge}); a negative control passes only when its broken
   * gateway was judged FAIL.
   */
  static List<GateResult> coreChaos(CoreChaosVerdict c) {
    String name = "core chaos " + c.suite() + "/" + c.run();
    if (c.negativeControl()) {
      boolean caught = c.verdict() == Verdict.FAIL;
      return List.of(
          new GateResult(
              name + " (negative control)",
              caught ? Verdict.PASS : Verdict.FAIL,
              "the broken gateway was " + (caught ? "caught" : "NOT caught") + ": " + c.reasons()));
    }
    return CoreJudge.gates(c);
  }

  /**
   * One client's cost over another from alternating rounds, a gate per ratio: the interval is what
   * is judged (FAIL only when all of it is on the wrong side of the limit, INFO when the rounds
   * cannot tell), never one round's number.
   */
  static List<GateResult> overhead(OverheadRun o, GateLimits g) {
    if (o.rows().isEmpty()) {
      return List.of(
          new GateResult(
              o.name() + " (alternating rounds)", Verdict.UNKNOWN, "no round was measured"));
    }
    List<GateResult> out = new ArrayList<>();
    for (OverheadRun.Row r : o.rows()) {
      Verdict v = r.verdict(g);
      out.add(
          new GateResult(
              o.name() + " " + r.label() + " (alternating rounds)",
              v,
              r.ratio().describe()
                  + ", 95 % interval of the median (limit "
                  + r.limitText(g)
                  + ")"
                  + switch (v) {
                    case INFO -> ": the rounds cannot tell; run more rounds on a quieter machine";
                    case UNKNOWN ->
                        ": too few rounds for an interval (at least " + Ratio.MIN_ROUNDS + ")";
                    default -> "";
                  }));
    }
    return out;
  }

  static GateResult rollingUpgrade(RollingUpgradeRun u) {
    return new GateResult(
        "rolling upgrade " + u.fromVersion() + " → " + u.toVersion(),
        u.verdict(),
        String.join("; ", u.reasons()));
  }

  /** broker / raw-jnats fan-out p99 and client CPU per delivery, per workload (lower is better). */
  static Map<String, String> fanOutRatios(List<FanOutRun> runs) {
    Map<String, String> out = new LinkedHashMap<>();
    for (FanOutRun b : runs) {
      if (b.client() == FanOutClient.RAW_JNATS) {
        continue;
      }
      for (FanOutRun raw : runs) {
        if (raw.client() == FanOutClient.RAW_JNATS
            && raw.workload().name().equals(b.workload().name())
            && raw.latency().p99Micros() > 0) {
          String w = b.workload().name();
          out.put(
              "fan-out " + w + " p99 " + b.client() + "/raw-jnats",
              ratio(b.latency().p99Micros(), raw.latency().p99Micros()));
          if (raw.clientCpuNanosPerDelivery() > 0) {
            out.put(
                "fan-out " + w + " CPU per delivery " + b.client() + "/raw-jnats",
                ratio(b.clientCpuNanosPerDelivery(), raw.clientCpuNanosPerDelivery()));
          }
        }
      }
    }
    return out;
  }

  /** broker / raw-jnats throughput for each benchmark and mode found in the JMH results. */
  static Map<String, String> jmhRatios(List<JmhResult> jmh) {
    Map<String, Double> score = new LinkedHashMap<>();
    Map<String, Boolean> noisy = new LinkedHashMap<>();
    for (JmhResult b : jmh) {
      String name = b.shortName();
      if (b.mode().equals("ss") && !name.equals("consume")) {
        continue; // a scenario's wall time (fan-out, end to end): its ratios come from its JSON
      }
      String client = b.params().getOrDefault("client", "");
      TreeMap<String, String> others = new TreeMap<>(b.params());
      others.remove("client");
      String mode =
          String.join(
              ",", others.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
      double s = b.score();
      if (b.unit().endsWith("/op")) {
        s = s == 0 ? 0 : 1 / s; // time per op → ops per time unit (a ratio needs no more)
      }
      String key = name + "|" + mode + "|" + client;
      score.put(key, s);
      noisy.put(key, b.noisy());
    }
    Map<String, String> out = new LinkedHashMap<>();
    score.forEach(
        (k, v) -> {
          String[] parts = k.split("\\|", -1);
          if (parts[2].startsWith("broker")) {
            String rawClient = parts[2].replace("broker", "raw-jnats").replace("ackSync", "ack");
            String rawKey = parts[0] + "|" + parts[1] + "|" + rawClient;
            Double raw = score.get(rawKey);
            if (raw != null && raw > 0) {
              boolean noise = noisy.get(k) || noisy.get(rawKey);
              out.put(
                  parts[0]
                      + (parts[1].isEmpty() ? "" : "[" + parts[1] + "]")
                      + " "
                      + parts[2]
                      + "/"
                      + rawClient,
                  ratio(v, raw)
                      + (noise
                          ? " (not a measurement: a score's error is as large as the score)"
                          : " (one fork each: not judged)"));
            }
          }
        });
    return out;
  }

  private static String ratio(double a, double b) {
    return String.format(Locale.ROOT, "%.3f", a / b);
  }
}
