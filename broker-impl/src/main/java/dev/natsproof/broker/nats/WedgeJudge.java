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
 *       max ack pending, a pull waiting (or this worker's own fresh pull gone out), and no new
 *       message delivered (the consumer's delivered stream sequence still) for the wedge period.
 *       Acks, redelivery counters and pull counts moving meanwhile do not clear it: on 2.9.10 a
 *       restored consumer was seen holding 79,978 undelivered messages with room for 1,131 more and
 *       delivering none for a minute while those numbers changed from look to look. Action: {@link
 *       Action#RESET} where the server has the consumer reset API, else {@link Action#REPORT}.
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
  private long starvedSinceNanos = -1;
  private long pulledAtNanos = Long.MIN_VALUE;

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

  /**
   * The server could not be asked, or the connection has just come back: a starvation seen before
   * says nothing about the server now, so it has to be seen again.
   */
  void outage() {
    starvedSinceNanos = -1;
  }

  Verdict judge(Look now, Local me) {
    boolean seqMoved =
        previous == null || now.deliveredStreamSeq() != previous.deliveredStreamSeq();
    boolean moved =
        seqMoved
            || now.ackFloor() != previous.ackFloor()
            || now.redelivered() != previous.redelivered();
    if (moved || me.lastDeliveryNanos() > unchangedSinceNanos) {
      unchangedSinceNanos = now.atNanos();
    }
    previous = now;
    boolean room =
        now.serverMaxAckPending() <= 0 || now.numAckPending() < now.serverMaxAckPending();
    // Starved: this worker has seen, look after look, work pending with room for it and no new
    // message delivered. It starts at a look (never at the last look before an outage), so a
    // wedge takes at least two looks the wedge period apart, with this worker's pull in between.
    boolean starving = now.numPending() > 0 && room;
    if (!starving
        || seqMoved
        || (starvedSinceNanos >= 0 && me.lastDeliveryNanos() > starvedSinceNanos)) {
      starvedSinceNanos = starving ? now.atNanos() : -1;
    } else if (starvedSinceNanos < 0) {
      starvedSinceNanos = now.atNanos();
    }
    long stuck = now.atNanos() - unchangedSinceNanos;
    long starved = starvedSinceNanos < 0 ? 0 : now.atNanos() - starvedSinceNanos;
    long wedge = wedgeNanos(now.serverAckWait(), now.serverBackoff());
    boolean asked =
        now.numWaiting() > 0 || (starvedSinceNanos >= 0 && pulledAtNanos >= starvedSinceNanos);
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
            + " pulls waiting, "
            + now.redelivered()
            + " redelivered; no new message delivered for "
            + TimeUnit.NANOSECONDS.toMillis(starved)
            + " ms (delivered stream sequence "
            + now.deliveredStreamSeq()
            + "), nothing delivered, acked or redelivered for "
            + TimeUnit.NANOSECONDS.toMillis(stuck)
            + " ms";
    Verdict v;
    if (starving && starved > wedge && asked) {
      v = new Verdict(resetApi ? Action.RESET : Action.REPORT, true, evidence);
    } else if (stuck > wedge && now.numAckPending() > 0 && !room && !holdingHere) {
      v = new Verdict(Action.REPORT, true, "suspected: " + evidence);
    } else if (now.numPending() > 0
        && room
        && now.atNanos() - me.lastDeliveryNanos() > STALL_NANOS) {
      v = new Verdict(Action.REPULL, false, evidence);
    } else {
      v = new Verdict(Action.NONE, false, evidence);
    }
    if (v.action() != Action.NONE) {
      pulledAtNanos = now.atNanos(); // every action but NONE makes the consumer pull afresh
    }
    return v;
  }
}
