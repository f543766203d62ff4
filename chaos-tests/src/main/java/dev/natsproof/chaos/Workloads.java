package dev.natsproof.chaos;

import dev.natsproof.broker.ConsumeOptions;
import dev.natsproof.broker.StreamSpec;
import dev.natsproof.chaos.workload.AckPathsWorkload;
import dev.natsproof.chaos.workload.LeaderboardWorkload;
import dev.natsproof.chaos.workload.QueueWorkload;
import dev.natsproof.chaos.workload.ReplayWorkload;
import dev.natsproof.chaos.workload.SettlementWorkload;
import dev.natsproof.chaos.workload.TruncationWorkload;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The chaos workloads by name: a new workload is one class and one entry here. Each entry makes a
 * fresh workload for a target (replicas follow it).
 */
public final class Workloads {
  private Workloads() {}

  private static final Map<String, Function<Target, ChaosWorkload>> ALL = new LinkedHashMap<>();

  static {
    ALL.put(
        "queue", t -> QueueWorkload.of(queueStream(unique("CHQ"), t.replicas()), 1, 1, consumer()));
    ALL.put(
        "queue-sync-heavy",
        t -> QueueWorkload.of(queueStream(unique("KILLQ"), t.replicas()), 3, 1, consumer()));
    ALL.put(
        "queue-async-heavy",
        t -> QueueWorkload.of(queueStream(unique("KILLQ"), t.replicas()), 1, 3, consumer()));
    ALL.put(
        "queue-balanced",
        t -> QueueWorkload.of(queueStream(unique("KILLQ"), t.replicas()), 2, 2, consumer()));
    ALL.put("settlement-ledger", t -> new SettlementWorkload(3, 2, t.replicas()));
    ALL.put("leaderboard-order", t -> new LeaderboardWorkload());
    ALL.put("leaderboard-order-parallel", t -> new LeaderboardWorkload(8));
    ALL.put("mail-replay", t -> new ReplayWorkload(ReplayWorkload.Kind.MAIL));
    ALL.put("audit-replay", t -> new ReplayWorkload(ReplayWorkload.Kind.AUDIT));
    ALL.put("ack-paths", t -> new AckPathsWorkload());
    ALL.put("truncation", t -> new TruncationWorkload(5000));
  }

  public static ChaosWorkload get(String name, Target t) {
    Function<Target, ChaosWorkload> f = ALL.get(name);
    if (f == null) {
      throw new IllegalArgumentException(
          "no chaos workload '" + name + "' (known: " + List.copyOf(ALL.keySet()) + ")");
    }
    return f.apply(t);
  }

  private static final java.util.concurrent.atomic.AtomicInteger STREAMS =
      new java.util.concurrent.atomic.AtomicInteger();

  /** Runs on one cluster or server share it: each gets a stream of its own. */
  static String unique(String base) {
    return base + STREAMS.incrementAndGet();
  }

  public static List<String> names() {
    return List.copyOf(ALL.keySet());
  }

  /** A work-queue stream for the queue workloads, unique per name. */
  public static StreamSpec queueStream(String name, int replicas) {
    return new StreamSpec(
        name,
        List.of(name.toLowerCase() + ".>"),
        StreamSpec.Retention.WORK_QUEUE,
        replicas,
        Duration.ofHours(1),
        Duration.ofMinutes(2),
        -1,
        -1);
  }

  static ConsumeOptions consumer() {
    return ConsumeOptions.builder()
        .durable("chaos")
        .ackWait(Duration.ofSeconds(3))
        .maxAckPending(2000)
        .batchSize(200)
        .build();
  }
}
