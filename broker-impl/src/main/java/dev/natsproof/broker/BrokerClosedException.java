package dev.natsproof.broker;

/** The broker was closed (or is draining); it cannot be used any more. */
public class BrokerClosedException extends BrokerException {
  private static final long serialVersionUID = 1L;

  public BrokerClosedException(String message) {
    super(message);
  }

  public BrokerClosedException(String message, Throwable cause) {
    super(message, cause);
  }
}
