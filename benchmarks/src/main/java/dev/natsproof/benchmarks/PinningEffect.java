package dev.natsproof.benchmarks;

import dev.natsproof.results.Cli;
import dev.natsproof.results.FanOutClient;
import dev.natsproof.results.FanOutRun;
import dev.natsproof.results.GateEngine;
import dev.natsproof.results.GateLimits;
import dev.natsproof.results.ResultsDir;
import dev.natsproof.results.Units;
import dev.natsproof.results.Verdict;
import dev.natsproof.results.Workload;
import dev.natsproof.testkit.CpuPinning;
import dev.natsproof.testkit.NatsServer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What CPU pinning does to the fan-out measurement on this machine, in one run: alternating rounds
 * unpinned and pinned (server on CPU 0 with {@code taskset}, this client on the others), each on a
 * fresh embedded server, into {@code OUT/unpinned/round-N} and {@code OUT/pinned/round-N}. Prints
 * p99, the hiccup control and the gate's verdict per round; {@code reports.jar compare OUT/unpinned
 * OUT/pinned} then says whether the difference is clear.
 */
@Command(
    name = "pinning-effect",
    mixinStandardHelpOptions = true,
    description = "Fan-out p99, hiccup control and UNKNOWN rate, unpinned vs pinned, alternating.")
public final class PinningEffect implements Callable<Integer> {
  @Option(names = "--rounds", description = "rounds per mode (${DEFAULT-VALUE})")
  int rounds = 3;

  @Option(names = "--workload", description = "bundled workload (${DEFAULT-VALUE})")
  String workload = "rooms-1000x10-30hz-200b";

  @Option(names = "--warmup", description = "seconds (${DEFAULT-VALUE})")
  int warmup = 5;

  @Option(names = "--duration", description = "seconds recorded per round (${DEFAULT-VALUE})")
  int duration = 15;

  @Option(names = "--out", description = "results folder (${DEFAULT-VALUE})")
  Path out = Path.of("runs", "pinning");

  public static void main(String[] args) {
    System.exit(Cli.run(new PinningEffect(), args));
  }

  @Override
  public Integer call() {
    if (rounds < 1 || rounds > 20) {
      throw new IllegalArgumentException("--rounds must be 1..20, got " + rounds);
    }
    String client = CpuPinning.allButFirst();
    Workload w =
        Workload.bundled(workload)
            .withDuration(warmup, duration)
            .withVariants(List.of(FanOutClient.BROKER));
    GateLimits limits = GateLimits.defaults();
    int[] unknown = new int[2];
    for (int r = 1; r <= rounds; r++) {
      for (int mode = 0; mode < 2; mode++) {
        boolean pinned = mode == 1;
        Path dir = out.resolve(pinned ? "pinned" : "unpinned").resolve("round-" + r);
        NatsServer.Builder b = NatsServer.builder().workDir(dir.resolve("nats-server"));
        if (pinned) {
          b.cpus("0");
          CpuPinning.pinThisJvm(client);
        } else {
          CpuPinning.unpinThisJvm();
        }
        try (NatsServer s = b.start()) {
          FanOutRun run =
              new FanOutScenario(
                      w,
                      List.of(s.clientUrl()),
                      true,
                      FanOutScenario.Options.defaults(dir)
                          .withClient(FanOutClient.BROKER)
                          .withServerCpu(OpenLoop.processCpuNanos(List.of(s.pid()))),
                      System.out)
                  .run();
          ResultsDir.at(dir).write(run);
          Verdict v = GateEngine.fanOut(run, limits).verdict();
          if (v == Verdict.UNKNOWN) {
            unknown[mode]++;
          }
          System.out.printf(
              "PINNING round %d %-8s %s p99 %s p99.9 %s hiccup p99 %s max %s%n",
              r,
              pinned ? "pinned" : "unpinned",
              v,
              Units.micros(run.latency().p99Micros()),
              Units.micros(run.latency().p999Micros()),
              Units.micros(run.hiccup().p99Micros()),
              Units.micros(run.hiccup().maxMicros()));
        }
      }
    }
    CpuPinning.unpinThisJvm();
    System.out.printf(
        "PINNING UNKNOWN rounds: unpinned %d of %d, pinned %d of %d -> compare %s %s%n",
        unknown[0], rounds, unknown[1], rounds, out.resolve("unpinned"), out.resolve("pinned"));
    return 0;
  }
}
