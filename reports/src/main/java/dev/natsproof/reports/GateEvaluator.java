package dev.natsproof.reports;

import java.util.ArrayList;
import java.util.List;

/**
 * Gates over a run's files, a pure function of {@link Results} and {@link Gates}. A folder with
 * nothing to judge is UNKNOWN; every latency gate is UNKNOWN when the hiccup control says the
 * platform stalled; chaos runs that are not PASS block.
 */
public final class GateEvaluator {
  private GateEvaluator() {}

  public static List<GateResult> evaluate(Results r, Gates g) {
    List<GateResult> out = new ArrayList<>();
    if (r.isEmpty()) {
      out.add(
          new GateResult(
              "results",
              GateResult.UNKNOWN,
              "no fan-out, JetStream, capacity, JMH or chaos result in " + r.dir()));
      return out;
    }
    for (Results.FanOut f : r.fanOuts()) {
      String name = "fan-out " + f.workload() + " (" + f.client() + ")";
      String error = f.json().path("error").isNull() ? null : f.json().path("error").asText(null);
      long expected = f.num("expectedDeliveries");
      long delivered = f.num("deliveries");
      long missing = Math.max(0, expected - delivered);
      if (error != null) {
        out.add(new GateResult(name + " run", GateResult.FAIL, "the run failed: " + error));
        continue;
      }
      if (expected == 0) {
        out.add(new GateResult(name + " deliveries", GateResult.UNKNOWN, "nothing was published"));
        continue;
      }
      out.add(
          new GateResult(
              name + " deliveries",
              missing <= g.missingDeliveries() && delivered <= expected
                  ? GateResult.PASS
                  : GateResult.FAIL,
              delivered
                  + " of "
                  + expected
                  + " delivered (missing "
                  + missing
                  + ", allowed "
                  + g.missingDeliveries()
                  + ")"));
      long p99 = f.latency("p99Micros");
      long hiccup = f.hiccup("p99Micros");
      String verdict;
      if (f.hiccup("count") == 0 || hiccup > g.hiccupP99Micros()) {
        verdict = GateResult.UNKNOWN;
      } else {
        verdict = p99 <= g.fanoutP99Micros() ? GateResult.PASS : GateResult.FAIL;
      }
      out.add(
          new GateResult(
              name + " p99",
              verdict,
              "p99 "
                  + p99
                  + " µs (limit "
                  + g.fanoutP99Micros()
                  + "), hiccup control p99 "
                  + hiccup
                  + " µs (limit "
                  + g.hiccupP99Micros()
                  + ")"));
    }
    for (Results.StreamRun st : r.streams()) {
      out.addAll(stream(st));
    }
    for (Results.Capacity c : r.capacity()) {
      // No target: what the SLO allows on this machine, for the reader and for comparisons.
      out.add(
          new GateResult(
              "capacity (" + c.client() + ")",
              GateResult.INFO,
              c.num("largestPassingRooms")
                  + " rooms x "
                  + c.num("playersPerRoom")
                  + " players within p99 "
                  + c.num("gateP99Micros")
                  + " µs ("
                  + c.json().path("attempts").size()
                  + " attempts)"));
    }
    for (Results.Chaos c : r.chaos()) {
      String name = "chaos " + c.suite() + "/" + c.run();
      String status = c.status();
      long lost = c.count("lost");
      long unexpected = c.count("unexpected");
      if (c.run().startsWith("negative")) {
        // A negative control runs a deliberately broken broker: it passes when the checker caught
        // it (FAIL) and fails the gate when the run came out PASS.
        out.add(
            new GateResult(
                name + " (negative control)",
                status.equals("FAIL") ? GateResult.PASS : GateResult.FAIL,
                "the broken broker was "
                    + (status.equals("FAIL") ? "caught" : "NOT caught")
                    + ": "
                    + status
                    + ", lost "
                    + lost));
        continue;
      }
      if (c.lossAllowed()) {
        out.add(
            new GateResult(
                name,
                GateResult.INFO,
                "loss allowed by this fault ("
                    + c.json().path("expectation").asText()
                    + "): lost "
                    + lost
                    + ", unexpected "
                    + unexpected));
        if (unexpected > g.chaosUnexpected()) {
          out.add(
              new GateResult(
                  name + " unexpected",
                  GateResult.FAIL,
                  unexpected + " values delivered that were never sent"));
        }
        continue;
      }
      out.add(
          new GateResult(
              name + " verdict",
              status.equals("PASS")
                  ? GateResult.PASS
                  : status.equals("FAIL") ? GateResult.FAIL : GateResult.UNKNOWN,
              status + " " + c.json().path("reasons")));
      out.add(
          new GateResult(
              name + " lost/unexpected",
              lost <= g.chaosLost() && unexpected <= g.chaosUnexpected()
                  ? GateResult.PASS
                  : GateResult.FAIL,
              "lost "
                  + lost
                  + ", unexpected "
                  + unexpected
                  + " (acked "
                  + c.count("acked")
                  + ")"
                  + lossAnalysis(c)));
      long worst = c.worstRecoveryMillis();
      if (worst >= 0) {
        out.add(
            new GateResult(
                name + " recovery",
                worst <= g.recoveryMillis() ? GateResult.PASS : GateResult.FAIL,
                "worst restart → first ack " + worst + " ms (limit " + g.recoveryMillis() + ")"));
      }
    }
    return out;
  }

