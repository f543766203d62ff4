package dev.natsproof.results;

import java.util.List;

/**
 * A live rolling upgrade of a 3-node cluster under game load: each node in turn in lame-duck mode,
 * stopped, and started again on the new version with its store, the next only once it caught up.
 * Written as {@code rolling-upgrade.json}.
 *
 * @param fromVersion the version the cluster ran
 * @param toVersion the version it runs after
 * @param verdict FAIL on any acked loss, a hung command or an out-of-order frame
 * @param reasons one line per conclusion
 * @param steps one per node
 * @param jetStream totals of the settlement load
 * @param core totals of the room fan-out
 * @param commands the players' commands through the upgrade
 * @param findings known server behaviours the JetStream load met, judged for the new version
 * @param interventions what the Stream broker did on its own
 * @param refusedDowngrade what natsproof said when asked to start the old version on an upgraded
 *     store (null when not tried: no known store incompatibility between the two)
 * @param timeline per second: acked enqueues, deliveries, Core frames and their p99
 * @param provenance where it ran (the new version)
 * @param durationMs the run's length
 */
public record RollingUpgradeRun(
    String fromVersion,
    String toVersion,
    Verdict verdict,
    List<String> reasons,
    List<Step> steps,
    JetStreamTotals jetStream,
    CoreChaosVerdict.FrameTotals core,
    CoreChaosVerdict.CommandTotals commands,
    List<FindingCount> findings,
    Interventions interventions,
    String refusedDowngrade,
    List<Second> timeline,
    Provenance provenance,
    long durationMs) {

  /** The suite name of the verdicts a rolling upgrade writes beside its own result. */
  public static final String SUITE = "rolling-upgrade";

  /**
   * One second of the upgrade, on its clock.
   *
   * @param acked enqueues acked in it
   * @param delivered deliveries to the workers in it
   * @param frames Core frames handed to players in it
   * @param frameP99Micros their p99 latency from the intended send time
   */
  public record Second(long second, long acked, long delivered, long frames, long frameP99Micros) {}

  /**
   * @param node the node upgraded
   * @param startedAtMs lame duck sent
   * @param upAtMs the new version answering
   * @param caughtUpAtMs its replica caught up with the leader
   * @param jetStreamStallMs the longest time without an acked enqueue in this step
   * @param deliveryStallMs the longest time without a delivery in this step
   * @param coreFramesMissed frames missed in this step, all rooms
   * @param longestRoomGapMs the longest gap any room saw in this step
   * @param reconnects Core client reconnects in this step
   */
  public record Step(
      String node,
      String versionBefore,
      String versionAfter,
      long startedAtMs,
      long upAtMs,
      long caughtUpAtMs,
      long jetStreamStallMs,
      long deliveryStallMs,
      long coreFramesMissed,
      long longestRoomGapMs,
      long reconnects) {}

  /**
   * @param acked enqueues acked
   * @param delivered of those, delivered to the workers
   * @param lost acked, never delivered, gone from the stream: must be 0
   * @param stalled acked, not delivered by the end, still stored
   * @param duplicates deliveries of a message already processed
   */
  public record JetStreamTotals(
      long acked, long delivered, long lost, long stalled, long duplicates) {}
}
