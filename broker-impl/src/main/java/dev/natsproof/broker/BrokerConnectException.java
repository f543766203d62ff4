package dev.natsproof.broker;

/** The broker could not connect to any of its servers. */
public class BrokerConnectException extends BrokerException {
  private static final long serialVersionUID = 1L;

  public BrokerConnectException(String message) {
    super(message);
  }

  public BrokerConnectException(String message, Throwable cause) {
    super(message, cause);
  }
}
