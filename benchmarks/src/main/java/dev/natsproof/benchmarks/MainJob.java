package dev.natsproof.benchmarks;

import dev.natsproof.results.Cli;
import dev.natsproof.results.FanOutClient;
import dev.natsproof.results.FanOutRun;
import dev.natsproof.results.GateEngine;
import dev.natsproof.results.GateLimits;
import dev.natsproof.results.GateReport;
import dev.natsproof.results.GateResult;
import dev.natsproof.results.ResultsDir;
import dev.natsproof.results.StreamRun;
import dev.natsproof.results.StreamRunSpec;
import dev.natsproof.results.Workload;
import dev.natsproof.testkit.NatsServer;
import dev.natsproof.testkit.NatsServerBinary;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The quick job: room fan-out (every client the workload names, side by side) and a JetStream
 * end-to-end run against an embedded nats-server (or {@code --server URL}), results written through
 * {@link ResultsDir}, judged by the one {@link GateEngine} (so the report, {@code BenchGate} and
 * this agree). Exit code 0 only when every gate passes; 1 for FAIL, 2 for UNKNOWN, 3 for bad
 * arguments. A fan-out run the hiccup control calls UNKNOWN is measured again, up to {@code
 * --attempts} times; every attempt's reason is kept in the result.
 */
@Command(
    name = "fanout",
    mixinStandardHelpOptions = true,
    description =
        "Room fan-out (broker, broker-latest, raw jnats) and JetStream end to end, gated and written"
            + " to a results folder.")
public final class MainJob implements Callable<Integer> {
  @Option(
      names = "--workload",
      paramLabel = "NAME|FILE.yaml",
      description =
          "repeatable; bundled: rooms-100x10-30hz-200b, rooms-500x10-30hz-200b,"
              + " rooms-1000x10-30hz-200b (default), rooms-200x10-30hz-200b-slow-gateway")
  List<String> workloads = new ArrayList<>();

  @Option(names = "--server", paramLabel = "URL[,URL]", description = "an external server/cluster")
  String server;

  @Option(
      names = "--server-version",
      paramLabel = "VERSION",
      description = "the embedded server's version, from the cache (./natsproof servers get)")
  String serverVersion;

  @Option(names = "--out", paramLabel = "DIR", description = "results folder (default runs/<time>)")
  Path out;

  @Option(
      names = "--variants",
      split = ",",
      paramLabel = "CLIENT",
      description = "override the workloads' clients: broker, broker-latest, raw-jnats")
  List<String> variants;

  @Option(names = "--warmup", paramLabel = "SECONDS", description = "override the warm-up")
  Integer warmup;

  @Option(names = "--duration", paramLabel = "SECONDS", description = "override the recorded time")
  Integer duration;

  @Option(
      names = "--stream-rate",
      paramLabel = "MSGS_PER_S",
      description = "JetStream end-to-end rate; 0 = no JetStream run (default ${DEFAULT-VALUE})")
  int streamRate = 1000;

  @Option(names = "--gates", paramLabel = "FILE", description = "a gates file (default limits)")
  Path gates;

  @Option(
      names = "--shard",
      paramLabel = "INDEX/COUNT",
      description =
          "this process's part of the rooms (room r is shard r % COUNT), for several load"
              + " generators against one --server; merge their folders with reports.jar merge")
  String shard;

  @Option(
      names = "--pin",
      description =
          "the embedded server on CPU 0, this client on the others (taskset): a quieter"
              + " measurement on a small machine")
  boolean pin;

  @Option(
      names = "--attempts",
      description =
          "measurements of a fan-out run the platform stalled, at most (${DEFAULT-VALUE})")
  int attempts = 2;

  public static void main(String[] args) {
    System.exit(Cli.run(new MainJob(), args));
  }

  @Override
  public Integer call() {
    return run(System.out);
  }

