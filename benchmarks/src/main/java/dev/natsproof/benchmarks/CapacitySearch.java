package dev.natsproof.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.natsproof.testkit.NatsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The largest room count (10 players, 30 Hz, 200 B) whose fan-out p99 stays within the gate, found
 * by bisection with short open-loop runs against one embedded server (or {@code --server URL}). A
 * run whose hiccup control says the platform stalled is repeated once, then counted as a fail.
 * Every attempt and the answer go to {@code capacity-<client>.json} in {@code --out}, where the
 * reports module shows them.
 *
 * <pre>java -cp benchmarks.jar dev.natsproof.benchmarks.CapacitySearch [--lo 50] [--hi 2000]
 *     [--duration 10] [--client broker] [--out target/capacity]</pre>
 */
public final class CapacitySearch {
  public static void main(String[] args) {
    int lo = 50;
    int hi = 2000;
    int duration = 10;
    String client = "broker";
    List<String> serverUrls = null;
    Path out = Path.of("target/capacity");
    try {
      for (int i = 0; i < args.length; i += 2) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("missing value for " + args[i]);
        }
        switch (args[i]) {
          case "--lo" -> lo = Integer.parseInt(args[i + 1]);
          case "--hi" -> hi = Integer.parseInt(args[i + 1]);
          case "--duration" -> duration = Integer.parseInt(args[i + 1]);
          case "--client" -> client = args[i + 1];
          case "--server" -> serverUrls = ServerUrls.parse(args[i + 1]);
          case "--out" -> out = Path.of(args[i + 1]);
          default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
        }
      }
      if (lo < 1 || hi < lo) {
        throw new IllegalArgumentException("need 1 <= --lo <= --hi, got " + lo + ".." + hi);
      }
      if (!client.equals("broker") && !client.equals("raw-jnats")) {
        throw new IllegalArgumentException("--client " + client + ": use broker or raw-jnats");
      }
    } catch (IllegalArgumentException e) { // NumberFormatException included
      System.err.println("error: " + e.getMessage());
      System.err.println(
          "usage: CapacitySearch [--lo N] [--hi N] [--duration S] [--client broker|raw-jnats]"
              + " [--server URL] [--out DIR]");
      System.exit(3);
    }
    Workload base = Workload.bundled("rooms-100x10-30hz-200b").withDuration(3, duration);
    NatsServer embedded = serverUrls == null ? NatsServer.startDefault() : null;
    List<String> urls = serverUrls != null ? serverUrls : List.of(embedded.clientUrl());
    String c = client;
    Path o = out;
    List<Attempt> attempts = new ArrayList<>();
    try {
      int best =
          search(
              lo,
              hi,
              rooms -> {
                Attempt a = attempt(base.withRooms(rooms), urls, c, o);
                attempts.add(a);
                System.out.printf("capacity: %d rooms x 10 players -> %s%n", rooms, a.verdict());
                return a.verdict();
              });
      System.out.printf("capacity: largest passing room count = %d (client %s)%n", best, client);
      if (best == hi) {
        System.out.println(
            "capacity: the upper bound passed, so the capacity is higher: raise --hi");
      }
      Path file =
          write(
              out,
              new Result(
                  client,
                  base.playersPerRoom(),
                  base.hz(),
                  base.payloadBytes(),
                  base.gateP99Micros(),
                  duration,
                  lo,
                  hi,
                  best,
                  attempts,
                  attempts.isEmpty() ? null : attempts.get(0).provenance()));
      System.out.println("capacity: written to " + file);
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
  }

  /**
   * What a search found, as {@code capacity-<client>.json}.
   *
   * @param largestPassingRooms the answer; 0 when no count passed
   * @param attempts every count tried, in the order tried
   * @param provenance where the first attempt ran
   */
  public record Result(
      String client,
      int playersPerRoom,
      int hz,
      int payloadBytes,
      long gateP99Micros,
      int durationSeconds,
      int lo,
      int hi,
      int largestPassingRooms,
      List<Attempt> attempts,
      Provenance provenance) {}

  /**
   * One room count tried.
   *
   * @param tries runs made: a second when the first one's hiccup control said UNKNOWN
   */
  public record Attempt(
      int rooms,
      Verdict verdict,
      String reason,
      long p99Micros,
      long hiccupP99Micros,
      long deliveries,
      long expectedDeliveries,
      double clientCpuNanosPerDelivery,
      int tries,
      Provenance provenance) {}

  static Path write(Path dir, Result r) {
    Path file = dir.resolve("capacity-" + r.client() + ".json");
    try {
      Files.createDirectories(dir);
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), r);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
    return file;
  }

  /**
   * The largest room count in {@code [lo, hi]} whose attempt passes, by bisection (assuming a count
   * passes when a larger one does); 0 when none passes. UNKNOWN counts as not passing.
   */
  static int search(int lo, int hi, IntFunction<Verdict> attempt) {
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

  private static Attempt attempt(Workload w, List<String> urls, String client, Path out) {
    FanOutResult r = null;
    FanOutGate.Outcome o = null;
    int tries = 0;
    while (tries < 2) {
      tries++;
      r =
          new FanOutScenario(
                  w,
                  urls,
                  true,
                  FanOutScenario.Options.defaults(out.resolve("capacity-attempts"))
                      .withVariant(client),
                  null)
              .run();
      o = FanOutGate.evaluate(r, w.gateP99Micros(), FanOutGate.DEFAULT_HICCUP_P99_LIMIT_MICROS);
      System.out.printf("  %s: %s | %s%n", w.name(), r.latency(), o);
      if (o.verdict() != Verdict.UNKNOWN) {
        break;
      }
    }
    // A platform that stalled twice is not a pass.
    Verdict v = o.verdict() == Verdict.UNKNOWN ? Verdict.FAIL : o.verdict();
    return new Attempt(
        w.rooms(),
        v,
        o.toString(),
        r.latency().p99Micros(),
        r.hiccup().p99Micros(),
        r.deliveries(),
        r.expectedDeliveries(),
        r.clientCpuNanosPerDelivery(),
        tries,
        r.provenance());
  }
}
