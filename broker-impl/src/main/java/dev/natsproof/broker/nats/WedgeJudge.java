package dev.natsproof.broker.nats;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Decides, from what the server says about a durable and what this worker knows of itself, whether
 * the consumer is wedged and what to do. A pure function of its inputs and the clock readings given
 * to it, so the rules are tested with numbers.
 *
 * <p>The rules never act on one worker's evidence alone: a durable is shared by every worker of the
 * queue, and this worker's idleness says nothing about a message another worker is processing.
 *
 * <ul>
 *   <li><b>Undelivered wedge</b> (the server's own evidence): messages pending delivery, room under
 *       max ack pending, pull requests waiting, and nothing delivered, acked or redelivered for the
 *       wedge period. Action: {@link Action#RESET} where the server has the consumer reset API,
 *       else {@link Action#REPORT}.
 *   <li><b>Ack-pending wedge</b> (suspected): the ack window is full, nothing acked or redelivered
 *       for the wedge period, and this worker is not holding anything. Another worker may be, so
 *       this is only ever reported.
 *   <li>Work pending and deliveries silent, with room to deliver: a fresh pull ({@link
 *       Action#REPULL}), which is harmless.
 * </ul>
 */
final class WedgeJudge {
  enum Action {
    NONE,
    REPULL,
    REPORT,
    RESET
  }

  /**
   * What the server said, at {@code atNanos}.
   *
   * @param serverAckWait the durable's ack wait on the server (its backoff steps, if any, too)
   */
  record Look(
      long atNanos,
      long numPending,
      long numAckPending,
      long numWaiting,
      long deliveredStreamSeq,
      long ackFloor,
      long redelivered,
      long serverMaxAckPending,
      Duration serverAckWait,
      List<Duration> serverBackoff) {}

  /** What this worker knows of itself at the time of the look. */
  record Local(boolean handlerRunning, long lastDeliveryNanos, long lastInProgressNanos) {}

  /** The verdict: what to do, whether the consumer is wedged, and the evidence in words. */
  record Verdict(Action action, boolean wedged, String evidence) {}

  static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(2);
  static final long MIN_WEDGE_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final boolean resetApi;
  private Look previous;
  private long unchangedSinceNanos;

  WedgeJudge(boolean resetApi) {
    this.resetApi = resetApi;
  }

  /**
   * Longer than any redelivery the server owes: twice its ack wait (or its longest backoff step),
   * and at least 5 s.
   */
  static long wedgeNanos(Duration ackWait, List<Duration> backoff) {
    long wait = ackWait == null ? 0 : ackWait.toNanos();
    for (Duration d : backoff == null ? List.<Duration>of() : backoff) {
      wait = Math.max(wait, d.toNanos());
    }
    return Math.max(2 * wait, MIN_WEDGE_NANOS);
  }

  Verdict judge(Look now, Local me) {
    boolean moved =
        previous == null
            || now.deliveredStreamSeq() != previous.deliveredStreamSeq()
            || now.ackFloor() != previous.ackFloor()
            || now.redelivered() != previous.redelivered();
    if (moved || me.lastDeliveryNanos() > unchangedSinceNanos) {
      unchangedSinceNanos = now.atNanos();
    }
    previous = now;
    long stuck = now.atNanos() - unchangedSinceNanos;
    long wedge = wedgeNanos(now.serverAckWait(), now.serverBackoff());
    boolean room =
        now.serverMaxAckPending() <= 0 || now.numAckPending() < now.serverMaxAckPending();
    boolean holdingHere =
        me.handlerRunning()
            || now.atNanos() - me.lastInProgressNanos()
                < (now.serverAckWait() == null ? 0 : now.serverAckWait().toNanos());
    String evidence =
        "server holds "
            + now.numPending()
            + " undelivered and "
            + now.numAckPending()
            + " pending acknowledgement (max "
            + now.serverMaxAckPending()
            + "), "
            + now.numWaiting()
            + " pulls waiting; nothing delivered, acked or redelivered for "
            + TimeUnit.NANOSECONDS.toMillis(stuck)
            + " ms";
    if (stuck > wedge && now.numPending() > 0 && room && now.numWaiting() > 0) {
      return new Verdict(resetApi ? Action.RESET : Action.REPORT, true, evidence);
    }
    if (stuck > wedge && now.numAckPending() > 0 && !room && !holdingHere) {
      return new Verdict(Action.REPORT, true, "suspected: " + evidence);
    }
    boolean silent = now.atNanos() - me.lastDeliveryNanos() > STALL_NANOS;
    if (now.numPending() > 0 && room && silent) {
      return new Verdict(Action.REPULL, false, evidence);
    }
    return new Verdict(Action.NONE, false, evidence);
  }
}
