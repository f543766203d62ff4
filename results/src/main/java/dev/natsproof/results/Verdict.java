package dev.natsproof.results;

import java.util.Collection;

/**
 * The one verdict vocabulary of natsproof, for gates, checkers, chaos runs and comparisons.
 *
 * <ul>
 *   <li>PASS: checked and fine.
 *   <li>INFO: reported, never failing (a measurement without a target, or a server finding the
 *       version under test is known to have).
 *   <li>UNKNOWN: the run cannot tell (nothing acked, the platform stalled, a checker crashed); it
 *       fails a build like FAIL, with its own exit code.
 *   <li>FAIL: checked and wrong.
 * </ul>
 */
public enum Verdict {
  PASS,
  INFO,
  UNKNOWN,
  FAIL;

  /** FAIL and UNKNOWN stop a build. */
  public boolean blocking() {
    return this == FAIL || this == UNKNOWN;
  }

  /** The worse of two: FAIL over UNKNOWN over PASS and INFO. */
  public Verdict and(Verdict other) {
    return rank(other) > rank(this) ? other : this;
  }

  private static int rank(Verdict v) {
    return switch (v) {
      case PASS, INFO -> 0;
      case UNKNOWN -> 1;
      case FAIL -> 2;
    };
  }

  /** The worst of several; PASS for none. */
  public static Verdict worst(Collection<Verdict> vs) {
    Verdict w = PASS;
    for (Verdict v : vs) {
      w = w.and(v);
    }
    return w;
  }

  /** The process exit code of a command whose outcome is this: 0, 1 for FAIL, 2 for UNKNOWN. */
  public int exitCode() {
    return switch (this) {
      case PASS, INFO -> 0;
      case FAIL -> 1;
      case UNKNOWN -> 2;
    };
  }
}
