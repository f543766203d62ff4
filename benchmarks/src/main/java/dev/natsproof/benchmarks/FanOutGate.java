package dev.natsproof.benchmarks;

import java.util.ArrayList;
import java.util.List;

/**
 * The room fan-out gate, a pure function of a result: PASS only when every expected delivery
 * arrived, p99 is within the limit and the hiccup control shows the platform itself was quiet.
 */
public final class FanOutGate {
  /** Above this hiccup-control p99 the machine itself stalled: the run cannot judge latency. */
  public static final long DEFAULT_HICCUP_P99_LIMIT_MICROS = 1_000;

  /**
   * @param verdict PASS, FAIL or UNKNOWN
   * @param reasons one line per finding, numbers included
   */
  public record Outcome(Verdict verdict, List<String> reasons) {
    @Override
    public String toString() {
      return verdict + " " + String.join("; ", reasons);
    }
  }

  private FanOutGate() {}

  public static Outcome evaluate(FanOutResult r, long p99LimitMicros, long hiccupP99LimitMicros) {
    List<String> reasons = new ArrayList<>();
    if (r.error() != null) {
      reasons.add("run failed: " + r.error());
      return new Outcome(Verdict.FAIL, reasons);
    }
    if (r.framesPublished() == 0 || r.expectedDeliveries() == 0) {
      reasons.add("nothing was published in the recorded phase");
      return new Outcome(Verdict.UNKNOWN, reasons);
    }
    if (r.deliveries() == 0) {
      reasons.add("nothing was delivered (expected " + r.expectedDeliveries() + ")");
      return new Outcome(Verdict.FAIL, reasons);
    }
    boolean fail = false;
    if (r.missingDeliveries() > 0 || r.deliveries() < r.expectedDeliveries()) {
      reasons.add(
          "missing deliveries: "
              + (r.expectedDeliveries() - r.deliveries())
              + " of "
              + r.expectedDeliveries());
      fail = true;
    }
    if (r.deliveries() > r.expectedDeliveries()) {
      reasons.add(
          "more deliveries than expected: " + r.deliveries() + " > " + r.expectedDeliveries());
      fail = true;
    }
    if (fail) {
      return new Outcome(Verdict.FAIL, reasons);
    }
    long p99 = r.latency().p99Micros();
    long hiccupP99 = r.hiccup().p99Micros();
    if (r.hiccup().count() == 0) {
      reasons.add("no hiccup control recorded: the platform's noise is unknown");
      return new Outcome(Verdict.UNKNOWN, reasons);
    }
    if (hiccupP99 > hiccupP99LimitMicros) {
      reasons.add(
          "hiccup control p99 "
              + hiccupP99
              + " µs > "
              + hiccupP99LimitMicros
              + " µs: the platform stalled, latency p99 "
              + p99
              + " µs cannot be judged");
      return new Outcome(Verdict.UNKNOWN, reasons);
    }
    if (p99 > p99LimitMicros) {
      reasons.add("fan-out p99 " + p99 + " µs > limit " + p99LimitMicros + " µs");
      return new Outcome(Verdict.FAIL, reasons);
    }
    reasons.add(
        "fan-out p99 "
            + p99
            + " µs <= "
            + p99LimitMicros
            + " µs, all "
            + r.deliveries()
            + " deliveries, hiccup p99 "
            + hiccupP99
            + " µs");
    return new Outcome(Verdict.PASS, reasons);
  }
}
