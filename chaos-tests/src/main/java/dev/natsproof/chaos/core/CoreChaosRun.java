package dev.natsproof.chaos.core;

import dev.natsproof.chaos.ChaosRun;
import dev.natsproof.chaos.Schedule;
import dev.natsproof.chaos.nemesis.Nemesis;
import dev.natsproof.results.CoreChaosVerdict;
import dev.natsproof.results.CoreJudge;
import dev.natsproof.results.FaultWindow;
import dev.natsproof.results.FindingCount;
import dev.natsproof.results.Findings;
import dev.natsproof.results.GateLimits;
import dev.natsproof.results.History;
import dev.natsproof.results.Percentiles;
import dev.natsproof.results.Provenance;
import dev.natsproof.results.ResultsDir;
import dev.natsproof.results.ServerVersion;
import dev.natsproof.results.Verdict;
import dev.natsproof.testkit.HiccupMeter;
import dev.natsproof.testkit.NatsServer;
import dev.natsproof.testkit.ServerCpu;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One Core chaos run: the game's Core load ({@link CoreLoad}) × a fault × a schedule, joined by the
 * recorded history: quiet → faults → recovery load → stop → {@link CoreChecker} measures → {@link
 * CoreJudge} judges → {@code verdict.json} and {@code history.jsonl}.
 */
public final class CoreChaosRun {
  /**
   * @param suite a folder of runs
   * @param run this run's name
   * @param config the load
   * @param topology where its clients connect
   * @param nemesis makes the fault (given the load, for faults that act through it), or null
   * @param schedule the phases
   * @param outage whether the fault takes the service away from clients for its whole window (they
   *     cannot route around it): then the freeze limit is the window plus the allowance
   * @param outageReason why, in one line, for the verdict
   * @param negativeControl a deliberately broken gateway: FAIL is the pass
   * @param servers the nats-server processes, for their CPU per frame (empty: not measured)
   */
  public record Spec(
      String suite,
      String run,
      CoreLoad.Config config,
      CoreLoad.Topology topology,
      Function<CoreLoad, Nemesis> nemesis,
      Schedule schedule,
      boolean outage,
      String outageReason,
      boolean negativeControl,
      ResultsDir out,
      List<NatsServer> servers) {}

  /** The verdict as written, the history it judged and where both are. */
  public record Outcome(CoreChaosVerdict verdict, History history, Path dir) {}

  private CoreChaosRun() {}

