package dev.natsproof.reports;

import dev.natsproof.results.CapacityRun;
import dev.natsproof.results.ChaosVerdict;
import dev.natsproof.results.CoreChaosVerdict;
import dev.natsproof.results.FanOutClient;
import dev.natsproof.results.FanOutRun;
import dev.natsproof.results.FaultWindow;
import dev.natsproof.results.FindingCount;
import dev.natsproof.results.Findings;
import dev.natsproof.results.GateLimits;
import dev.natsproof.results.GateReport;
import dev.natsproof.results.GateResult;
import dev.natsproof.results.History;
import dev.natsproof.results.JmhResult;
import dev.natsproof.results.Op;
import dev.natsproof.results.Provenance;
import dev.natsproof.results.ResultsDir;
import dev.natsproof.results.RollingUpgradeRun;
import dev.natsproof.results.RunResults;
import dev.natsproof.results.StreamRun;
import dev.natsproof.results.Units;
import dev.natsproof.results.Verdict;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The report of one results folder, for people: a summary first (the verdict, the numbers that
 * matter, what to do about any FAIL or UNKNOWN, provenance), then a section per area with charts
 * drawn in the page itself. Also written: {@code report.md} (fit for a pull-request comment or a
 * job summary), {@code report.json} and {@code gates-junit.xml} (every gate as a test case).
 */
final class Report {
  private Report() {}

  /** Chaos runs whose history is drawn, at most (a history can be a gigabyte). */
  static final int MAX_CHAOS_TIMELINES = 12;

  /** Writes every report file into {@code out}; returns the gates. */
  static GateReport write(RunResults r, GateReport gates, GateLimits limits, Path out) {
    try {
      Files.createDirectories(out);
      ResultsDir od = ResultsDir.at(out);
      Files.writeString(out.resolve(ResultsDir.REPORT_HTML), html(r, gates, limits));
      Files.writeString(out.resolve(ResultsDir.REPORT_MD), Markdown.report(r, gates));
      Files.writeString(
          out.resolve(ResultsDir.GATES_JUNIT), JUnitGates.xml("natsproof gates", gates.gates()));
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("overall", gates.overall());
      json.put("gates", gates.gates());
      json.put("ratios", gates.ratios());
      json.put("serverVersions", r.serverVersions());
      od.writeDocument(ResultsDir.REPORT_JSON, ResultsDir.Kind.REPORT, json);
      return gates;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report into " + out, e);
    }
  }

  static String html(RunResults r, GateReport g, GateLimits limits) {
    Page p = new Page("natsproof report " + g.overall());
    p.h1("natsproof report");
    p.raw("<p>" + Page.badge(g.overall()) + " " + Page.esc(meaning(g.overall())) + "</p>");
    p.pClass("provenance", provenance(r));
    summary(p, r, g, limits);
    gates(p, g);
    fanOut(p, r, limits);
    streams(p, r);
    capacity(p, r);
    chaos(p, r);
    coreChaos(p, r);
    upgrades(p, r);
    jmh(p, r, g);
    p.h2("quiet", "Getting a quiet measurement");
    p.p(
        "Latency is judged only when the hiccup control (a thread that sleeps 1 ms in a loop and"
            + " records how late it wakes) stayed under its limit: above it the machine itself"
            + " stalled, and the run is UNKNOWN. To get a verdict: close other jobs, run on a"
            + " machine with spare cores, or pin server and client to separate cores (./natsproof"
            + " fanout --pin does it with taskset); the main job measures an UNKNOWN fan-out run"
            + " again on its own (twice in all; ./natsproof fanout --attempts N), and the run's"
            + " row says how many attempts it took.");
    return p.html();
  }

  static String meaning(Verdict v) {
    return switch (v) {
      case PASS -> "every gate passed.";
      case INFO -> "every gate passed; some results are only reported.";
      case FAIL -> "at least one gate failed: see what to do below.";
      case UNKNOWN ->
          "at least one gate could not judge its run (nothing to judge, or the machine stalled):"
              + " see what to do below.";
    };
  }

