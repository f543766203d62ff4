package dev.natsproof.broker;

/**
 * An existing stream differs from the spec; the message lists each difference and how to resolve
 * it.
 */
public class StreamConfigMismatchException extends BrokerException {
  private static final long serialVersionUID = 1L;

  public StreamConfigMismatchException(String message) {
    super(message);
  }

  public StreamConfigMismatchException(String message, Throwable cause) {
    super(message, cause);
  }
}
