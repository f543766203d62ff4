package dev.natsproof.broker;

import java.time.Instant;

/**
 * What a consumer's supervision last concluded, for a service's health check.
 *
 * @param state ACTIVE (deliveries flow, or the server has nothing pending), WEDGED (the server
 *     holds work for this consumer and delivers none although it could), MISSING (the durable is
 *     gone from the server and could not be created again yet), STOPPED (drained or closed)
 * @param detail the evidence, in words
 * @param since when the state began
 */
public record ConsumerHealth(State state, String detail, Instant since) {
  public enum State {
    ACTIVE,
    WEDGED,
    MISSING,
    STOPPED
  }

  public boolean healthy() {
    return state == State.ACTIVE;
  }
}