  /** The run's own account of its losses, when it wrote one: the gate line then says why. */
  private static String lossAnalysis(Results.Chaos c) {
    var a = c.json().path("postMortem").path("lostAnalysis");
    if (a.isMissingNode() || a.path("lost").asLong() == 0) {
      return "";
    }
    return "; lost writes by writer "
        + a.path("lostByProcess")
        + ", acked as sequences "
        + a.path("lostAckedSequences").asText()
        + " ("
        + a.path("lostSequenceDeliveredHoldingAnotherValue").asLong()
        + " came back holding another value, "
        + a.path("lostSequenceNeverDelivered").asLong()
        + " never delivered), other writers meanwhile: "
        + a.path("otherWritersInThatWindow").asText();
  }

  /**
   * A JetStream end-to-end run: every acked message reached the handler (the gate), and its
   * latencies for the reader (INFO: JetStream latency has no target here).
   */
  private static List<GateResult> stream(Results.StreamRun st) {
    String name = "JetStream " + st.name();
    List<GateResult> out = new ArrayList<>();
    long acked = st.num("acked");
    long delivered = st.num("delivered");
    long missing = st.num("missingAcked");
    long notAcked = st.num("notAcked");
    String counts =
        acked
            + " acked, "
            + delivered
            + " reached the handler, "
            + missing
            + " acked but never delivered, "
            + notAcked
            + " enqueues not acked";
    if (st.error() != null) {
      out.add(
          new GateResult(name + " lossless", GateResult.FAIL, st.error() + " (" + counts + ")"));
      return out;
    }
    boolean ok = acked > 0 && delivered == acked && missing == 0 && notAcked == 0;
    out.add(new GateResult(name + " lossless", ok ? GateResult.PASS : GateResult.FAIL, counts));
    out.add(
        new GateResult(
            name + " latency",
            GateResult.INFO,
            "enqueue→handler p50 "
                + st.endToEnd("p50Micros")
                + " µs, p99 "
                + st.endToEnd("p99Micros")
                + " µs; enqueue→PubAck p99 "
                + st.enqueue("p99Micros")
                + " µs; hiccup control p99 "
                + st.hiccup("p99Micros")
                + " µs"));
    return out;
  }

  /** 0 when every gate passed (INFO included), 1 on any FAIL, 2 on UNKNOWN without FAIL. */
  public static int exitCode(List<GateResult> gates) {
    boolean unknown = false;
    for (GateResult g : gates) {
      if (g.verdict().equals(GateResult.FAIL)) {
        return 1;
      }
      unknown |= g.verdict().equals(GateResult.UNKNOWN);
    }
    return unknown ? 2 : 0;
  }
}