  static String provenance(RunResults r) {
    Set<String> lines = new LinkedHashSet<>();
    List<Provenance> ps = new ArrayList<>();
    r.fanOuts().forEach(f -> ps.add(f.provenance()));
    r.streams().forEach(s -> ps.add(s.provenance()));
    r.chaos().forEach(c -> ps.add(c.result().provenance()));
    r.coreChaos().forEach(c -> ps.add(c.result().provenance()));
    for (Provenance p : ps) {
      if (p != null) {
        lines.add(
            "nats-server "
                + p.natsServerVersion()
                + (p.embeddedServer() ? " (embedded" : " (external")
                + ", JetStream sync "
                + p.jetStreamSync()
                + "), jnats "
                + p.jnatsVersion()
                + ", JDK "
                + p.jdk()
                + ", "
                + p.cpuCount()
                + " CPUs, commit "
                + p.gitCommit().substring(0, Math.min(10, p.gitCommit().length())));
      }
    }
    return lines.isEmpty() ? "no provenance recorded" : String.join(" · ", lines) + " · " + r.dir();
  }

  /** The verdict, three numbers, and what to do. */
  static void summary(Page p, RunResults r, GateReport g, GateLimits limits) {
    p.raw("<div class=\"summary\">");
    p.h2("summary", "Summary");
    StringBuilder nums = new StringBuilder("<div class=\"numbers\">");
    FanOutRun worst = null;
    for (FanOutRun f : r.fanOuts()) {
      if (f.client() != FanOutClient.RAW_JNATS
          && (worst == null || f.latency().p99Micros() > worst.latency().p99Micros())) {
        worst = f;
      }
    }
    if (worst != null) {
      nums.append(
          number(
              Units.micros(worst.latency().p99Micros()),
              "fan-out p99 (worst broker run: "
                  + worst.workload().name()
                  + ", "
                  + worst.client()
                  + "), limit "
                  + Units.micros(limits.fanoutP99Micros(worst.workload()))
                  + ", hiccup control p99 "
                  + Units.micros(worst.hiccup().p99Micros())));
    }
    long acked = 0;
    long lost = 0;
    long stalled = 0;
    int runs = 0;
    for (RunResults.Located<ChaosVerdict> c : r.chaos()) {
      if (!c.result().negativeControl()) {
        runs++;
        acked += c.result().count("acked");
        lost += c.result().count("lost");
        stalled += c.result().count("stalled");
      }
    }
    if (runs > 0) {
      nums.append(
          number(
              lost + " lost",
              "of "
                  + String.format(Locale.ROOT, "%,d", acked)
                  + " acked JetStream writes in "
                  + runs
                  + " chaos runs; "
                  + stalled
                  + " stalled (still stored, not delivered)"));
    }
    for (GateResult gr : g.gates()) {
      if (gr.gate().startsWith("single-server restart")) {
        nums.append(number(gr.verdict().toString(), "restart → first delivery: " + gr.detail()));
      }
    }
    for (StreamRun s : r.streams()) {
      nums.append(
          number(
              Units.micros(s.endToEnd().p99Micros()),
              "JetStream enqueue→handler p99 at "
                  + s.spec().ratePerSecond()
                  + "/s, "
                  + s.acked()
                  + " acked"));
      break;
    }
    nums.append("</div>");
    p.raw(nums.toString());
    List<String> todo = new ArrayList<>();
    for (GateResult gr : g.gates()) {
      if (gr.blocking()) {
        todo.add(
            gr.verdict()
                + " "
                + gr.gate()
                + ": "
                + gr.detail()
                + (gr.advice().isEmpty() ? "" : " → " + gr.advice()));
      }
    }
    if (!todo.isEmpty()) {
      p.h3("What to do");
      p.list("advice", todo);
    }
    p.raw("</div>");
  }

  private static String number(String value, String what) {
    return "<div class=\"number\"><div class=\"v\">"
        + Page.esc(value)
        + "</div><div class=\"k\">"
        + Page.esc(what)
        + "</div></div>";
  }

  static void gates(Page p, GateReport g) {
    p.h2("gates", "Gates");
    List<List<Object>> rows = new ArrayList<>();
    List<GateResult> sorted = new ArrayList<>(g.gates());
    sorted.sort(
        (a, b) -> Integer.compare(Comparison.rank(b.verdict()), Comparison.rank(a.verdict())));
    for (GateResult gr : sorted) {
      rows.add(
          List.of(
              gr.verdict(),
              gr.gate(),
              gr.detail() + (gr.advice().isEmpty() ? "" : " — " + gr.advice())));
    }
    p.table(List.of("verdict", "gate", "detail"), rows);
    if (!g.ratios().isEmpty()) {
      List<List<Object>> rr = new ArrayList<>();
      g.ratios().forEach((k, v) -> rr.add(List.of(k, v)));
      p.h3("single-run ratios (reported, not gated)");
      p.p(
          "One JMH fork or one fan-out run per client: on a shared machine such a ratio moves by"
              + " tens of percent from run to run. The gates above judge the alternating-round"
              + " ratios (wrapper-overhead, core-overhead) by their 95 % interval instead.");
      p.table(List.of("ratio", "value"), rr);
    }
  }

