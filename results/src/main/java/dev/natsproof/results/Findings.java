package dev.natsproof.results;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The server behaviours the suites know, as data: each with the versions it is expected on and,
 * where one exists, the version that fixed it. A finding seen on a version it is not expected on is
 * a FAIL there: what is allowed on an old version must fail on one that fixed it.
 */
public final class Findings {
  private Findings() {}

  /**
   * One known server behaviour.
   *
   * @param id stable identifier, used in result files
   * @param title a line
   * @param description what happens and what it costs
   * @param expectedOn where it is expected (a version matching any range)
   * @param fixedIn the release that fixed it, if one did
   * @param upstream the upstream issue or the evidence, if known
   */
  public record Finding(
      String id,
      String title,
      String description,
      List<VersionRange> expectedOn,
      String fixedIn,
      String upstream) {
    public boolean expectedOn(ServerVersion v) {
      return expectedOn.stream().anyMatch(r -> r.contains(v));
    }
  }

  public static final String SEQUENCE_REUSE = "sequence-reuse";
  public static final String DUPLICATE_ACK_UNSTORED = "duplicate-ack-unstored";
  public static final String CONSUMER_STATE_FORGOTTEN = "consumer-state-forgotten";
  public static final String TERMED_REDELIVERED = "termed-redelivered-after-kill";
  public static final String PRE_CRASH_ACK_TIMER = "redelivery-timed-before-crash";
  public static final String CONSUMER_WEDGED = "consumer-wedged";
  public static final String CONSUMER_VANISHED = "consumer-vanished";
  public static final String STREAM_VANISHED = "stream-vanished";
  public static final String WORK_QUEUE_SEQUENCE_RESET = "work-queue-sequence-reset";
  public static final String TRUNCATION_LOSS = "truncated-block-loss";
  public static final String SLOW_SUBSCRIBER_STALL = "slow-subscriber-stalls-publisher";

  private static final Map<String, Finding> CATALOG = new LinkedHashMap<>();

