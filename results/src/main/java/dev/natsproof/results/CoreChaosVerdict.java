package dev.natsproof.results;

import java.util.List;

/**
 * One Core chaos run: open-loop 30 Hz room fan-out and player commands while a fault runs, judged
 * by what a player sees. Written as {@code <suite>/<run>/verdict.json} beside {@code
 * history.jsonl}; {@link CoreJudge} makes the verdict and the gates from these numbers.
 *
 * @param suite the suite
 * @param run this run
 * @param nemesis the fault, or {@code none (control)}
 * @param negativeControl a deliberately broken gateway: passes when judged FAIL
 * @param verdict the run's verdict
 * @param reasons one line per conclusion
 * @param gapLimitMs the longest freeze a judged subscriber may see in this run
 * @param gapLimitReason why the limit is what it is (the fault's own outage, if clients cannot
 *     route around it, plus the stated allowance)
 * @param frames totals over every judged subscription
 * @param subscriptions per subscription (a room on a gateway, or a slow player)
 * @param commands player commands (request/reply with a bounded retry)
 * @param latencyDuringFault judged frames' latency from the intended send time, inside fault
 *     windows
 * @param latencyOutsideFault the same outside them
 * @param publisher the room server's lateness against its schedule (a stalled publisher shows)
 * @param roomLongestGap the longest gap per judged subscription, as a distribution (µs)
 * @param consistentAgain with room snapshots: a gateway's disconnect → each of its rooms rebuilt
 *     from its snapshot, as a distribution (µs); empty without snapshots
 * @param serverCpuNanosPerFrame nats-server CPU per frame handed to a judged subscriber over the
 *     load, all nodes; null when not measured (a server restarted during the run)
 * @param hiccup the hiccup control over the run
 * @param faults the faults with their timing
 * @param observations what the run showed that is not a pass or fail (slow-consumer events, …)
 * @param findings known server behaviours the run met, judged for the server's version
 * @param timeline per second of the run: judged frames received, their latency, commands
 * @param provenance the server version and the rest
 * @param durationMs the run's length
 */
public record CoreChaosVerdict(
    String suite,
    String run,
    String nemesis,
    boolean negativeControl,
    Verdict verdict,
    List<String> reasons,
    long gapLimitMs,
    String gapLimitReason,
    FrameTotals frames,
    List<SubscriptionStats> subscriptions,
    CommandTotals commands,
    Percentiles latencyDuringFault,
    Percentiles latencyOutsideFault,
    Percentiles publisher,
    Percentiles roomLongestGap,
    Percentiles consistentAgain,
    Double serverCpuNanosPerFrame,
    Percentiles hiccup,
    List<FaultWindow> faults,
    List<String> observations,
    List<FindingCount> findings,
    List<Second> timeline,
    Provenance provenance,
    long durationMs) {

  /** The same run with another verdict and reasons. */
  public CoreChaosVerdict withVerdict(Verdict v, List<String> why) {
    return new CoreChaosVerdict(
        suite,
        run,
        nemesis,
        negativeControl,
        v,
        List.copyOf(why),
        gapLimitMs,
        gapLimitReason,
        frames,
        subscriptions,
        commands,
        latencyDuringFault,
        latencyOutsideFault,
        publisher,
        roomLongestGap,
        consistentAgain,
        serverCpuNanosPerFrame,
        hiccup,
        faults,
        observations,
        findings,
        timeline,
        provenance,
        durationMs);
  }

  /**
   * One second of the run, on its clock.
   *
   * @param second seconds since the run started
   * @param frames judged frames received in it
   * @param p50Micros their median latency from the intended send time (0 when none)
   * @param p99Micros their 99th percentile
   * @param commandsAnswered commands answered in it
   * @param commandsFailed commands that failed after their retries in it
   * @param hiccupMaxMicros the hiccup control's worst overshoot in it (the machine's own stall)
   */
  public record Second(
      long second,
      long frames,
      long p50Micros,
      long p99Micros,
      long commandsAnswered,
      long commandsFailed,
      long hiccupMaxMicros) {}

  /**
   * @param published frames the room server published (all rooms)
   * @param expected frames a judged subscriber should have seen (its room's publishes)
   * @param received frames handed to judged subscribers
   * @param missed expected − received − replaced (frames a subscriber never got)
   * @param replaced latest-only replacements (dropped by design: a newer frame took their place)
   * @param outOfOrder frames older than one already received on the same subscription: must be 0
   * @param duplicates frames received twice on the same subscription: must be 0
   * @param longestGapMs the longest time any judged subscriber went without a frame
   * @param worstRecoveryMs the longest fault → first frame again, over subscriptions and faults; -1
   *     never appears: a subscription that never recovered makes this null
   * @param reconnects client reconnects during the run
   */
  public record FrameTotals(
      long published,
      long expected,
      long received,
      long missed,
      long replaced,
      long outOfOrder,
      long duplicates,
      long longestGapMs,
      Long worstRecoveryMs,
      long reconnects) {}

  /**
   * @param subscriber who subscribed (a gateway, a slow player)
   * @param room the room
   * @param judged false for a deliberately slow player (reported, not gated)
   * @param latestOnly subscribed with {@code subscribeLatest}
   * @param recoveryMs per fault: fault → first frame after the freeze it caused (0 when it caused
   *     none), null if no frame came after it
   * @param latency receive − intended send time
   */
  public record SubscriptionStats(
      String subscriber,
      int room,
      boolean judged,
      boolean latestOnly,
      long expected,
      long received,
      long replaced,
      long missed,
      long longestGapMs,
      long outOfOrder,
      long duplicates,
      List<Long> recoveryMs,
      Percentiles latency) {}

  /**
   * @param sent commands sent (retries not counted)
   * @param answered commands answered, within their retries
   * @param failed commands that failed explicitly after their retries
   * @param hung commands neither answered nor failed by the run's end: must be 0
   * @param retries retries made
   * @param latencyWithRetries intended send → answer, retries included
   */
  public record CommandTotals(
      long sent,
      long answered,
      long failed,
      long hung,
      long retries,
      Percentiles latencyWithRetries) {}
}