  static void fanOut(Page p, RunResults r, GateLimits limits) {
    if (r.fanOuts().isEmpty()) {
      return;
    }
    p.h2("fanout", "Room fan-out (Core, 30 Hz, open loop)");
    p.p(
        "Latency is receive time minus the frame's intended send time, for every delivery of the"
            + " recorded phase (warm-up excluded). broker = natsproof's Core broker with plain"
            + " subscriptions; broker-latest = subscribeLatest, where a slow handler takes the"
            + " newest frame and the ones in between are replaced by design; raw-jnats = jnats"
            + " directly.");
    Map<String, List<FanOutRun>> byWorkload = new TreeMap<>();
    r.fanOuts()
        .forEach(
            f -> byWorkload.computeIfAbsent(f.workload().name(), k -> new ArrayList<>()).add(f));
    List<String> cases = new ArrayList<>();
    Map<String, double[]> cpu = new LinkedHashMap<>();
    for (FanOutClient c : FanOutClient.values()) {
      cpu.put(c.id(), new double[byWorkload.size()]);
    }
    Map<String, double[]> p99 = new LinkedHashMap<>();
    for (FanOutClient c : FanOutClient.values()) {
      p99.put(c.id(), new double[byWorkload.size()]);
    }
    int col = 0;
    for (Map.Entry<String, List<FanOutRun>> e : byWorkload.entrySet()) {
      cases.add(e.getKey());
      for (double[] v : cpu.values()) {
        v[col] = Double.NaN;
      }
      for (double[] v : p99.values()) {
        v[col] = Double.NaN;
      }
      FanOutRun first = e.getValue().get(0);
      p.h3(
          e.getKey()
              + " — "
              + first.workload().rooms()
              + " rooms × "
              + first.workload().playersPerRoom()
              + " players at "
              + first.workload().hz()
              + " Hz, "
              + first.workload().layout().yaml()
              + " layout");
      Map<String, Histogram> curves = new LinkedHashMap<>();
      List<Charts.Series> perSecond = new ArrayList<>();
      List<List<Object>> rows = new ArrayList<>();
      for (FanOutRun f : e.getValue()) {
        String name = f.workload().name();
        r.intervalLog(ResultsDir.fanOutLatencyLog(name, f.client()))
            .map(Charts::read)
            .ifPresent(
                log -> {
                  curves.put(f.client().id(), log.total());
                  perSecond.add(log.percentile(f.client() + " p99", 99, false));
                });
        r.intervalLog(ResultsDir.fanOutHiccupLog(name, f.client()))
            .map(Charts::read)
            .ifPresent(
                log -> {
                  curves.put(f.client() + " hiccup control", log.total());
                  perSecond.add(log.percentile(f.client() + " hiccup control p99", 99, true));
                });
        r.intervalLog(ResultsDir.fanOutLatenessLog(name, f.client()))
            .map(Charts::read)
            .ifPresent(
                log ->
                    perSecond.add(
                        log.percentile(f.client() + " publisher lateness p99", 99, true)));
        rows.add(
            List.of(
                f.client().id(),
                Units.micros(f.latency().p50Micros()),
                Units.micros(f.latency().p99Micros()),
                Units.micros(f.latency().p999Micros()),
                Units.micros(f.latency().maxMicros()),
                Units.micros(f.hiccup().p99Micros()),
                Units.micros(f.publisherLateness().p99Micros()),
                f.deliveries() + " / " + f.expectedDeliveries(),
                f.framesReplaced() > 0
                    ? f.framesReplaced()
                        + " (age at handler p99 "
                        + Units.micros(f.frameAgeAtHandler().p99Micros())
                        + ")"
                    : "0",
                Units.nanos(f.clientCpuNanosPerDelivery()),
                f.serverCpuNanosPerDelivery() < 0
                    ? "n/a"
                    : Units.nanos(f.serverCpuNanosPerDelivery()),
                f.remeasured().isEmpty()
                    ? "1"
                    : (f.remeasured().size() + 1)
                        + " ("
                        + String.join("; ", f.remeasured())
                        + ")"));
        cpu.get(f.client().id())[col] = f.clientCpuNanosPerDelivery();
        p99.get(f.client().id())[col] = f.latency().p99Micros() / 1000.0;
      }
      p.table(
          List.of(
              "client",
              "p50",
              "p99",
              "p99.9",
              "max",
              "hiccup p99",
              "publisher lateness p99",
              "delivered / expected",
              "frames replaced",
              "client CPU / delivery",
              "server CPU / delivery",
              "attempts"),
          rows);
      p.chart(
          Charts.percentiles(
              e.getKey() + ": latency by percentile",
              curves,
              limits.fanoutP99Micros(first.workload()),
              "gate (p99 limit)"));
      p.chart(
          Charts.timeline(
              e.getKey() + ": p99 per second, with the hiccup control and the publisher's lateness",
              "latency",
              "ms",
              perSecond,
              List.of()));
      col++;
    }
    cpu.values().removeIf(v -> java.util.Arrays.stream(v).allMatch(Double::isNaN));
    p99.values().removeIf(v -> java.util.Arrays.stream(v).allMatch(Double::isNaN));
    p.chart(
        Charts.bars(
            "client CPU per delivery, side by side per workload",
            "CPU per delivery",
            "ns",
            cases,
            cpu));
    p.chart(Charts.bars("fan-out p99, side by side per workload", "p99", "ms", cases, p99));
  }

