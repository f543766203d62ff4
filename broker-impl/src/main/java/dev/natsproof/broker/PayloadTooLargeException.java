package dev.natsproof.broker;

/** A payload is larger than the server's {@code max_payload}; nothing was sent. */
public class PayloadTooLargeException extends BrokerException {
  private static final long serialVersionUID = 1L;

  public PayloadTooLargeException(String message) {
    super(message);
  }

  public PayloadTooLargeException(String message, Throwable cause) {
    super(message, cause);
  }
}
