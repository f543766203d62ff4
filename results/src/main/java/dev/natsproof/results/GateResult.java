package dev.natsproof.results;

/**
 * One gate's outcome.
 *
 * @param gate what was checked
 * @param verdict PASS, FAIL, UNKNOWN, or INFO (reported, never failing)
 * @param detail the numbers behind it
 * @param advice what to do about a FAIL or UNKNOWN, empty otherwise
 */
public record GateResult(String gate, Verdict verdict, String detail, String advice) {
  public GateResult(String gate, Verdict verdict, String detail) {
    this(gate, verdict, detail, "");
  }

  public boolean blocking() {
    return verdict.blocking();
  }
}