  static void streams(Page p, RunResults r) {
    if (r.streams().isEmpty()) {
      return;
    }
    p.h2("jetstream", "JetStream end to end (open loop)");
    List<List<Object>> rows = new ArrayList<>();
    Map<String, Histogram> curves = new LinkedHashMap<>();
    for (StreamRun s : r.streams()) {
      rows.add(
          List.of(
              s.name(),
              s.acked(),
              s.delivered(),
              s.missingAcked(),
              s.duplicateDeliveries(),
              Units.micros(s.endToEnd().p50Micros()),
              Units.micros(s.endToEnd().p99Micros()),
              Units.micros(s.endToEnd().maxMicros()),
              Units.micros(s.enqueue().p99Micros()),
              Units.micros(s.hiccup().p99Micros()),
              s.serverCpuNanosPerMessage() < 0
                  ? "n/a"
                  : Units.nanos(s.serverCpuNanosPerMessage())));
      r.intervalLog(ResultsDir.streamLog(s.spec(), ResultsDir.StreamLog.LATENCY))
          .map(Charts::read)
          .ifPresent(l -> curves.put(s.name() + " enqueue→handler", l.total()));
      r.intervalLog(ResultsDir.streamLog(s.spec(), ResultsDir.StreamLog.ENQUEUE))
          .map(Charts::read)
          .ifPresent(l -> curves.put(s.name() + " enqueue→PubAck", l.total()));
    }
    p.table(
        List.of(
            "run",
            "acked",
            "reached the handler",
            "missing",
            "duplicates",
            "enqueue→handler p50",
            "p99",
            "max",
            "enqueue→PubAck p99",
            "hiccup p99",
            "server CPU / message"),
        rows);
    p.chart(Charts.percentiles("JetStream latency by percentile", curves, 0, ""));
  }

  static void capacity(Page p, RunResults r) {
    if (r.capacity().isEmpty()) {
      return;
    }
    p.h2("capacity", "Capacity");
    for (CapacityRun c : r.capacity()) {
      p.p(
          c.largestPassingRooms()
              + " rooms × "
              + c.playersPerRoom()
              + " players at "
              + c.hz()
              + " Hz keep p99 ≤ "
              + Units.micros(c.gateP99Micros())
              + " ("
              + c.client()
              + ", "
              + c.layout()
              + " layout, searched "
              + c.lo()
              + ".."
              + c.hi()
              + ", "
              + c.durationSeconds()
              + " s per attempt)"
              + (c.largestPassingRooms() >= c.hi()
                  ? "; the upper bound passed: search higher."
                  : "."));
      List<List<Object>> rows = new ArrayList<>();
      for (CapacityRun.Attempt a : c.attempts()) {
        rows.add(
            List.of(
                a.rooms(),
                a.verdict(),
                Units.micros(a.p99Micros()),
                Units.micros(a.hiccupP99Micros()),
                a.deliveries() + " / " + a.expectedDeliveries(),
                Units.nanos(a.clientCpuNanosPerDelivery()),
                a.tries(),
                a.reason()));
      }
      p.table(
          List.of(
              "rooms",
              "verdict",
              "p99",
              "hiccup p99",
              "delivered",
              "client CPU / delivery",
              "tries",
              "why"),
          rows);
    }
  }

