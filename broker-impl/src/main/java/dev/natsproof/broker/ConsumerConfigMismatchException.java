package dev.natsproof.broker;

/**
 * A durable exists on the server with a different configuration than this consumer asks for: two
 * deployed versions of a service disagree. natsproof never rewrites a shared durable silently.
 */
public class ConsumerConfigMismatchException extends BrokerException {
  private static final long serialVersionUID = 1L;

  public ConsumerConfigMismatchException(String message) {
    super(message);
  }
}
