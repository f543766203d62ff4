package dev.natsproof.broker;

import java.time.Instant;
import java.util.Optional;

/**
 * Something happened to the broker's connection.
 *
 * @param type what happened
 * @param serverUrl the server involved, when known
 * @param detail an error message or other detail, when there is one
 * @param at when the broker saw it
 */
public record ConnectionEvent(Type type, Optional<String> serverUrl, String detail, Instant at) {
  public enum Type {
    CONNECTED,
    DISCONNECTED,
    RECONNECTED,
    RESUBSCRIBED,
    CLOSED,
    LAME_DUCK,
    SLOW_CONSUMER,
    ERROR
  }
}
