package dev.natsproof.chaos.checker;

import dev.natsproof.results.CheckResult;
import dev.natsproof.results.History;
import dev.natsproof.results.Op;
import dev.natsproof.results.Verdict;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The ack paths, judged from deliveries and settle operations. Values name their path by prefix:
 *
 * <ul>
 *   <li>{@code nak-}: nak'ed → delivered again with a higher delivery count
 *   <li>{@code delay-}: nak'ed with a delay (detail = ms) → delivered again, not before the delay
 *   <li>{@code term-}: termed → never delivered again
 *   <li>{@code wait-}: left unsettled → delivered again, not before the ack wait
 *   <li>{@code prog-}: in-progress signals (ops "progress") → not delivered again within the ack
 *       wait of the last signal
 *   <li>{@code dlq-}: failing past max deliver → dead-lettered exactly once (ops "dead-letter")
 * </ul>
 *
 * <p>A crash splits time into epochs, one per server lifetime. The new lifetime starts when the
 * restart is over (the "heal" op after the "fault"; the fault itself when no heal follows): what
 * the handler sees between fault and heal was sent by the dying server and sat in the client's
 * buffer (observed in CI: such a delivery, then the restarted server's redelivery of it 331 ms
 * later, was taken for a redelivery inside one lifetime, before the ack wait). Timing bounds and
 * "never again" are judged inside one server lifetime. Across a crash the server may forget its
 * consumer state (observed on 2.9.10: deliveries, naks, terms and acks made shortly before a kill
 * -9 were forgotten and the messages delivered again from delivery count 1): that is at-least-once,
 * counted as a finding, never as a pass for a message that was not delivered again at all.
 */
public final class AckPathChecker {
  public static final String NAME = "ack-paths";

  /**
   * The server starts an ack-wait or nak-delay timer when it sends a message; the history sees the
   * delivery when the handler runs, later by the client's buffering and the handlers before it in
   * the same pull batch. Lower bounds are checked with this much slack (observed: 7 ms).
   */
  public static final long DISPATCH_ALLOWANCE_MS = 100;

  private AckPathChecker() {}

  public static CheckResult check(History h, long ackWaitMillis) {
    try {
      return run(h, ackWaitMillis);
    } catch (RuntimeException e) {
      return CheckResult.unknown(NAME, "checker crashed: " + e);
    }
  }