  public static Outcome run(Spec s) {
    long t0 = System.nanoTime();
    String startedAt = Instant.now().toString();
    History h = new History();
    List<String> reasons = new ArrayList<>();
    String version = "unknown";
    String url = s.topology().roomServer().get(0);
    Percentiles hiccup = Percentiles.EMPTY;
    Nemesis n = null;
    boolean crashed = false;
    ServerCpu.Reading cpuBefore = null;
    ServerCpu.Reading cpuAfter = null;
    try (CoreLoad load = new CoreLoad(s.config(), s.topology(), h);
        HiccupMeter meter = new HiccupMeter();
        HiccupSampler sampler = new HiccupSampler(meter, h)) {
      try {
        load.connect();
        version = load.serverVersion();
        n = s.nemesis() == null ? null : s.nemesis().apply(load);
        cpuBefore = ServerCpu.read(s.servers());
        load.startLoad();
        ChaosRun.pause(s.schedule().quiet());
        if (n != null) {
          Nemesis fault = n;
          n.onStep(step -> h.event(ChaosRun.NEMESIS, ChaosRun.STEP, fault.name(), 0, 0, step));
          for (int c = 0; c < s.schedule().faultCycles(); c++) {
            ChaosRun.pause(s.schedule().loadBetween());
            h.event(ChaosRun.NEMESIS, ChaosRun.FAULT, n.name(), 0, 0, null);
            n.inject();
            ChaosRun.pause(s.schedule().faultDuration());
            n.heal();
            h.event(ChaosRun.NEMESIS, ChaosRun.HEAL, n.name(), 0, 0, null);
          }
        }
        ChaosRun.pause(s.schedule().recoveryLoad());
        cpuAfter = ServerCpu.read(s.servers());
        load.stopLoad();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        crashed = true;
        reasons.add("run interrupted");
      } catch (RuntimeException e) {
        crashed = true;
        reasons.add("run crashed: " + e);
      }
      hiccup = Percentiles.of(meter.total());
    }
    List<FaultWindow> faults = ChaosRun.faults(h, CoreLoad.PUBLISH, CoreLoad.FRAME);
    CoreChecker.Measured m =
        CoreChecker.measure(
            h,
            s.config().hz(),
            s.config().latestOnly(),
            Set.of(CoreLoad.SLOW_HANDLER, CoreLoad.SLOW_LINK),
            faults);
    boolean slowPlayers = m.subscriptions().stream().anyMatch(x -> !x.judged());
    List<FindingCount> findings =
        slowPlayers
            ? Findings.judgeAll(
                Map.of(Findings.SLOW_SUBSCRIBER_STALL, CoreChecker.stallSeconds(m, faults)),
                ServerVersion.parse(version.equals("unknown") ? "0.0.0" : version))
            : List.of();
    long allowance = GateLimits.defaults().coreGapMillis();
    long window = faults.stream().mapToLong(w -> w.healedAtMs() - w.injectedAtMs()).max().orElse(0);
    long limit = allowance + (s.outage() ? window : 0);
    String limitReason =
        (s.outage()
                ? "the fault's window (" + window + " ms: " + s.outageReason() + ") + "
                : "clients should route around this fault: ")
            + allowance
            + " ms allowance (coreGapMillis)";
    CoreChaosVerdict v =
        m.judged(
            s.suite(),
            s.run(),
            n == null ? "none (control)" : n.name(),
            s.negativeControl(),
            reasons,
            limit,
            limitReason,
            perFrame(cpuBefore, cpuAfter, m.frames().received(), s.servers()),
            hiccup,
            faults,
            findings,
            Provenance.started(
                version,
                url,
                true,
                io.nats.client.Nats.CLIENT_VERSION,
                startedAt,
                "core-rooms-"
                    + s.config().rooms()
                    + "x"
                    + s.config().hz()
                    + "hz-"
                    + (s.config().latestOnly() ? "latest" : "plain")),
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    if (crashed) {
      v = v.withVerdict(Verdict.UNKNOWN, v.reasons());
    }
    Path dir = s.out().runDir(s.suite(), s.run());
    h.writeJsonl(dir.resolve(ResultsDir.HISTORY));
    s.out().write(v);
    return new Outcome(v, h, dir);
  }

  private static Double perFrame(
      ServerCpu.Reading before, ServerCpu.Reading after, long frames, List<NatsServer> servers) {
    if (servers.isEmpty() || after == null || frames == 0) {
      return null;
    }
    java.util.OptionalLong cpu = after.since(before);
    return cpu.isPresent() ? (double) cpu.getAsLong() / frames : null;
  }

  /** Once a second, the hiccup control's worst overshoot of that second into the history. */
  private static final class HiccupSampler implements AutoCloseable {
    private final Thread thread;
    private volatile boolean running = true;

    HiccupSampler(HiccupMeter meter, History h) {
      thread =
          new Thread(
              () -> {
                while (running) {
                  try {
                    Thread.sleep(1000); // a sampling period, not a synchronisation
                  } catch (InterruptedException e) {
                    return;
                  }
                  h.event(
                      "hiccup-control",
                      CoreChecker.HICCUP,
                      "",
                      meter.interval().getMaxValue(),
                      0,
                      null);
                }
              },
              "core-hiccup-sampler");
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() {
      running = false;
      thread.interrupt();
    }
  }
}
