package dev.natsproof.benchmarks;

import dev.natsproof.results.CapacityRun;
import dev.natsproof.results.Cli;
import dev.natsproof.results.FanOutClient;
import dev.natsproof.results.FanOutRun;
import dev.natsproof.results.GateEngine;
import dev.natsproof.results.GateLimits;
import dev.natsproof.results.GateResult;
import dev.natsproof.results.ResultsDir;
import dev.natsproof.results.Verdict;
import dev.natsproof.results.Workload;
import dev.natsproof.testkit.NatsServer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The largest room count (10 players, 30 Hz, 200 B) whose fan-out passes the same gate as every
 * other fan-out run, found by bisection with short open-loop runs against one embedded server (or
 * {@code --server URL}). A run whose hiccup control says the platform stalled is measured again (up
 * to {@code --tries}), then counted as a fail. Every attempt and the answer go to {@code
 * capacity-<client>[-<layout>].json} in {@code --out}.
 */
@Command(
    name = "capacity",
    mixinStandardHelpOptions = true,
    description = "Bisection for the largest room count within the fan-out gate.")
public final class CapacitySearch implements Callable<Integer> {
  @Option(names = "--lo", description = "smallest room count tried (default ${DEFAULT-VALUE})")
  int lo = 50;

  @Option(names = "--hi", description = "largest room count tried (default ${DEFAULT-VALUE})")
  int hi = 2000;

  @Option(names = "--duration", description = "recorded seconds per attempt (${DEFAULT-VALUE})")
  int duration = 10;

  @Option(names = "--tries", description = "measurements per attempt at most (${DEFAULT-VALUE})")
  int tries = 2;

  @Option(names = "--client", description = "broker, broker-latest or raw-jnats (${DEFAULT-VALUE})")
  String client = "broker";

  @Option(
      names = "--layout",
      description = "gateway or player-subscriptions (default ${DEFAULT-VALUE})")
  String layout = "gateway";

  @Option(names = "--server", description = "an external server or cluster instead of our own")
  String server;

  @Option(names = "--out", description = "results folder (default ${DEFAULT-VALUE})")
  Path out = Path.of("target/capacity");

  public static void main(String[] args) {
    System.exit(Cli.run(new CapacitySearch(), args));
  }

  @Override
  public Integer call() {
    if (lo < 1 || hi < lo) {
      throw new IllegalArgumentException("need 1 <= --lo <= --hi, got " + lo + ".." + hi);
    }
    FanOutClient c = FanOutClient.of(client);
    Workload base = base(layout, duration);
    NatsServer embedded = server == null ? NatsServer.startDefault() : null;
    try {
      List<String> urls = server != null ? ServerUrls.parse(server) : List.of(embedded.clientUrl());
      LongSupplier cpu =
          embedded == null ? null : OpenLoop.processCpuNanos(List.of(embedded.pid()));
      CapacityRun r =
          search(
              base,
              c,
              lo,
              hi,
              tries,
              urls,
              embedded != null,
              cpu,
              out,
              GateLimits.defaults(),
              System.out);
      System.out.println("capacity: written to " + ResultsDir.at(out).write(r));
      return 0;
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
  }

  /** The workload an attempt of {@code rooms} runs: 10 players at 30 Hz, 200-byte frames. */
  static Workload base(String layout, int duration) {
    Workload w = Workload.bundled("rooms-100x10-30hz-200b").withDuration(3, duration);
    return layout.equals("gateway")
        ? w
        : w.withLayout(Workload.Layout.PLAYER_SUBSCRIPTIONS, w.subscriberConnections());
  }

  /** A whole search: the attempts' own runs go under {@code out/capacity-attempts/}. */
  static CapacityRun search(
      Workload base,
      FanOutClient client,
      int lo,
      int hi,
      int tries,
      List<String> urls,
      boolean embedded,
      LongSupplier serverCpu,
      Path out,
      GateLimits limits,
      PrintStream progress) {
    List<CapacityRun.Attempt> attempts = new ArrayList<>();
    List<FanOutRun> firsts = new ArrayList<>();
    int best =
        bisect(
            lo,
            hi,
            rooms -> {
              CapacityRun.Attempt a =
                  attempt(
                      base.withRooms(rooms),
                      client,
                      tries,
                      urls,
                      embedded,
                      serverCpu,
                      out,
                      limits,
                      firsts);
              attempts.add(a);
              progress.printf(
                  "capacity: %d rooms x %d players -> %s%n",
                  rooms, base.playersPerRoom(), a.verdict());
              return a.verdict();
            });
    progress.printf(
        "capacity: largest passing room count = %d (%s, %s layout)%n",
        best, client, base.layout().yaml());
    if (best == hi) {
      progress.println("capacity: the upper bound passed, so the capacity is higher: raise --hi");
    }
    return new CapacityRun(
        client,
        base.layout().yaml(),
        lo,
        hi,
        best,
        base.playersPerRoom(),
        base.hz(),
        base.payloadBytes(),
        limits.fanoutP99Micros(base),
        base.durationSeconds(),
        attempts,
        firsts.isEmpty() ? null : firsts.get(0).provenance());
  }

  /**
   * The largest count in {@code [lo, hi]} whose attempt passes, by bisection (assuming a count
   * passes when a larger one does); 0 when none passes. Anything but PASS counts as not passing.
   */
  static int bisect(int lo, int hi, IntFunction<Verdict> attempt) {
    int best = 0;
    while (lo <= hi) {
      int mid = lo + (hi - lo) / 2;
      if (attempt.apply(mid) == Verdict.PASS) {
        best = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return best;
  }

  private static CapacityRun.Attempt attempt(
      Workload w,
      FanOutClient client,
      int maxTries,
      List<String> urls,
      boolean embedded,
      LongSupplier serverCpu,
      Path out,
      GateLimits limits,
      List<FanOutRun> firsts) {
    FanOutRun r = null;
    GateResult g = null;
    int n = 0;
    while (n < maxTries) {
      n++;
      r =
          new FanOutScenario(
                  w,
                  urls,
                  embedded,
                  FanOutScenario.Options.defaults(out.resolve(ResultsDir.CAPACITY_ATTEMPTS))
                      .withClient(client)
                      .withServerCpu(serverCpu),
                  null)
              .run();
      if (firsts.isEmpty()) {
        firsts.add(r);
      }
      g = GateEngine.fanOut(r, limits);
      System.out.printf("  %s: %s | %s %s%n", w.name(), r.latency(), g.verdict(), g.detail());
      if (g.verdict() != Verdict.UNKNOWN) {
        break;
      }
    }
    // A platform that stalled on every try is not a pass.
    Verdict v = g.verdict() == Verdict.UNKNOWN ? Verdict.FAIL : g.verdict();
    return new CapacityRun.Attempt(
        w.rooms(),
        v,
        r.latency().p99Micros(),
        r.hiccup().p99Micros(),
        r.deliveries(),
        r.expectedDeliveries(),
        r.clientCpuNanosPerDelivery(),
        n,
        g.verdict() + " " + g.detail());
  }
}
