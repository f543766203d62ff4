package dev.natsproof.chaos;

import dev.natsproof.broker.BrokerObserver;
import dev.natsproof.broker.StreamBroker;
import dev.natsproof.chaos.checker.LossAnalysis;
import dev.natsproof.chaos.nemesis.Nemesis;
import dev.natsproof.results.ChaosVerdict;
import dev.natsproof.results.CheckResult;
import dev.natsproof.results.FaultWindow;
import dev.natsproof.results.FindingCount;
import dev.natsproof.results.Findings;
import dev.natsproof.results.History;
import dev.natsproof.results.Interventions;
import dev.natsproof.results.Op;
import dev.natsproof.results.Provenance;
import dev.natsproof.results.ResultsDir;
import dev.natsproof.results.ServerVersion;
import dev.natsproof.results.Verdict;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One chaos run: a workload × a nemesis × a schedule, joined only by the recorded history: quiet →
 * load with faults → heal → drain until the workload has everything (or a bound) → check → judge
 * findings for the server's version → {@code verdict.json} and {@code history.jsonl}.
 */
public final class ChaosRun {
  public static final String NEMESIS = "nemesis";
  public static final String FAULT = "fault";
  public static final String HEAL = "heal";
  public static final String STEP = "step";

  /** What a broker did on its own (value: repull, reset, recreated, wedged), on the run's clock. */
  public static final String BROKER = "broker";

  public static final String INTERVENE = "intervene";

  /** When the load stopped: how long after each heal recovery could be watched. */
  public static final String LOAD_END = "load-end";

  /**
   * @param suite a folder of runs
   * @param run this run's name
   * @param nemesis the fault, or null for the no-fault control
   * @param brokers makes a connected broker reporting to the given observer (every client gets its
   *     own; the run records what each broker does on its own into the history)
   * @param negativeControl the workload runs a deliberately broken broker: FAIL is the pass
   */
  public record Spec(
      String suite,
      String run,
      ChaosWorkload workload,
      Nemesis nemesis,
      Schedule schedule,
      Function<BrokerObserver, StreamBroker> brokers,
      boolean negativeControl,
      ResultsDir out) {}

  /** The verdict as written, the history it judged and where both are. */
  public record Outcome(ChaosVerdict verdict, History history, Path dir) {}

  private ChaosRun() {}

  /** Where chaos results go: {@code -Dnatsproof.chaos.out}, else {@code target/chaos}. */
  public static ResultsDir defaultOut() {
    return ResultsDir.at(Path.of(System.getProperty("natsproof.chaos.out", "target/chaos")));
  }

  public static Outcome run(Spec s) {
    return run(s, new History());
  }