  static void chaos(Page p, RunResults r) {
    if (r.chaos().isEmpty()) {
      return;
    }
    p.h2("chaos", "JetStream chaos runs");
    p.p(
        "Each run: a workload, a fault and a schedule, judged from the recorded history. lost ="
            + " acked and gone from the stream; stalled = acked, still stored, not delivered by the"
            + " end; findings are known server behaviours judged for the run's server version"
            + " (INFO where expected, FAIL where the version should not have them).");
    List<List<Object>> rows = new ArrayList<>();
    Map<String, long[]> findingTotals = new TreeMap<>();
    for (RunResults.Located<ChaosVerdict> lc : r.chaos()) {
      ChaosVerdict c = lc.result();
      rows.add(
          List.of(
              c.verdict(),
              c.suite() + "/" + c.run() + (c.negativeControl() ? " (negative control)" : ""),
              c.workload() + " × " + c.nemesis(),
              c.provenance().natsServerVersion(),
              String.format(Locale.ROOT, "%,d", c.count("acked")),
              c.count("lost"),
              c.count("stalled"),
              c.count("duplicateDeliveries"),
              c.writesThroughout()
                  ? recovery(c.recoveryToFirstAckMs(), c.healsWithoutAck(0))
                  : "n/a (writes first)",
              c.consumesThroughout()
                  ? recovery(c.recoveryToFirstDeliveryMs(), 0)
                  : "n/a (reads at the end)",
              c.interventions().repulls()
                  + "/"
                  + c.interventions().resets()
                  + "/"
                  + c.interventions().recreations()
                  + "/"
                  + c.interventions().wedges(),
              String.join(
                  ", ",
                  c.findings().stream()
                      .map(f -> f.id() + " " + f.count() + "× " + f.verdict())
                      .toList())));
      for (FindingCount f : c.findings()) {
        findingTotals.computeIfAbsent(f.id(), k -> new long[2])[0] += f.count();
        if (f.verdict() == Verdict.FAIL) {
          findingTotals.get(f.id())[1]++;
        }
      }
    }
    p.table(
        List.of(
            "verdict",
            "run",
            "workload × fault",
            "server",
            "acked",
            "lost",
            "stalled",
            "duplicates",
            "heal → first ack",
            "heal → first delivery",
            "repulls/resets/recreated/wedges",
            "findings"),
        rows);
    if (!findingTotals.isEmpty()) {
      p.h3("Findings seen");
      List<List<Object>> fr = new ArrayList<>();
      findingTotals.forEach(
          (id, n) -> {
            Findings.Finding f = Findings.byId(id).orElse(null);
            fr.add(
                List.of(
                    id,
                    n[0],
                    n[1] > 0 ? Verdict.FAIL : Verdict.INFO,
                    f == null
                        ? ""
                        : f.title()
                            + ". "
                            + f.description()
                            + " Expected on "
                            + f.expectedOn()
                            + (f.fixedIn() == null ? "" : "; fixed in " + f.fixedIn())
                            + "; "
                            + f.upstream()));
          });
      p.table(List.of("finding", "count", "verdict", "what it is"), fr);
    }
    int drawn = 0;
    for (RunResults.Located<ChaosVerdict> lc : r.chaos()) {
      if (drawn >= MAX_CHAOS_TIMELINES
          || lc.result().faults().isEmpty()
          || !Files.exists(lc.history())) {
        continue;
      }
      drawn++;
      p.chart(chaosTimeline(lc.result(), History.readJsonl(lc.history())));
    }
  }

  static String recovery(List<Long> ms, long without) {
    if (ms.isEmpty()) {
      return without > 0 ? "none after " + without + " heals" : "";
    }
    List<Long> s = ms.stream().sorted().toList();
    return "p50 "
        + Units.millis(s.get((s.size() - 1) / 2))
        + ", max "
        + Units.millis(s.get(s.size() - 1))
        + (without > 0 ? "; " + without + " heals with none" : "");
  }