  int run(PrintStream log) {
    if (streamRate < 0 || streamRate > 200_000) {
      throw new IllegalArgumentException(
          "--stream-rate " + streamRate + " is out of 0..200000 (0 = no JetStream run)");
    }
    if (attempts < 1 || attempts > 5) {
      throw new IllegalArgumentException("--attempts " + attempts + " is out of 1..5");
    }
    part = shard == null ? FanOutScenario.Shard.WHOLE : FanOutScenario.Shard.parse(shard);
    if (part.count() > 1 && server == null) {
      throw new IllegalArgumentException(
          "--shard splits the rooms between processes that load one server: give it with --server");
    }
    if (pin && server != null) {
      throw new IllegalArgumentException(
          "--pin pins the embedded server: it cannot pin a server given by --server");
    }
    if (server != null && serverVersion != null) {
      throw new IllegalArgumentException(
          "--server and --server-version exclude each other: a version is for the embedded server");
    }
    List<Workload> parsed = new ArrayList<>();
    for (String name : workloads.isEmpty() ? List.of("rooms-1000x10-30hz-200b") : workloads) {
      Workload w = Workload.named(name);
      if (warmup != null || duration != null) {
        w =
            w.withDuration(
                warmup != null ? warmup : w.warmupSeconds(),
                duration != null ? duration : w.durationSeconds());
      }
      if (variants != null) {
        w = w.withVariants(variants.stream().map(FanOutClient::of).toList());
      }
      parsed.add(w);
    }
    Path dir =
        out != null
            ? out
            : Path.of(
                "runs", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    ResultsDir rd = ResultsDir.at(dir);
    GateLimits limits = gates == null ? GateLimits.defaults() : GateLimits.parse(gates);
    NatsServer embedded = null;
    try {
      List<String> urls;
      LongSupplier serverCpu = null;
      if (server == null) {
        NatsServer.Builder b = NatsServer.builder().workDir(dir.resolve("nats-server"));
        if (pin) {
          String client = dev.natsproof.testkit.CpuPinning.allButFirst();
          b.cpus("0");
          dev.natsproof.testkit.CpuPinning.pinThisJvm(client);
          log.println("natsproof: pinned: nats-server on CPU 0, this client on CPU " + client);
        }
        if (serverVersion != null) {
          b.binary(NatsServerBinary.forVersion(serverVersion));
        }
        embedded = b.start();
        urls = List.of(embedded.clientUrl());
        serverCpu = OpenLoop.processCpuNanos(List.of(embedded.pid()));
        log.println(
            "natsproof: embedded nats-server "
                + embedded.version()
                + " at "
                + embedded.clientUrl());
      } else {
        urls = ServerUrls.parse(server);
        log.println("natsproof: targeting external server(s) " + urls);
      }
      int total = 0;
      for (Workload w : parsed) {
        total += w.variants().size();
      }
      int step = 0;
      for (Workload w : parsed) {
        for (FanOutClient c : w.variants()) {
          step++;
          log.printf(
              "natsproof: [%d/%d] fan-out %s via %s, %s layout on %d connections (%d deliveries/s"
                  + " from %d NATS messages/s, %d s warm-up + %d s)%n",
              step,
              total,
              w.name(),
              c,
              w.layout().yaml(),
              w.subscriberConnections(),
              w.deliveriesPerSecond(),
              w.natsMessagesPerSecond(),
              w.warmupSeconds(),
              w.durationSeconds());
          FanOutRun r = fanOut(w, c, urls, embedded != null, serverCpu, dir, limits, log);
          rd.write(r);
          GateResult g = GateEngine.fanOut(r, limits);
          log.printf(
              "  %s  latency %s | hiccup p99 %s | %d/%d delivered%s | CPU %s client, %s server per"
                  + " delivery%n",
              g.verdict(),
              r.latency(),
              dev.natsproof.results.Units.micros(r.hiccup().p99Micros()),
              r.deliveries(),
              r.expectedDeliveries(),
              r.framesReplaced() > 0 ? " (" + r.framesReplaced() + " frames replaced)" : "",
              dev.natsproof.results.Units.nanos(r.clientCpuNanosPerDelivery()),
              r.serverCpuNanosPerDelivery() < 0
                  ? "n/a"
                  : dev.natsproof.results.Units.nanos(r.serverCpuNanosPerDelivery()));
        }
      }
      if (streamRate > 0) {
        StreamLatencyScenario.Options o =
            StreamLatencyScenario.Options.defaults(dir)
                .with(streamRate, StreamRunSpec.EnqueueMode.ASYNC, StreamRunSpec.AckMode.ACK, 1)
                .withDuration(
                    warmup != null ? Math.min(warmup, 2) : 2, duration != null ? duration : 10)
                .withServerCpu(serverCpu);
        log.printf(
            "natsproof: JetStream end to end %s (%d/s, async enqueue with idempotency keys, file"
                + " storage R1, durable consumer acking; %d s warm-up + %d s)%n",
            o.name(), streamRate, o.spec().warmupSeconds(), o.spec().durationSeconds());
        StreamRun r = new StreamLatencyScenario(urls, embedded != null, o, log).run();
        rd.write(r);
        log.println("  " + GateEngine.stream(r).verdict() + "  " + GateEngine.stream(r).detail());
      }
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
    GateReport report = BenchGate.judge(rd, limits, log);
    log.println("natsproof: overall " + report.overall() + "; results in " + dir.toAbsolutePath());
    return report.overall().exitCode();
  }

  private FanOutScenario.Shard part = FanOutScenario.Shard.WHOLE;

  /** One fan-out run, measured again while the platform stalls, up to {@code attempts} times. */
  private FanOutRun fanOut(
      Workload w,
      FanOutClient c,
      List<String> urls,
      boolean embedded,
      LongSupplier serverCpu,
      Path dir,
      GateLimits limits,
      PrintStream log) {
    return FanOutScenario.untilQuiet(
        attempts,
        limits,
        log,
        () ->
            new FanOutScenario(
                    w,
                    urls,
                    embedded,
                    FanOutScenario.Options.defaults(dir)
                        .withClient(c)
                        .withServerCpu(serverCpu)
                        .withShard(part),
                    log)
                .run());
  }
}
