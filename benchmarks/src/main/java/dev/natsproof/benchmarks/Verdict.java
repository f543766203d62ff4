package dev.natsproof.benchmarks;

/** A gate's outcome. UNKNOWN (the run cannot tell) fails a build just as FAIL does. */
public enum Verdict {
  PASS,
  FAIL,
  UNKNOWN
}
