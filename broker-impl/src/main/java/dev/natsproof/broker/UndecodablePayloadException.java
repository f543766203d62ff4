package dev.natsproof.broker;

/**
 * A payload its codec cannot decode. On a stream consumer the message goes to the dead-letter
 * subject with this as its reason, and is termed: a retry would fail the same way.
 */
public final class UndecodablePayloadException extends BrokerException {
  public UndecodablePayloadException(String message, Throwable cause) {
    super(message, cause);
  }
}