  private static CheckResult run(History h, long ackWaitMillis) {
    List<Long> lifetimes = lifetimeStarts(h.ops());
    Map<String, List<Op>> byValue = new LinkedHashMap<>();
    Map<String, Integer> deadLetters = new HashMap<>();
    for (Op op : h.ops()) {
      switch (op.type()) {
        case "deliver", "ack", "nak", "term", "progress" ->
            byValue.computeIfAbsent(op.value(), k -> new ArrayList<>()).add(op);
        case "dead-letter" -> deadLetters.merge(op.value(), 1, Integer::sum);
        default -> {
          // enqueue, fault, heal: the lifetimes are read above
        }
      }
    }
    long slack = TimeUnit.MILLISECONDS.toNanos(DISPATCH_ALLOWANCE_MS);
    long ackWait = TimeUnit.MILLISECONDS.toNanos(ackWaitMillis) - slack;
    List<String> problems = new ArrayList<>();
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String p : List.of("nak", "delay", "term", "wait", "prog", "dlq")) {
      counts.put(p, 0L);
    }
    long forgottenTerms = 0;
    long countResets = 0;
    long timedFromBeforeCrash = 0;
    for (Map.Entry<String, List<Op>> e : byValue.entrySet()) {
      String v = e.getKey();
      List<Op> ops = e.getValue();
      ops.sort((a, b) -> Long.compare(a.endNanos(), b.endNanos()));
      String path = v.substring(0, v.indexOf('-'));
      counts.merge(path, 1L, Long::sum);
      List<Op> ds = ops.stream().filter(o -> o.is(Op.DELIVER)).toList();
      if (ds.isEmpty()) {
        problems.add(v + ": never delivered");
        continue;
      }
      for (int i = 1; i < ds.size(); i++) {
        if (epoch(ds.get(i), lifetimes) != epoch(ds.get(i - 1), lifetimes)
            && ds.get(i).deliveries() <= ds.get(i - 1).deliveries()) {
          countResets++;
        }
      }
      Op lastProgress = null;
      for (int i = 0; i < ops.size(); i++) {
        Op op = ops.get(i);
        if (op.is("progress")) {
          lastProgress = op;
          continue;
        }
        if (!op.is(Op.DELIVER)) {
          continue;
        }
        Op next = nextDelivery(ops, i);
        Op settle = settleAfter(ops, i);
        boolean sameEpoch = next != null && epoch(next, lifetimes) == epoch(op, lifetimes);
        switch (path) {
          case "nak", "delay" -> {
            if (settle == null || !settle.is("nak")) {
              break; // acked on this delivery
            }
            if (next == null) {
              problems.add(
                  v + ": nak'ed on delivery " + op.deliveries() + " but never delivered again");
            } else if (sameEpoch) {
              if (next.deliveries() <= op.deliveries()) {
                problems.add(v + ": delivered again without a higher delivery count");
              }
              long delay = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(settle.detail())) - slack;
              if (delay > 0 && next.endNanos() - settle.endNanos() < delay) {
                problems.add(
                    v
                        + ": delivered again "
                        + ms(next.endNanos() - settle.endNanos())
                        + " ms after a nak with delay "
                        + settle.detail()
                        + " ms");
              }
            }
          }
          case "term" -> {
            if (settle != null && settle.is("term") && next != null) {
              if (sameEpoch) {
                problems.add(v + ": termed, then delivered again in the same server lifetime");
              } else {
                forgottenTerms++;
              }
            }
          }
          case "wait" -> {
            if (settle != null) {
              break; // acked on this delivery
            }
            if (next == null) {
              problems.add(v + ": left unsettled but never delivered again");
            } else if (sameEpoch && next.endNanos() - op.endNanos() < ackWait) {
              Op timer = survivingDelivery(ops, i, next, lifetimes);
              if (timer != null && next.endNanos() - timer.endNanos() >= ackWait) {
                timedFromBeforeCrash++;
              } else {
                problems.add(
                    v
                        + ": delivered again "
                        + ms(next.endNanos() - op.endNanos())
                        + " ms after delivery, before the ack wait of "
                        + ackWaitMillis
                        + " ms");
              }
            }
          }
          case "prog" -> {
            for (int j = i + 1; j < ops.size() && !ops.get(j).is(Op.DELIVER); j++) {
              if (ops.get(j).is("progress")) {
                lastProgress = ops.get(j);
              }
            }
            if (next != null
                && sameEpoch
                && lastProgress != null
                && epoch(lastProgress, lifetimes) == epoch(next, lifetimes)
                && next.endNanos() - lastProgress.endNanos() < ackWait) {
              problems.add(
                  v
                      + ": delivered again "
                      + ms(next.endNanos() - lastProgress.endNanos())
                      + " ms after an in-progress signal, before the ack wait");
            }
          }
          default -> {
            // dlq: judged below
          }
        }
      }
      if (path.equals("dlq") && deadLetters.getOrDefault(v, 0) != 1) {
        problems.add(
            v + ": dead-lettered " + deadLetters.getOrDefault(v, 0) + " times, expected once");
      }
    }
    counts.put("problems", (long) problems.size());
    counts.put("termsForgottenByCrash", forgottenTerms);
    counts.put("deliveryCountResetsByCrash", countResets);
    counts.put("redeliveriesTimedFromBeforeCrash", timedFromBeforeCrash);
    if (byValue.isEmpty()) {
      return new CheckResult(
          NAME, Verdict.UNKNOWN, List.of("nothing was delivered"), counts, Map.of());
    }
    if (!problems.isEmpty()) {
      return new CheckResult(
          NAME,
          Verdict.FAIL,
          QueueChecker.sample(problems),
          counts,
          Map.of("problems", problems.size() > 20 ? problems.subList(0, 20) : problems));
    }
    List<String> reasons = new ArrayList<>();
    reasons.add("every ack path behaved as specified for " + byValue.size() + " messages");
    if (forgottenTerms + countResets + timedFromBeforeCrash > 0) {
      reasons.add(
          "finding: across the crash the server forgot consumer state: "
              + countResets
              + " deliveries started again from a lower delivery count, "
              + forgottenTerms
              + " termed messages were delivered again, "
              + timedFromBeforeCrash
              + " redeliveries followed the ack wait of a delivery made before the crash, not of"
              + " the replay after it (at-least-once; handlers must be idempotent)");
    }
    return new CheckResult(NAME, Verdict.PASS, reasons, counts, Map.of());
  }

  /**
   * When each server lifetime after the first begins: the end of the heal that follows a fault, or
   * the fault's own end when nothing heals it.
   */
  static List<Long> lifetimeStarts(List<Op> ops) {
    List<Op> sorted = new ArrayList<>(ops);
    sorted.sort((a, b) -> Long.compare(a.endNanos(), b.endNanos()));
    List<Long> starts = new ArrayList<>();
    Long openFault = null;
    for (Op op : sorted) {
      if (op.is("fault")) {
        if (openFault != null) {
          starts.add(openFault); // two faults in a row: the first one ended a lifetime
        }
        openFault = op.endNanos();
      } else if (op.is("heal") && openFault != null) {
        starts.add(op.endNanos());
        openFault = null;
      }
    }
    if (openFault != null) {
      starts.add(openFault);
    }
    return starts;
  }

  /** How many server lifetimes had begun when {@code op} ended. */
  private static int epoch(Op op, List<Long> lifetimeStarts) {
    int e = 0;
    for (long c : lifetimeStarts) {
      if (c < op.endNanos()) {
        e++;
      }
    }
    return e;
  }

  /**
   * Seen on 2.9.10 (a chaos-repeat round): after a kill -9 the restarted server sent a message
   * again from delivery count 1 (it forgot the delivery), and 295 ms later sent it with count 2:
   * the redelivery of the delivery made before the crash, whose ack-wait timer it had kept, 2362 ms
   * after that delivery. For a replay with a reset count ({@code ops[at]}), this is the unsettled
   * delivery from an earlier lifetime whose count the redelivery {@code next} continues; null when
   * there is none, and then {@code next} is judged against the replay as usual.
   */
  private static Op survivingDelivery(List<Op> ops, int at, Op next, List<Long> lifetimes) {
    Op replay = ops.get(at);
    Op found = null;
    for (int j = 0; j < at; j++) {
      Op p = ops.get(j);
      if (p.is(Op.DELIVER)
          && epoch(p, lifetimes) < epoch(replay, lifetimes)
          && replay.deliveries() <= p.deliveries()
          && next.deliveries() == p.deliveries() + 1
          && settleAfter(ops, j) == null) {
        found = p;
      }
    }
    return found;
  }

  private static Op nextDelivery(List<Op> ops, int from) {
    for (int j = from + 1; j < ops.size(); j++) {
      if (ops.get(j).is(Op.DELIVER)) {
        return ops.get(j);
      }
    }
    return null;
  }

  /** The ack, nak or term that settled the delivery at {@code from}, if any. */
  private static Op settleAfter(List<Op> ops, int from) {
    for (int j = from + 1; j < ops.size(); j++) {
      Op o = ops.get(j);
      if (o.is(Op.DELIVER)) {
        return null;
      }
      if (o.is("ack") || o.is("nak") || o.is("term")) {
        return o;
      }
    }
    return null;
  }

  private static long ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }
}