  /** Acked writes per second and enqueue p99 per second, fault windows shaded. */
  static Map<String, Object> chaosTimeline(ChaosVerdict c, History h) {
    Map<Integer, Long> acks = new TreeMap<>();
    Map<Integer, Histogram> lat = new TreeMap<>();
    for (Op op : h.ops()) {
      if (op.is(Op.ENQUEUE) && op.ok()) {
        int s = (int) (op.endNanos() / 1_000_000_000L);
        acks.merge(s, 1L, Long::sum);
        lat.computeIfAbsent(s, k -> new Histogram(3))
            .recordValue(Math.max(0, (op.endNanos() - op.startNanos()) / 1000));
      }
    }
    double[] x = acks.keySet().stream().mapToDouble(Integer::doubleValue).toArray();
    double[] a = acks.values().stream().mapToDouble(Long::doubleValue).toArray();
    double[] l =
        lat.values().stream().mapToDouble(hh -> hh.getValueAtPercentile(99) / 1000.0).toArray();
    return Charts.dual(
        "chaos " + c.suite() + "/" + c.run() + ": acked writes per second (faults shaded)",
        "acked per second",
        List.of(new Charts.Series("acked/s", x, a, false)),
        "enqueue p99",
        List.of(new Charts.Series("enqueue p99 (ms)", x, l, true)),
        faultWindows(c.faults()));
  }

  static List<Charts.Window> faultWindows(List<FaultWindow> faults) {
    List<Charts.Window> w = new ArrayList<>();
    for (FaultWindow f : faults) {
      w.add(
          new Charts.Window(
              f.injectedAtMs() / 1000.0,
              Math.max(f.healedAtMs(), f.injectedAtMs() + 100) / 1000.0,
              f.name()));
    }
    return w;
  }

  static void coreChaos(Page p, RunResults r) {
    if (r.coreChaos().isEmpty()) {
      return;
    }
    p.h2("core-chaos", "Core chaos runs (what a player sees)");
    p.raw(
        "<p>12 rooms at 30 Hz through the Core broker (latest-only, the gateway layout) and 20"
            + " player commands/s with up to 3 attempts of 500 ms, while the fault runs. The freeze"
            + " is the longest time a room went without a frame; the limit is the fault's own"
            + " window where clients cannot route around it, plus the allowance. Latency is from"
            + " the frame's intended send time; the hiccup control is beside it.</p>");
    List<List<Object>> rows = new ArrayList<>();
    List<String> cats = new ArrayList<>();
    List<Double> median = new ArrayList<>();
    List<Double> worst = new ArrayList<>();
    for (RunResults.Located<CoreChaosVerdict> lc : r.coreChaos()) {
      CoreChaosVerdict c = lc.result();
      CoreChaosVerdict.FrameTotals f = c.frames();
      CoreChaosVerdict.CommandTotals cmd = c.commands();
      rows.add(
          List.of(
              c.verdict(),
              c.suite() + "/" + c.run() + (c.negativeControl() ? " (negative control)" : ""),
              c.nemesis(),
              c.provenance().natsServerVersion(),
              f.received() + " / " + f.expected(),
              f.missed(),
              f.replaced(),
              Units.millis(f.longestGapMs()) + " (limit " + Units.millis(c.gapLimitMs()) + ")",
              f.worstRecoveryMs() == null
                  ? (c.faults().isEmpty() ? "" : "never")
                  : Units.millis(f.worstRecoveryMs()),
              f.outOfOrder() + " / " + f.duplicates(),
              f.reconnects(),
              c.consistentAgain() == null || c.consistentAgain().count() == 0
                  ? ""
                  : "p50 "
                      + Units.micros(c.consistentAgain().p50Micros())
                      + ", max "
                      + Units.micros(c.consistentAgain().maxMicros()),
              Units.micros(c.latencyDuringFault().p99Micros())
                  + " / "
                  + Units.micros(c.latencyOutsideFault().p99Micros()),
              Units.micros(c.hiccup().p99Micros()),
              c.serverCpuNanosPerFrame() == null ? "n/a" : Units.nanos(c.serverCpuNanosPerFrame()),
              cmd.answered()
                  + "/"
                  + cmd.sent()
                  + " answered, "
                  + cmd.failed()
                  + " failed, "
                  + cmd.hung()
                  + " hung, p99 "
                  + Units.micros(cmd.latencyWithRetries().p99Micros()),
              String.join(
                  "; ",
                  c.findings().stream()
                      .map(x -> x.id() + " ×" + x.count() + " " + x.verdict())
                      .toList()),
              String.join("; ", c.reasons())));
      if (!c.negativeControl()) {
        cats.add(c.run());
        median.add(c.roomLongestGap().p50Micros() / 1000.0);
        worst.add(c.roomLongestGap().maxMicros() / 1000.0);
      }
    }
    p.table(
        List.of(
            "verdict",
            "run",
            "fault",
            "server",
            "frames received",
            "missed",
            "replaced",
            "longest gap",
            "fault → frames again",
            "out of order / dup",
            "reconnects",
            "room rebuilt from its snapshot after a disconnect",
            "p99 during / outside faults",
            "hiccup p99",
            "server CPU per frame",
            "commands",
            "findings",
            "why"),
        rows);
    p.chart(
        Charts.bars(
            "each room's longest gap, per fault: the median room and the worst",
            "longest gap",
            "ms",
            cats,
            Map.of(
                "median room (ms)",
                median.stream().mapToDouble(Double::doubleValue).toArray(),
                "worst room (ms)",
                worst.stream().mapToDouble(Double::doubleValue).toArray())));
    int drawn = 0;
    for (RunResults.Located<CoreChaosVerdict> lc : r.coreChaos()) {
      CoreChaosVerdict c = lc.result();
      if (drawn >= MAX_CHAOS_TIMELINES || c.faults().isEmpty() || c.timeline().isEmpty()) {
        continue;
      }
      drawn++;
      p.chart(coreTimeline(c));
    }
  }

