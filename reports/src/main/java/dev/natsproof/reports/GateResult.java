package dev.natsproof.reports;

/**
 * One gate's outcome.
 *
 * @param gate what was checked
 * @param verdict PASS, FAIL, UNKNOWN, or INFO (reported, never failing: e.g. a loss the suite
 *     allows)
 * @param detail the numbers behind it
 */
public record GateResult(String gate, String verdict, String detail) {
  public static final String PASS = "PASS";
  public static final String FAIL = "FAIL";
  public static final String UNKNOWN = "UNKNOWN";
  public static final String INFO = "INFO";

  public boolean blocking() {
    return verdict.equals(FAIL) || verdict.equals(UNKNOWN);
  }
}