  static {
    add(
        SEQUENCE_REUSE,
        "an acked write's sequence reused by a new stream leader",
        "The R3 stream leader, cut off from its followers (a partition, or while it is being"
            + " stopped), acked writes no follower stored; the new leader gave those sequences to"
            + " other messages. The acked writes are gone.",
        List.of(VersionRange.of("0.0.0", "2.11.0")),
        "2.11.0",
        "from 2.11.0 a new leader serves only after applying the previous term's log");
    add(
        DUPLICATE_ACK_UNSTORED,
        "a duplicate PubAck for a write no replica stored",
        "After a leader change, a retried publish was acked as a duplicate of a write that no"
            + " replica had stored: the caller believes it stored, it is not.",
        List.of(VersionRange.of("0.0.0", "2.11.0")),
        "2.11.0",
        "nats-server#6486");
    add(
        CONSUMER_STATE_FORGOTTEN,
        "consumer state forgotten across a restart",
        "After a restart the server delivers messages again from delivery count 1 although they"
            + " had been delivered (or acked) before: consumer state is written asynchronously."
            + " At-least-once holds; handlers must be idempotent. No release removes it: the page"
            + " cache survives SIGKILL, the consumer's own state flush does not, and a lame-duck"
            + " restart during a rolling upgrade forgets the last moments too.",
        List.of(VersionRange.all()),
        null,
        "seen across kill -9 on 2.9.10 (50 count resets per run) and 2.15.1 (0 to 31), and across"
            + " the lame-duck restarts of a rolling upgrade 2.10.27 → 2.15.1");
    add(
        TERMED_REDELIVERED,
        "a termed message delivered again after kill -9",
        "A message termed just before the crash came back after the restart: the term was lost"
            + " with the consumer state.",
        List.of(VersionRange.of("0.0.0", "2.10.0")),
        null,
        "seen on 2.9.10 (10 of 10 termed); 2.10.27 and 2.15.1 did not in this suite's runs");
    add(
        PRE_CRASH_ACK_TIMER,
        "a redelivery timed from a delivery made before the crash",
        "After a kill -9 the server replayed a message from delivery count 1, then redelivered it"
            + " on the ack-wait timer of its delivery before the crash, sooner than one ack wait"
            + " after the replay.",
        List.of(VersionRange.of("0.0.0", "2.10.0")),
        null,
        "seen on 2.9.10");
    add(
        CONSUMER_WEDGED,
        "a consumer the server holds work for and delivers none",
        "After repeated kill -9s the server held messages pending (or pending acknowledgement)"
            + " with pull requests waiting and delivered nothing for longer than any redelivery it"
            + " owed. The broker reports it (and resets the consumer through the server's API where"
            + " it has one, 2.14+); the messages stay stored: a stall, not a loss.",
        List.of(VersionRange.of("0.0.0", "2.10.0")),
        null,
        "seen on 2.9.10 in 1 of 3 full runs; not on 2.10.27 or 2.15.1 in this suite's runs");
    add(
        CONSUMER_VANISHED,
        "a durable consumer gone from the server",
        "The durable disappeared from the server (consumer not found, 10014) while acked messages"
            + " were still stored; without the broker creating it again consumption stops.",
        List.of(),
        null,
        "seen once on 2.15.1 after a partition of the stream leader (ClusterChaosIT)");
    add(
        STREAM_VANISHED,
        "a whole R3 stream forgotten after kill -9 of a majority",
        "After kill -9 of all or a majority of the nodes the stream was gone.",
        List.of(VersionRange.of("2.10.20", "2.10.23")),
        "2.10.23",
        "nats-server#6888, found by Jepsen");
    add(
        WORK_QUEUE_SEQUENCE_RESET,
        "a work-queue stream's sequence reset after a hard kill",
        "After a hard kill a work-queue stream came back with a last sequence below the highest"
            + " acked one: the consumer is then ahead of the stream and new messages are never"
            + " delivered.",
        List.of(VersionRange.of("0.0.0", "2.11.4")),
        "2.11.4",
        "nats-server#6600 (fixed 2.10.28), #6881 (fixed 2.11.4 / 2.12.0)");
    add(
        TRUNCATION_LOSS,
        "the newest messages lost with a truncated block file",
        "The newest block file cut short while the server was down loses the messages in the cut"
            + " part. The fault destroys data on purpose: expected on every version, reported"
            + " with its count.",
        List.of(VersionRange.all()),
        null,
        "the truncation fault itself");
    add(
        SLOW_SUBSCRIBER_STALL,
        "one slow subscriber stalls the publisher, and every room it publishes",
        "A subscriber whose socket backs up past half its max_pending makes the server stall the"
            + " publishing connection 100 ms to 1 s per message it sends that subscriber: every"
            + " room of that room server freezes for everyone, not only for the slow player."
            + " Counted as seconds of a slow-player window in which the other players' p99 latency"
            + " reached 100 ms. From 2.10.26 a stall is 2 to 5 ms; no_fast_producer_stall: true"
            + " drops the slow subscriber's copy instead.",
        List.of(VersionRange.of("0.0.0", "2.10.26")),
        "2.10.26",
        "nats-server#6568");
  }

  private static void add(
      String id,
      String title,
      String description,
      List<VersionRange> on,
      String fixedIn,
      String upstream) {
    CATALOG.put(id, new Finding(id, title, description, on, fixedIn, upstream));
  }

  public static List<Finding> all() {
    return List.copyOf(CATALOG.values());
  }

  public static Optional<Finding> byId(String id) {
    return Optional.ofNullable(CATALOG.get(id));
  }

  /**
   * The rule: not seen is PASS; seen where expected is INFO; seen where not expected (a version
   * that fixed it, or one it was never known on) is FAIL.
   */
  public static FindingCount judge(String id, long count, ServerVersion version) {
    Finding f =
        byId(id)
            .orElseThrow(
                () -> new IllegalArgumentException("no finding '" + id + "' in the catalog"));
    if (count == 0) {
      return new FindingCount(id, 0, Verdict.PASS, "not seen");
    }
    if (f.expectedOn(version)) {
      return new FindingCount(
          id,
          count,
          Verdict.INFO,
          f.title() + ": expected on " + version + " (" + describe(f) + ")");
    }
    return new FindingCount(
        id,
        count,
        Verdict.FAIL,
        f.title()
            + ": seen "
            + count
            + " times on "
            + version
            + ", where it is not expected ("
            + describe(f)
            + ")");
  }

  private static String describe(Finding f) {
    String on =
        f.expectedOn().isEmpty() ? "expected on no version" : "expected on " + f.expectedOn();
    return on + (f.fixedIn() == null ? "" : ", fixed in " + f.fixedIn()) + "; " + f.upstream();
  }

  /** Judges every count at once; findings not seen are left out. */
  public static List<FindingCount> judgeAll(Map<String, Long> counts, ServerVersion version) {
    return counts.entrySet().stream()
        .filter(e -> e.getValue() > 0)
        .map(e -> judge(e.getKey(), e.getValue(), version))
        .toList();
  }
}
