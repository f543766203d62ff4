package dev.natsproof.broker;

import java.util.List;

/**
 * A broker's health, for a service's health endpoint.
 *
 * @param status UP (connected; JetStream answers; every consumer active), DEGRADED (connected, but
 *     a consumer is wedged or missing), DOWN (not connected, or JetStream does not answer)
 * @param connection the connection's state
 * @param jetStreamReachable whether the JetStream API answered (null for a Core broker)
 * @param problems one line per thing that is not well, empty when UP
 */
public record BrokerHealth(
    Status status, ConnectionState connection, Boolean jetStreamReachable, List<String> problems) {
  public enum Status {
    UP,
    DEGRADED,
    DOWN
  }

  public boolean up() {
    return status == Status.UP;
  }
}
