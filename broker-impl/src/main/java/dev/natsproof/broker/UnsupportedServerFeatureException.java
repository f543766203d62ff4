package dev.natsproof.broker;

/**
 * The connected nats-server is too old for what was asked; the message names the version needed.
 */
public class UnsupportedServerFeatureException extends BrokerException {
  private static final long serialVersionUID = 1L;

  public UnsupportedServerFeatureException(String message) {
    super(message);
  }

  public UnsupportedServerFeatureException(String message, Throwable cause) {
    super(message, cause);
  }
}