  /** Frames per second and their p99 per second of one Core run, faults shaded. */
  static Map<String, Object> coreTimeline(CoreChaosVerdict c) {
    int n = c.timeline().size();
    double[] x = new double[n];
    double[] frames = new double[n];
    double[] p99 = new double[n];
    double[] hiccup = new double[n];
    for (int i = 0; i < n; i++) {
      CoreChaosVerdict.Second s = c.timeline().get(i);
      x[i] = s.second();
      frames[i] = s.frames();
      p99[i] = s.p99Micros() / 1000.0;
      hiccup[i] = s.hiccupMaxMicros() / 1000.0;
    }
    return Charts.dual(
        "core "
            + c.suite()
            + "/"
            + c.run()
            + " on "
            + c.provenance().natsServerVersion()
            + ": frames per second and their p99 (faults shaded)",
        "frames per second",
        List.of(new Charts.Series("frames/s", x, frames, false)),
        "latency",
        List.of(
            new Charts.Series("frame p99 (ms)", x, p99, true),
            new Charts.Series("hiccup control max (ms)", x, hiccup, true)),
        faultWindows(c.faults()));
  }

  static void upgrades(Page p, RunResults r) {
    for (RollingUpgradeRun u : r.rollingUpgrades()) {
      p.h2("rolling-upgrade", "Rolling upgrade " + u.fromVersion() + " → " + u.toVersion());
      p.raw(
          "<p>"
              + Page.badge(u.verdict())
              + " "
              + Page.esc(String.join("; ", u.reasons()))
              + "</p>");
      List<List<Object>> rows = new ArrayList<>();
      for (RollingUpgradeRun.Step s : u.steps()) {
        rows.add(
            List.of(
                s.node(),
                s.versionBefore() + " → " + s.versionAfter(),
                Units.millis(s.upAtMs() - s.startedAtMs()),
                Units.millis(s.caughtUpAtMs() - s.startedAtMs()),
                Units.millis(s.jetStreamStallMs()),
                Units.millis(s.deliveryStallMs()),
                s.coreFramesMissed(),
                Units.millis(s.longestRoomGapMs()),
                s.reconnects()));
      }
      p.table(
          List.of(
              "node",
              "version",
              "back after",
              "caught up after",
              "longest time without an ack",
              "without a delivery",
              "Core frames missed",
              "longest room gap",
              "reconnects"),
          rows);
      p.p(
          "JetStream: "
              + u.jetStream().acked()
              + " acked, "
              + u.jetStream().delivered()
              + " delivered, "
              + u.jetStream().lost()
              + " lost, "
              + u.jetStream().stalled()
              + " stalled, "
              + u.jetStream().duplicates()
              + " duplicates. Core: "
              + u.core().received()
              + " of "
              + u.core().expected()
              + " frames, longest gap "
              + Units.millis(u.core().longestGapMs())
              + ".");
      p.p(
          "Commands: "
              + u.commands().answered()
              + " of "
              + u.commands().sent()
              + " answered, "
              + u.commands().failed()
              + " failed after retries, "
              + u.commands().hung()
              + " hung. Broker interventions: "
              + u.interventions()
              + ". Findings: "
              + (u.findings().isEmpty()
                  ? "none"
                  : String.join(
                      "; ",
                      u.findings().stream()
                          .map(f -> f.id() + " ×" + f.count() + " " + f.verdict())
                          .toList()))
              + ".");
      p.p(
          u.refusedDowngrade() != null
              ? "Downgrade: " + u.refusedDowngrade()
              : "Downgrade not tried: natsproof knows no store incompatibility from "
                  + u.toVersion()
                  + " back to "
                  + u.fromVersion()
                  + ".");
      p.chart(upgradeTimeline(u));
    }
  }

