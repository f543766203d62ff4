package dev.natsproof.benchmarks;

import dev.natsproof.results.Cli;
import dev.natsproof.results.FanOutClient;
import dev.natsproof.results.FanOutRun;
import dev.natsproof.results.GateLimits;
import dev.natsproof.results.OverheadRun;
import dev.natsproof.results.OverheadRun.Row;
import dev.natsproof.results.Provenance;
import dev.natsproof.results.ResultsDir;
import dev.natsproof.results.Units;
import dev.natsproof.results.Workload;
import dev.natsproof.testkit.NatsServer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What the Core broker costs in the room fan-out, as ratios that are measurements: the broker
 * (plain subscribe), its latest-only mode and raw jnats run one after another in every round, the
 * order rotating from round to round (A B C, B C A, C A B, ...), all on one server in one process.
 * Per round: p99 and client CPU per delivery of each; the ratios broker / raw jnats and latest-only
 * / plain per round, their median and its 95 % interval ({@link dev.natsproof.results.Ratio}). The
 * gate ({@code costRatioMax}) fails only an interval that lies wholly above the limit. The first
 * round warms every client up and is not counted.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.natsproof.benchmarks.FanOutOverhead
 *     [--rounds 5] [--workload rooms-1000x10-30hz-200b] [--warmup 2] [--duration 5]
 *     [--server URL] [--out DIR]</pre>
 *
 * {@code --out DIR} writes {@code core-overhead.json} ({@link OverheadRun}), which the main job's
 * gates and report read.
 */
@Command(
    name = "fanout-overhead",
    mixinStandardHelpOptions = true,
    description =
        "Fan-out p99 and CPU per delivery: broker / raw jnats and latest-only / plain, in rotating"
            + " rounds on one server, each ratio with its 95 % interval.")
public final class FanOutOverhead implements Callable<Integer> {
  static final List<FanOutClient> CLIENTS =
      List.of(FanOutClient.BROKER, FanOutClient.BROKER_LATEST, FanOutClient.RAW_JNATS);

  @Option(names = "--rounds", description = "counted rounds (${DEFAULT-VALUE}), after a warm-up")
  int rounds = 5;

  @Option(names = "--workload", description = "bundled workload or FILE.yaml (${DEFAULT-VALUE})")
  String workload = "rooms-1000x10-30hz-200b";

  @Option(names = "--warmup", description = "seconds per run before recording (${DEFAULT-VALUE})")
  int warmup = 2;

  @Option(names = "--duration", description = "seconds recorded per run (${DEFAULT-VALUE})")
  int duration = 5;

  @Option(
      names = "--server",
      paramLabel = "URL[,URL]",
      description = "an external server/cluster; empty: an embedded server")
  String server;

  @Option(names = "--out", paramLabel = "DIR", description = "where core-overhead.json goes")
  Path out;

  public static void main(String[] args) {
    System.exit(Cli.run(new FanOutOverhead(), args));
  }

  @Override
  public Integer call() throws Exception {
    if (rounds < 1 || rounds > 50 || warmup < 0 || warmup > 60 || duration < 1 || duration > 600) {
      throw new IllegalArgumentException(
          "--rounds must be 1..50, --warmup 0..60 and --duration 1..600 (got "
              + rounds
              + ", "
              + warmup
              + ", "
              + duration
              + ")");
    }
    Workload w = Workload.named(workload).withDuration(warmup, duration);
    List<String> urls = server == null || server.isBlank() ? null : ServerUrls.parse(server);
    OverheadRun result;
    NatsServer embedded = urls == null ? NatsServer.startDefault() : null;
    try {
      List<String> target = urls != null ? urls : List.of(embedded.clientUrl());
      List<Row> rows = run(w, target, embedded, rounds, Duration.ZERO, System.out);
      result =
          new OverheadRun(
              OverheadRun.FAN_OUT,
              rows,
              Provenance.of(
                  embedded != null ? embedded.version() : "external",
                  urls == null ? "embedded" : String.join(",", urls),
                  urls == null,
                  io.nats.client.Nats.CLIENT_VERSION,
                  "fanout-overhead " + w.name()));
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
    GateLimits limits = GateLimits.defaults();
    for (Row r : result.rows()) {
      System.out.printf("%s %s %s%n", r.verdict(limits), r.label(), r.ratio().describe());
    }
    if (out != null) {
      ResultsDir.at(out).write(result);
    }
    return result.verdict(limits).exitCode();
  }

  /**
   * The rounds and their ratios. {@code embedded} (or null for an external server) gives the
   * server's CPU to each run's result; {@code brokerDelay} slows every publish of the plain broker
   * client (the gate's negative control; zero in real runs).
   */
  static List<Row> run(
      Workload w,
      List<String> urls,
      NatsServer embedded,
      int rounds,
      Duration brokerDelay,
      PrintStream progress) {
    Map<FanOutClient, List<Double>> p99 = new EnumMap<>(FanOutClient.class);
    Map<FanOutClient, List<Double>> cpu = new EnumMap<>(FanOutClient.class);
    for (int round = -1; round < rounds; round++) { // round -1: warm-up, not counted
      int shift = Math.floorMod(round, CLIENTS.size());
      StringBuilder line = new StringBuilder();
      for (int k = 0; k < CLIENTS.size(); k++) {
        FanOutClient c = CLIENTS.get((k + shift) % CLIENTS.size());
        FanOutScenario.Options o = FanOutScenario.Options.defaults(null).withClient(c);
        if (c == FanOutClient.BROKER && !brokerDelay.isZero()) {
          o = o.withPublishDelay(brokerDelay);
        }
        if (embedded != null) {
          o = o.withServerCpu(OpenLoop.processCpuNanos(List.of(embedded.pid())));
        }
        FanOutRun run =
            new FanOutScenario(w.withVariants(List.of(c)), urls, embedded != null, o, null).run();
        if (run.deliveries() == 0) {
          throw new IllegalStateException(
              c.id() + " delivered nothing in " + w.name() + ": no ratio can be formed");
        }
        line.append(
            String.format(
                " %s p99 %s CPU %s/delivery;",
                c.id(),
                Units.micros(run.latency().p99Micros()),
                Units.nanos(run.clientCpuNanosPerDelivery())));
        if (round >= 0) {
          p99.computeIfAbsent(c, x -> new ArrayList<>()).add((double) run.latency().p99Micros());
          cpu.computeIfAbsent(c, x -> new ArrayList<>()).add(run.clientCpuNanosPerDelivery());
        }
      }
      if (progress != null) {
        progress.printf(
            "  %s:%s%n", round < 0 ? "warm-up" : "round " + (round + 1) + "/" + rounds, line);
      }
    }
    List<Row> rows = new ArrayList<>();
    if (rounds == 0 || p99.isEmpty()) {
      return rows;
    }
    FanOutClient b = FanOutClient.BROKER;
    FanOutClient l = FanOutClient.BROKER_LATEST;
    FanOutClient r = FanOutClient.RAW_JNATS;
    rows.add(Row.of("fan-out p99", b.id(), r.id(), false, p99.get(b), p99.get(r), "µs"));
    rows.add(
        Row.of("fan-out CPU per delivery", b.id(), r.id(), false, cpu.get(b), cpu.get(r), "ns"));
    rows.add(Row.of("fan-out p99", l.id(), b.id(), false, p99.get(l), p99.get(b), "µs"));
    rows.add(
        Row.of("fan-out CPU per delivery", l.id(), b.id(), false, cpu.get(l), cpu.get(b), "ns"));
    return rows;
  }
}
