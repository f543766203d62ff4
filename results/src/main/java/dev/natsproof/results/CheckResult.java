package dev.natsproof.results;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A checker's judgement of a history. UNKNOWN (nothing acked, nothing delivered, or the checker
 * failed) fails a build just like FAIL.
 *
 * @param checker which checker
 * @param status PASS, FAIL or UNKNOWN (INFO where a checker only reports)
 * @param reasons one line per finding
 * @param counts the numbers behind it
 * @param samples a few example values per problem (lost, unexpected, …)
 */
public record CheckResult(
    String checker,
    Verdict status,
    List<String> reasons,
    Map<String, Long> counts,
    Map<String, List<String>> samples) {

  public static CheckResult unknown(String checker, String reason) {
    return new CheckResult(
        checker, Verdict.UNKNOWN, List.of(reason), new LinkedHashMap<>(), Map.of());
  }

  public boolean passed() {
    return status == Verdict.PASS;
  }

  public long count(String key) {
    return counts.getOrDefault(key, 0L);
  }

  /** The worst of several checkers' verdicts. */
  public static Verdict worst(List<CheckResult> rs) {
    return Verdict.worst(rs.stream().map(CheckResult::status).toList());
  }
}
