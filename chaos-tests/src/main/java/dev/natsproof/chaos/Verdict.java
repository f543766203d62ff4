package dev.natsproof.chaos;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A checker's judgement. UNKNOWN (nothing acked, nothing delivered, or the checker failed) fails a
 * build just like FAIL.
 *
 * @param checker which checker
 * @param status PASS, FAIL or UNKNOWN
 * @param reasons one line per finding
 * @param counts the numbers behind it
 * @param samples a few example values per problem (lost, unexpected, …)
 */
public record Verdict(
    String checker,
    Status status,
    List<String> reasons,
    Map<String, Long> counts,
    Map<String, List<String>> samples) {

  public enum Status {
    PASS,
    FAIL,
    UNKNOWN
  }

  public static Verdict unknown(String checker, String reason) {
    return new Verdict(checker, Status.UNKNOWN, List.of(reason), new LinkedHashMap<>(), Map.of());
  }

  public boolean passed() {
    return status == Status.PASS;
  }

  public long count(String key) {
    return counts.getOrDefault(key, 0L);
  }

  /** The worst of several verdicts: FAIL over UNKNOWN over PASS. */
  public static Status worst(List<Verdict> vs) {
    Status s = Status.PASS;
    for (Verdict v : vs) {
      if (v.status == Status.FAIL) {
        return Status.FAIL;
      }
      if (v.status == Status.UNKNOWN) {
        s = Status.UNKNOWN;
      }
    }
    return s;
  }
}
