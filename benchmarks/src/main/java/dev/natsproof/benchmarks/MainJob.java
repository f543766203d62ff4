package dev.natsproof.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.natsproof.testkit.NatsServer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The main job: room fan-out and a JetStream end-to-end run against an embedded nats-server (or
 * {@code --server URL}), the gates evaluated, results written as JSON, {@code .hlog} and a Markdown
 * summary. Exit code 0 only when every gate is PASS; 1 for FAIL, 2 for UNKNOWN, 3 for bad
 * arguments.
 *
 * <pre>
 * java -cp benchmarks.jar dev.natsproof.benchmarks.MainJob \
 *     [--workload NAME|FILE.yaml] [--server nats://host:4222] [--out DIR] \
 *     [--variants broker,raw-jnats] [--warmup S --duration S] [--stream-rate N]
 * </pre>
 */
public final class MainJob {
  static final String USAGE =
      "usage: MainJob [--workload NAME|FILE.yaml]... [--server URL[,URL]] [--out DIR]"
          + " [--variants broker,raw-jnats] [--warmup SECONDS] [--duration SECONDS]"
          + " [--stream-rate MSGS_PER_S (0 = no JetStream run)]";

  public static void main(String[] args) {
    System.exit(run(args, System.out));
  }

  static int run(String[] args, PrintStream out) {
    List<String> workloads = new ArrayList<>();
    List<String> serverUrls = null;
    Path outDir = null;
    List<String> variants = List.of("broker", "raw-jnats");
    Integer warmup = null;
    Integer duration = null;
    int streamRate = 1000;
    try {
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        String v = i + 1 < args.length ? args[i + 1] : null;
        switch (a) {
          case "--workload" -> workloads.add(need(a, v));
          case "--server" -> serverUrls = ServerUrls.parse(need(a, v));
          case "--out" -> outDir = Path.of(need(a, v));
          case "--variants" -> variants = List.of(need(a, v).split(","));
          case "--warmup" -> warmup = Integer.parseInt(need(a, v));
          case "--duration" -> duration = Integer.parseInt(need(a, v));
          case "--stream-rate" -> streamRate = Integer.parseInt(need(a, v));
          case "--help", "-h" -> {
            out.println(USAGE);
            return 0;
          }
          default -> throw new IllegalArgumentException("unknown argument '" + a + "'");
        }
        i++;
      }
      if (streamRate < 0 || streamRate > 200_000) {
        throw new IllegalArgumentException(
            "--stream-rate " + streamRate + " is out of 0..200000 (0 = no JetStream run)");
      }
      for (String v : variants) {
        if (!v.equals("broker") && !v.equals("raw-jnats")) {
          throw new IllegalArgumentException(
              "unknown variant '" + v + "': use broker and/or raw-jnats");
        }
      }
    } catch (IllegalArgumentException e) {
      out.println("error: " + e.getMessage());
      out.println(USAGE);
      return 3;
    }
    if (workloads.isEmpty()) {
      workloads.add("rooms-1000x10-30hz-200b"); // the target: 1000 rooms x 10 players at 30 Hz
    }
    if (outDir == null) {
      outDir =
          Path.of(
              "results",
              LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }
    List<Workload> parsed = new ArrayList<>();
    try {
      for (String name : workloads) {
        Workload w =
            name.endsWith(".yaml") || name.endsWith(".yml")
                ? Workload.parse(Path.of(name))
                : Workload.bundled(name);
        if (warmup != null || duration != null) {
          w =
              w.withDuration(
                  warmup != null ? warmup : w.warmupSeconds(),
                  duration != null ? duration : w.durationSeconds());
        }
        parsed.add(w);
      }
    } catch (WorkloadException e) {
      out.println("error: " + e.getMessage());
      return 3;
    }

    NatsServer embedded = null;
    try {
      Files.createDirectories(outDir);
      List<String> urls;
      if (serverUrls == null) {
        embedded = NatsServer.builder().workDir(outDir.resolve("nats-server")).start();
        urls = List.of(embedded.clientUrl());
        out.println(
            "natsproof: embedded nats-server "
                + embedded.version()
                + " at "
                + embedded.clientUrl());
      } else {
        urls = serverUrls;
        out.println("natsproof: targeting external server(s) " + urls);
      }
      ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      List<Map<String, Object>> gates = new ArrayList<>();
      StringBuilder md = new StringBuilder("# natsproof main job\n\n");
      md.append(
              "| workload | client | deliveries | missing | p50 ms | p99 ms | p99.9 ms | max ms |")
          .append(" hiccup p99 ms | publisher lateness p99 ms | client CPU µs/delivery | gate |\n")
          .append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
      Verdict overall = Verdict.PASS;
      for (Workload w : parsed) {
        for (String variant : variants) {
          out.printf(
              "natsproof: fan-out %s via %s, %s layout on %d connections (%d deliveries/s from %d"
                  + " NATS messages/s, %d s warm-up + %d s)%n",
              w.name(),
              variant,
              w.layout().yaml(),
              w.subscriberConnections(),
              w.deliveriesPerSecond(),
              w.natsMessagesPerSecond(),
              w.warmupSeconds(),
              w.durationSeconds());
          FanOutResult r =
              new FanOutScenario(
                      w,
                      urls,
                      embedded != null,
                      FanOutScenario.Options.defaults(outDir).withVariant(variant),
                      out)
                  .run();
          json.writeValue(
              outDir.resolve("fanout-" + w.name() + "-" + variant + ".json").toFile(), r);
          FanOutGate.Outcome g =
              FanOutGate.evaluate(r, w.gateP99Micros(), FanOutGate.DEFAULT_HICCUP_P99_LIMIT_MICROS);
          Map<String, Object> gate = new LinkedHashMap<>();
          gate.put("gate", "fanout-p99:" + w.name() + ":" + variant);
          gate.put("verdict", g.verdict());
          gate.put("reasons", g.reasons());
          gates.add(gate);
          out.printf(
              "  %s  latency %s | lateness p99 %.2f ms | hiccup p99 %.2f ms | %d/%d delivered"
                  + " | CPU %.2f µs/delivery%n",
              g.verdict(),
              r.latency(),
              r.publisherLateness().p99Micros() / 1000.0,
              r.hiccup().p99Micros() / 1000.0,
              r.deliveries(),
              r.expectedDeliveries(),
              r.clientCpuNanosPerDelivery() / 1000.0);
          out.println("  " + String.join("; ", g.reasons()));
          md.append(
              String.format(
                  "| %s | %s | %d | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | **%s** |%n",
                  w.name(),
                  variant,
                  r.deliveries(),
                  r.missingDeliveries(),
                  r.latency().p50Micros() / 1000.0,
                  r.latency().p99Micros() / 1000.0,
                  r.latency().p999Micros() / 1000.0,
                  r.latency().maxMicros() / 1000.0,
                  r.hiccup().p99Micros() / 1000.0,
                  r.publisherLateness().p99Micros() / 1000.0,
                  r.clientCpuNanosPerDelivery() / 1000.0,
                  g.verdict()));
          overall = worse(overall, g.verdict());
        }
      }
      if (streamRate > 0) {
        Verdict v =
            streamEndToEnd(
                urls, embedded != null, streamRate, warmup, duration, outDir, json, gates, md, out);
        overall = worse(overall, v);
      }
      json.writeValue(outDir.resolve("gates.json").toFile(), gates);
      md.append("\nOverall: **").append(overall).append("**\n");
      Files.writeString(outDir.resolve("summary.md"), md.toString());
      out.println("natsproof: overall " + overall + "; results in " + outDir.toAbsolutePath());
      return overall == Verdict.PASS ? 0 : overall == Verdict.FAIL ? 1 : 2;
    } catch (IOException e) {
      out.println("error: cannot write results under " + outDir + ": " + e.getMessage());
      return 1;
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
  }

  /** JetStream end to end at a fixed rate: gated on losing nothing, latency reported. */
  @SuppressWarnings("unchecked") // the gate's reasons are the List<String> it was built with
  private static Verdict streamEndToEnd(
      List<String> urls,
      boolean embedded,
      int rate,
      Integer warmup,
      Integer duration,
      Path outDir,
      ObjectMapper json,
      List<Map<String, Object>> gates,
      StringBuilder md,
      PrintStream out)
      throws IOException {
    StreamLatencyScenario.Options o =
        StreamLatencyScenario.Options.defaults(outDir)
            .with(rate, "async", "ack", 1)
            .withDuration(
                warmup != null ? Math.min(warmup, 2) : 2, duration != null ? duration : 10);
    out.printf(
        "natsproof: JetStream end to end %s (%d/s, async enqueue with idempotency keys, file"
            + " storage R1, durable consumer acking; %d s warm-up + %d s)%n",
        o.name(), rate, o.warmupSeconds(), o.durationSeconds());
    StreamLatencyResult r = new StreamLatencyScenario(urls, embedded, o, out).run();
    json.writeValue(outDir.resolve(o.name() + ".json").toFile(), r);
    Map<String, Object> gate = BenchGate.streamGate("stream-lossless:" + o.name(), r);
    Verdict v = (Verdict) gate.get("verdict");
    String detail = ((List<String>) gate.get("reasons")).get(0); // the counts, or the error
    gates.add(gate);
    out.printf(
        "  %s  enqueue→handler %s | enqueue→PubAck p99 %.2f ms | hiccup p99 %.2f ms | %s%n",
        v, r.endToEnd(), r.enqueue().p99Micros() / 1000.0, r.hiccup().p99Micros() / 1000.0, detail);
    md.append("\n| JetStream run | acked | reached handler | missing | enqueue→handler p50 ms |")
        .append(" p99 ms | max ms | enqueue→PubAck p99 ms | hiccup p99 ms | gate |\n")
        .append("|---|---|---|---|---|---|---|---|---|---|\n")
        .append(
            String.format(
                "| %s | %d | %d | %d | %.2f | %.2f | %.2f | %.2f | %.2f | **%s** |%n",
                o.name(),
                r.acked(),
                r.delivered(),
                r.missingAcked(),
                r.endToEnd().p50Micros() / 1000.0,
                r.endToEnd().p99Micros() / 1000.0,
                r.endToEnd().maxMicros() / 1000.0,
                r.enqueue().p99Micros() / 1000.0,
                r.hiccup().p99Micros() / 1000.0,
                v));
    return v;
  }

  static Verdict worse(Verdict a, Verdict b) {
    if (a == Verdict.FAIL || b == Verdict.FAIL) {
      return Verdict.FAIL;
    }
    if (a == Verdict.UNKNOWN || b == Verdict.UNKNOWN) {
      return Verdict.UNKNOWN;
    }
    return Verdict.PASS;
  }

  private static String need(String flag, String value) {
    if (value == null || value.startsWith("--")) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return value;
  }
}
