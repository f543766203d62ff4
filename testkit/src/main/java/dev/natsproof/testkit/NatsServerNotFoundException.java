package dev.natsproof.testkit;

/** The nats-server binary could not be found; the message says how to get one. */
public final class NatsServerNotFoundException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public NatsServerNotFoundException(String message) {
    super(message);
  }
}
