package dev.natsproof.broker;

/** A request found no subscriber on its subject (NATS 503 no responders). */
public class NoRespondersException extends BrokerException {
  private static final long serialVersionUID = 1L;

  public NoRespondersException(String message) {
    super(message);
  }

  public NoRespondersException(String message, Throwable cause) {
    super(message, cause);
  }
}
