package dev.natsproof.results;

import java.util.ArrayList;
import java.util.List;

/**
 * The rules a Core chaos run is judged by, from its numbers alone: the run's verdict and the gates
 * the report shows are the same function, so they cannot disagree.
 *
 * <ul>
 *   <li><b>delivered</b>: every judged subscription received frames (a run where nothing arrived
 *       never passes);
 *   <li><b>order</b>: no frame older than one already received, none received twice, per
 *       subscription (latest-only may drop frames, never reorder or repeat them);
 *   <li><b>freeze</b>: no judged subscription's longest gap over {@code gapLimitMs} (the fault's
 *       own outage when clients cannot route around it, plus {@code coreGapMillis});
 *   <li><b>recovered</b>: after every fault, every judged subscription got a frame again;
 *   <li><b>commands</b>: every command answered or failed explicitly, none hung; on a control run
 *       (no fault) every command answered and no frame missed;
 *   <li><b>platform</b>: a hiccup control that stalled for half the freeze limit makes the run
 *       UNKNOWN (the machine froze, not the cluster).
 * </ul>
 */
public final class CoreJudge {
  private CoreJudge() {}

  /** Every gate of the run, named. */
  public static List<GateResult> gates(CoreChaosVerdict c) {
    String name = "core chaos " + c.suite() + "/" + c.run();
    List<GateResult> out = new ArrayList<>();
    CoreChaosVerdict.FrameTotals f = c.frames();
    List<CoreChaosVerdict.SubscriptionStats> judged =
        c.subscriptions().stream().filter(CoreChaosVerdict.SubscriptionStats::judged).toList();
    List<String> empty = judged.stream().filter(s -> s.received() == 0).map(CoreJudge::id).toList();
    out.add(
        new GateResult(
            name + " delivered",
            f.received() > 0 && !judged.isEmpty() && empty.isEmpty() ? Verdict.PASS : Verdict.FAIL,
            judged.isEmpty()
                ? "no judged subscription: nothing was measured"
                : f.received()
                    + " of "
                    + f.expected()
                    + " frames received, "
                    + f.replaced()
                    + " replaced by newer ones"
                    + (empty.isEmpty() ? "" : "; received nothing: " + empty)));
    out.add(
        new GateResult(
            name + " order",
            f.outOfOrder() == 0 && f.duplicates() == 0 ? Verdict.PASS : Verdict.FAIL,
            f.outOfOrder()
                + " frames out of order, "
                + f.duplicates()
                + " duplicated"
                + worst(judged)));
    CoreChaosVerdict.SubscriptionStats longest =
        judged.stream()
            .max(
                java.util.Comparator.comparingLong(
                    CoreChaosVerdict.SubscriptionStats::longestGapMs))
            .orElse(null);
    Verdict freeze = f.longestGapMs() <= c.gapLimitMs() ? Verdict.PASS : Verdict.FAIL;
    List<FindingCount> stall =
        c.findings().stream()
            .filter(
                x -> x.id().equals(Findings.SLOW_SUBSCRIBER_STALL) && x.verdict() == Verdict.INFO)
            .toList();
    String explained = "";
    if (freeze == Verdict.FAIL && !stall.isEmpty()) {
      freeze = Verdict.INFO; // the version's known stall froze the rooms, reported as such
      explained = "; explained by " + stall.get(0).judgement();
    }
    out.add(
        new GateResult(
            name + " freeze",
            freeze,
            "longest gap "
                + Units.millis(f.longestGapMs())
                + (longest == null ? "" : " (" + id(longest) + ")")
                + ", limit "
                + Units.millis(c.gapLimitMs())
                + ": "
                + c.gapLimitReason()
                + explained));
    List<FindingCount> unexpected =
        c.findings().stream().filter(x -> x.verdict() == Verdict.FAIL).toList();
    if (!c.findings().isEmpty()) {
      out.add(
          new GateResult(
              name + " findings",
              unexpected.isEmpty() ? Verdict.PASS : Verdict.FAIL,
              unexpected.isEmpty()
                  ? c.findings().stream().map(x -> x.id() + " " + x.judgement()).toList().toString()
                  : unexpected.stream().map(FindingCount::judgement).toList().toString()));
    }
    if (!c.faults().isEmpty()) {
      List<String> never =
          judged.stream()
              .filter(s -> s.recoveryMs().stream().anyMatch(r -> r == null))
              .map(CoreJudge::id)
              .toList();
      out.add(
          new GateResult(
              name + " recovered",
              never.isEmpty() && f.worstRecoveryMs() != null ? Verdict.PASS : Verdict.FAIL,
              never.isEmpty()
                  ? "every subscription had frames again, at worst "
                      + Units.millis(f.worstRecoveryMs() == null ? 0 : f.worstRecoveryMs())
                      + " after its fault"
                  : "no frame after a fault for " + never));
    }
    CoreChaosVerdict.CommandTotals cmd = c.commands();
    boolean control = c.faults().isEmpty();
    Verdict cv = Verdict.PASS;
    String cd =
        cmd.sent()
            + " sent, "
            + cmd.answered()
            + " answered, "
            + cmd.failed()
            + " failed after retries, "
            + cmd.hung()
            + " hung, "
            + cmd.retries()
            + " retries";
    if (cmd.sent() == 0 || cmd.hung() > 0) {
      cv = Verdict.FAIL;
    } else if (control && (cmd.failed() > 0 || f.missed() > 0)) {
      cv = Verdict.FAIL;
      cd +=
          "; a run without a fault must answer every command and miss no frame (missed "
              + f.missed()
              + ")";
    }
    out.add(new GateResult(name + " commands", cv, cd));
    long hiccupMaxMs = c.hiccup().maxMicros() / 1000;
    if (hiccupMaxMs * 2 > c.gapLimitMs()) {
      out.add(
          new GateResult(
              name + " platform",
              Verdict.UNKNOWN,
              "the hiccup control stalled "
                  + Units.millis(hiccupMaxMs)
                  + ": the machine froze for a good part of the freeze limit",
              "run again on a quieter machine"));
    }
    return out;
  }

  /** The run with its verdict and reasons made from {@link #gates}. */
  public static CoreChaosVerdict judge(CoreChaosVerdict c) {
    List<GateResult> gs = gates(c);
    List<String> reasons = new ArrayList<>(c.reasons());
    for (GateResult g : gs) {
      if (g.verdict() != Verdict.PASS) {
        reasons.add(g.gate().substring(g.gate().lastIndexOf(' ') + 1) + ": " + g.detail());
      }
    }
    Verdict v = Verdict.worst(gs.stream().map(GateResult::verdict).toList());
    if (v == Verdict.PASS && gs.stream().anyMatch(g -> g.verdict() == Verdict.INFO)) {
      v = Verdict.INFO; // passed only because a finding expected on this version explains it
    }
    return c.withVerdict(v, reasons);
  }

  private static String id(CoreChaosVerdict.SubscriptionStats s) {
    return s.subscriber() + "/room-" + s.room();
  }

  private static String worst(List<CoreChaosVerdict.SubscriptionStats> subs) {
    List<String> bad =
        subs.stream()
            .filter(s -> s.outOfOrder() > 0 || s.duplicates() > 0)
            .limit(5)
            .map(s -> id(s) + " " + s.outOfOrder() + "/" + s.duplicates())
            .toList();
    return bad.isEmpty() ? "" : " (out of order/duplicated: " + bad + ")";
  }
}