  /** Acked enqueues, deliveries and Core frames per second, frame p99, upgrade steps shaded. */
  static Map<String, Object> upgradeTimeline(RollingUpgradeRun u) {
    int n = u.timeline().size();
    double[] x = new double[n];
    double[] acked = new double[n];
    double[] delivered = new double[n];
    double[] frames = new double[n];
    double[] p99 = new double[n];
    for (int i = 0; i < n; i++) {
      RollingUpgradeRun.Second s = u.timeline().get(i);
      x[i] = s.second();
      acked[i] = s.acked();
      delivered[i] = s.delivered();
      frames[i] = s.frames();
      p99[i] = s.frameP99Micros() / 1000.0;
    }
    List<Charts.Window> steps = new ArrayList<>();
    for (RollingUpgradeRun.Step s : u.steps()) {
      steps.add(
          new Charts.Window(
              s.startedAtMs() / 1000.0,
              s.caughtUpAtMs() / 1000.0,
              s.node() + " → " + s.versionAfter()));
    }
    return Charts.dual(
        "rolling upgrade "
            + u.fromVersion()
            + " → "
            + u.toVersion()
            + ": load per second, each node's step shaded (lame duck → caught up)",
        "per second",
        List.of(
            new Charts.Series("acked enqueues/s", x, acked, false),
            new Charts.Series("deliveries/s", x, delivered, false),
            new Charts.Series("Core frames/s", x, frames, false)),
        "frame p99",
        List.of(new Charts.Series("frame p99 (ms)", x, p99, true)),
        steps);
  }

  static void jmh(Page p, RunResults r, GateReport g) {
    if (r.jmh().isEmpty()) {
      return;
    }
    p.h2("jmh", "JMH suites");
    p.p(
        "A score whose error is as large as the score itself is marked: one short fork says nothing;"
            + " the broker/raw comparisons that mean something come from alternating rounds (WrapperOverhead).");
    List<List<Object>> rows = new ArrayList<>();
    for (JmhResult j : r.jmh()) {
      rows.add(
          List.of(
              j.shortName(),
              new TreeMap<>(j.params()).toString(),
              j.mode(),
              jmhScore(j.score(), j.unit()),
              Double.isNaN(j.error()) ? "n/a" : "± " + jmhScore(j.error(), j.unit()),
              j.noisy()
                  ? "noise: not a measurement"
                  : j.forks() + " fork(s), " + j.samples() + " samples"));
    }
    p.table(List.of("benchmark", "params", "mode", "score", "error", "note"), rows);
  }

  /** JMH's time-per-op units in a human unit; throughput as it is. */
  static String jmhScore(double v, String unit) {
    double seconds =
        switch (unit) {
          case "s/op" -> v;
          case "ms/op" -> v / 1e3;
          case "us/op" -> v / 1e6;
          case "ns/op" -> v / 1e9;
          default -> Double.NaN;
        };
    if (!Double.isNaN(seconds)) {
      return Units.micros(Math.round(seconds * 1e6)) + " per op";
    }
    return String.format(Locale.ROOT, "%,.0f %s", v, unit);
  }
}
