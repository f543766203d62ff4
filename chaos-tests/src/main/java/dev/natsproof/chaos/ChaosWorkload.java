package dev.natsproof.chaos;

import dev.natsproof.results.CheckResult;
import dev.natsproof.results.FindingCount;
import dev.natsproof.results.History;
import dev.natsproof.results.Interventions;
import dev.natsproof.results.Verdict;
import java.util.List;
import java.util.Map;

/**
 * A chaos workload: the clients that load the system and record what they did into the history, and
 * the checkers that judge the history afterwards. The run joins a workload with a nemesis and a
 * schedule; neither knows the other.
 *
 * <p>Every enqueue outcome is recorded by the one rule in {@link Outcomes}.
 */
public interface ChaosWorkload {
  /** The workload's name, as the results show it. */
  String name();

  /** The stream a nemesis acts around (a cluster's stream leader, a truncated block file). */
  String streamName();

  /** Streams, consumers: what exists before the load starts. */
  void setUp(RunContext ctx) throws Exception;

  /**
   * The load: one loop per client, each running until {@link RunContext#stopped()} (or its own
   * bound on what it sends) and recording into the history.
   */
  List<Runnable> clients(RunContext ctx);

  /**
   * Whether the load writes throughout, so that every heal should be followed by an acked write
   * (the recovery gate judges only such workloads). One that writes a batch first says false.
   */
  default boolean writesThroughout() {
    return true;
  }

  /**
   * Whether the load consumes throughout, so that every heal should be followed by a delivery (the
   * restart gate judges only such workloads). One that reads back at the end says false.
   */
  default boolean consumesThroughout() {
    return true;
  }

  /** Whether the first fault may come now (a workload that needs every value seen once waits). */
  default boolean readyForFault() {
    return true;
  }

  /** After the load: whether everything the workload waits for has arrived. */
  boolean drained();

  /** Looks at the servers after the drain (what is still stored, the consumer's state). */
  default void inspect(RunContext ctx) {}

  /** Every checker's judgement of the history. */
  List<CheckResult> check(History h);

  /** How often each known server behaviour occurred, by finding id. */
  Map<String, Long> findings(History h, List<CheckResult> checks);

  /**
   * Whether a FAIL of these checks is wholly explained by findings that are expected on the version
   * (then the run is INFO): by default never.
   */
  default boolean explains(List<CheckResult> checks, List<FindingCount> findings) {
    return false;
  }

  /** What the broker did on its own (summed over the workload's consumers). */
  Interventions interventions();

  /** What the servers hold, for a post-mortem. */
  Map<String, Object> postMortem(History h);

  /** The verdict of the checks once findings are known. */
  default Verdict judge(List<CheckResult> checks, List<FindingCount> findings) {
    Verdict v = CheckResult.worst(checks);
    if (findings.stream().anyMatch(f -> f.verdict() == Verdict.FAIL)) {
      return v == Verdict.UNKNOWN ? Verdict.UNKNOWN : Verdict.FAIL;
    }
    if (v == Verdict.FAIL && explains(checks, findings)) {
      return Verdict.INFO;
    }
    return v;
  }
}