  /**
   * The run, recording into {@code h}: a history other load shares (a rolling upgrade's Core
   * traffic), so that one clock and one file hold everything that happened.
   */
  public static Outcome run(Spec s, History h) {
    long t0 = System.nanoTime();
    String startedAt = java.time.Instant.now().toString();
    RunContext ctx = new RunContext(h, s.brokers());
    ChaosWorkload w = s.workload();
    Nemesis n = s.nemesis();
    String version = "unknown";
    String url = "";
    List<CheckResult> checks = List.of();
    List<FindingCount> findings = List.of();
    Verdict verdict;
    List<String> reasons = new ArrayList<>();
    Map<String, Object> postMortem = new LinkedHashMap<>();
    Interventions interventions = Interventions.NONE;
    List<Thread> clients = new ArrayList<>();
    try {
      StreamBroker admin = ctx.admin();
      version = admin.serverVersion();
      url = String.valueOf(admin.connectedUrl());
      w.setUp(ctx);
      int i = 0;
      for (Runnable c : w.clients(ctx)) {
        Thread t = new Thread(c, "chaos-client-" + w.name() + "-" + i++);
        t.setDaemon(true);
        clients.add(t);
        t.start();
      }
      pause(s.schedule().quiet());
      if (n != null && s.schedule().faultCycles() > 0) {
        n.onStep(step -> h.event(NEMESIS, STEP, n.name(), 0, 0, step));
        Drain.until(w::readyForFault, s.schedule().readyTimeout());
        for (int c = 0; c < s.schedule().faultCycles(); c++) {
          pause(s.schedule().loadBetween());
          h.event(NEMESIS, FAULT, n.name(), 0, 0, null);
          n.inject();
          pause(s.schedule().faultDuration());
          n.heal();
          h.event(NEMESIS, HEAL, n.name(), 0, 0, null);
        }
      }
      pause(s.schedule().recoveryLoad());
      h.event(NEMESIS, LOAD_END, "", 0, 0, null);
      ctx.stop();
      for (Thread t : clients) {
        t.join(TimeUnit.SECONDS.toMillis(60));
      }
      Drain.until(w::drained, s.schedule().drainTimeout());
      w.inspect(ctx);
      interventions = w.interventions();
      checks = w.check(h);
      Map<String, Long> seen = w.findings(h, checks);
      findings = Findings.judgeAll(seen, ServerVersion.parse(version));
      verdict = w.judge(checks, findings);
      postMortem.putAll(w.postMortem(h));
      if (n != null) {
        postMortem.putAll(n.postMortem());
      }
      if (checks.stream().anyMatch(c -> c.count("lost") > 0)) {
        postMortem.put("lossAnalysis", LossAnalysis.of(h));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      verdict = Verdict.UNKNOWN;
      reasons.add("run interrupted");
    } catch (Exception e) {
      verdict = Verdict.UNKNOWN;
      reasons.add("run crashed: " + e);
    } finally {
      ctx.stop();
      ctx.closeAll();
    }
    for (CheckResult c : checks) {
      for (String r : c.reasons()) {
        reasons.add(c.checker() + ": " + r);
      }
    }
    for (FindingCount f : findings) {
      reasons.add("finding " + f.id() + " (" + f.verdict() + "): " + f.judgement());
    }
    Map<String, Long> counts = new LinkedHashMap<>();
    if (!checks.isEmpty()) {
      counts.putAll(checks.get(0).counts());
    }
    ChaosVerdict v =
        new ChaosVerdict(
            s.suite(),
            s.run(),
            w.name(),
            n == null ? "none (control)" : n.name(),
            s.negativeControl(),
            w.writesThroughout(),
            w.consumesThroughout(),
            verdict,
            reasons,
            checks,
            counts,
            faults(h),
            findings,
            interventions,
            n == null ? "" : n.limits(),
            postMortem,
            Provenance.started(
                version, url, true, io.nats.client.Nats.CLIENT_VERSION, startedAt, w.name()),
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    Path dir = s.out().runDir(s.suite(), s.run());
    h.writeJsonl(dir.resolve(ResultsDir.HISTORY));
    s.out().write(v);
    return new Outcome(v, h, dir);
  }

  /** The faults on the run's clock, with what recovered after each heal. */
  static List<FaultWindow> faults(History h) {
    return faults(h, Outcomes.ENQUEUE, Outcomes.DELIVER);
  }

  /**
   * The faults on the run's clock; after each heal, the first successful {@code write} and {@code
   * read} op (an acked enqueue and a delivery; a publish and a received frame on Core).
   */
  public static List<FaultWindow> faults(History h, String write, String read) {
    List<Op> ops = h.ops();
    List<FaultWindow> out = new ArrayList<>();
    long loadEnd = Long.MIN_VALUE;
    for (Op op : ops) {
      if (op.is(LOAD_END)) {
        loadEnd = op.endNanos();
        break;
      }
    }
    int cycle = 0;
    Op fault = null;
    List<String> steps = new ArrayList<>();
    for (Op op : ops) {
      if (!NEMESIS.equals(op.process())) {
        continue;
      }
      if (op.is(FAULT)) {
        fault = op;
        steps = new ArrayList<>();
      } else if (op.is(STEP) && fault != null) {
        steps.add(ms(op.endNanos() - fault.endNanos()) + " ms: " + op.detail());
      } else if (op.is(HEAL) && fault != null) {
        cycle++;
        out.add(
            new FaultWindow(
                op.value(),
                cycle,
                ms(fault.endNanos()),
                ms(op.endNanos()),
                firstAfter(ops, write, op.endNanos()),
                firstAfter(ops, read, op.endNanos()),
                firstDeliveryCount(ops, read, op.endNanos()),
                loadEnd == Long.MIN_VALUE ? null : Math.max(0, ms(loadEnd - op.endNanos())),
                List.copyOf(steps)));
        fault = null;
      }
    }
    return out;
  }

  /** ms from {@code healNanos} to the first successful op of this type that ended after it. */
  private static Long firstAfter(List<Op> ops, String type, long healNanos) {
    long best = Long.MAX_VALUE;
    for (Op op : ops) {
      if (op.is(type) && op.ok() && op.endNanos() > healNanos) {
        best = Math.min(best, op.endNanos() - healNanos);
      }
    }
    return best == Long.MAX_VALUE ? null : ms(best);
  }

  /**
   * The delivery count of the first successful {@code type} op after {@code healNanos}, or null
   * when none followed or the op carries no count (Core frames).
   */
  private static Long firstDeliveryCount(List<Op> ops, String type, long healNanos) {
    Op first = null;
    for (Op op : ops) {
      if (op.is(type)
          && op.ok()
          && op.endNanos() > healNanos
          && (first == null || op.endNanos() < first.endNanos())) {
        first = op;
      }
    }
    return first == null || first.deliveries() <= 0 ? null : first.deliveries();
  }

  static long ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  /** The schedule's own phases: time is the behaviour here, not a synchronisation. */
  public static void pause(Duration d) throws InterruptedException {
    if (!d.isZero()) {
      Thread.sleep(d.toMillis());
    }
  }
}
