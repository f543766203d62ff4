package dev.natsproof.benchmarks;

import dev.natsproof.testkit.NatsServer;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The largest room count (10 players, 30 Hz, 200 B) whose fan-out p99 stays within the gate, found
 * by bisection with short open-loop runs against one embedded server (or {@code --server URL}). A
 * run whose hiccup control says the platform stalled is repeated once, then counted as a fail.
 *
 * <pre>java -cp benchmarks.jar dev.natsproof.benchmarks.CapacitySearch [--lo 50] [--hi 2000]
 *     [--duration 10] [--client broker]</pre>
 */
public final class CapacitySearch {
  public static void main(String[] args) {
    int lo = 50;
    int hi = 2000;
    int duration = 10;
    String client = "broker";
    String url = null;
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
          case "--server" -> url = args[i + 1];
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
              + " [--server URL]");
      System.exit(3);
    }
    Workload base = Workload.bundled("rooms-100x10-30hz-200b").withDuration(3, duration);
    NatsServer embedded = url == null ? NatsServer.startDefault() : null;
    List<String> urls = List.of(url != null ? url : embedded.clientUrl());
    String c = client;
    try {
      int best =
          search(
              lo,
              hi,
              rooms -> {
                Verdict v = attempt(base.withRooms(rooms), urls, c);
                System.out.printf("capacity: %d rooms x 10 players -> %s%n", rooms, v);
                return v;
              });
      System.out.printf("capacity: largest passing room count = %d (client %s)%n", best, client);
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
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

  private static Verdict attempt(Workload w, List<String> urls, String client) {
    for (int tries = 0; tries < 2; tries++) {
      FanOutResult r =
          new FanOutScenario(
                  w,
                  urls,
                  true,
                  FanOutScenario.Options.defaults(Path.of("target/capacity")).withVariant(client),
                  null)
              .run();
      FanOutGate.Outcome o =
          FanOutGate.evaluate(r, w.gateP99Micros(), FanOutGate.DEFAULT_HICCUP_P99_LIMIT_MICROS);
      System.out.printf("  %s: %s | %s%n", w.name(), r.latency(), o);
      if (o.verdict() != Verdict.UNKNOWN) {
        return o.verdict();
      }
    }
    return Verdict.FAIL;
  }
}
