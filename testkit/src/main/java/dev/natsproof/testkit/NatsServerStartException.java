package dev.natsproof.testkit;

/** A nats-server process did not become ready; the message carries the tail of its log. */
public final class NatsServerStartException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public NatsServerStartException(String message) {
    super(message);
  }

  public NatsServerStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
