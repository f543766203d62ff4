package dev.natsproof.chaos.checker;

import dev.natsproof.results.CheckResult;
import dev.natsproof.results.History;
import dev.natsproof.results.Op;
import dev.natsproof.results.Verdict;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Replay completeness and order (offline mail on login, audit by range): the values a "replay"
 * returned, in the order returned, against the values acked for that replay's key. Every acked
 * value must be there, nothing never attempted, stream sequences strictly increasing.
 */
public final class ReplayChecker {
  public static final String NAME = "replay";

  private ReplayChecker() {}

  /** Replay ops carry the key in {@code detail}; enqueue ops of that key have values "key:n". */
  public static CheckResult check(History h) {
    try {
      Map<String, Set<String>> ackedByKey = new LinkedHashMap<>();
      Set<String> attempted = new HashSet<>();
      Map<String, List<Op>> replayed = new LinkedHashMap<>();
      for (Op op : h.ops()) {
        if (op.is(Op.ENQUEUE)) {
          attempted.add(op.value());
          if (op.ok()) {
            ackedByKey.computeIfAbsent(key(op.value()), k -> new HashSet<>()).add(op.value());
          }
        } else if (op.is("replay")) {
          replayed.computeIfAbsent(op.detail(), k -> new ArrayList<>()).add(op);
        }
      }
      long missing = 0;
      long unexpected = 0;
      long disorder = 0;
      List<String> examples = new ArrayList<>();
      for (Map.Entry<String, Set<String>> e : ackedByKey.entrySet()) {
        List<Op> got = replayed.getOrDefault(e.getKey(), List.of());
        Set<String> values = new HashSet<>();
        long lastSeq = 0;
        for (Op op : got) {
          values.add(op.value());
          if (!attempted.contains(op.value())) {
            unexpected++;
            examples.add("unexpected " + op.value());
          }
          if (op.seq() <= lastSeq) {
            disorder++;
            examples.add(op.value() + " (seq " + op.seq() + ") after seq " + lastSeq);
          }
          lastSeq = op.seq();
        }
        for (String v : e.getValue()) {
          if (!values.contains(v)) {
            missing++;
            examples.add("missing " + v);
          }
        }
      }
      Map<String, Long> counts = new LinkedHashMap<>();
      counts.put("keys", (long) ackedByKey.size());
      counts.put("replayed", (long) replayed.values().stream().mapToInt(List::size).sum());
      counts.put("missing", missing);
      counts.put("unexpected", unexpected);
      counts.put("outOfOrder", disorder);
      if (ackedByKey.isEmpty() || replayed.isEmpty()) {
        return new CheckResult(
            NAME, Verdict.UNKNOWN, List.of("nothing acked or nothing replayed"), counts, Map.of());
      }
      if (missing + unexpected + disorder > 0) {
        return new CheckResult(
            NAME,
            Verdict.FAIL,
            List.of("replay incomplete or out of order: " + QueueChecker.sample(examples)),
            counts,
            Map.of("examples", QueueChecker.sample(examples)));
      }
      return new CheckResult(
          NAME,
          Verdict.PASS,
          List.of(
              "every acked value replayed, in stream order, for " + ackedByKey.size() + " keys"),
          counts,
          Map.of());
    } catch (RuntimeException e) {
      return CheckResult.unknown(NAME, "checker crashed: " + e);
    }
  }

  static String key(String value) {
    int i = value.lastIndexOf(':');
    return i < 0 ? value : value.substring(0, i);
  }
}
