package dev.natsproof.chaos;

import dev.natsproof.broker.EnqueueResult;
import dev.natsproof.results.History;
import dev.natsproof.results.Op;

/**
 * The one rule for recording an enqueue's outcome, for every workload: acked is {@code ok},
 * rejected (definitely not stored) is {@code fail}, indeterminate is {@code info}. An ack that
 * needed a retry or came back as a duplicate keeps its story in the detail: such an ack can come
 * from a dedupe table rather than a stored message.
 */
public final class Outcomes {
  private Outcomes() {}

  public static final String ENQUEUE = Op.ENQUEUE;
  public static final String DELIVER = Op.DELIVER;

  public static String outcome(EnqueueResult r) {
    return switch (r.status()) {
      case ACKED -> Op.OK;
      case REJECTED -> Op.FAIL;
      case INDETERMINATE -> Op.INFO;
    };
  }

  public static void enqueue(
      History h, String process, String value, long startNanos, EnqueueResult r) {
    long seq = r instanceof EnqueueResult.Acked a ? a.sequence() : 0;
    String detail =
        r instanceof EnqueueResult.Acked a && !a.duplicate() && a.attempts() <= 1
            ? null
            : r.toString();
    h.add(process, ENQUEUE, value, seq, 0, outcome(r), startNanos, detail);
  }
}
