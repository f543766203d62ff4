package dev.natsproof.benchmarks;

import dev.natsproof.testkit.NatsServer;
import java.nio.file.Path;
import java.util.List;

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
    for (int i = 0; i < args.length; i += 2) {
      switch (args[i]) {
        case "--lo" -> lo = Integer.parseInt(args[i + 1]);
        case "--hi" -> hi = Integer.parseInt(args[i + 1]);
        case "--duration" -> duration = Integer.parseInt(args[i + 1]);
        case "--client" -> client = args[i + 1];
        case "--server" -> url = args[i + 1];
        default -> {
          System.err.println(
              "usage: CapacitySearch [--lo N] [--hi N] [--duration S] [--client broker|raw-jnats] [--server URL]");
          System.exit(3);
        }
      }
    }
    Workload base = Workload.bundled("rooms-100x10-30hz-200b").withDuration(3, duration);
    NatsServer embedded = url == null ? NatsServer.startDefault() : null;
    List<String> urls = List.of(url != null ? url : embedded.clientUrl());
    try {
      int best = 0;
      while (lo <= hi) {
        int mid = (lo + hi) / 2;
        Verdict v = attempt(base.withRooms(mid), urls, client);
        System.out.printf("capacity: %d rooms x 10 players -> %s%n", mid, v);
        if (v == Verdict.PASS) {
          best = mid;
          lo = mid + 1;
        } else {
          hi = mid - 1;
        }
      }
      System.out.printf("capacity: largest passing room count = %d (client %s)%n", best, client);
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
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
