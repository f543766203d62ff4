package dev.natsproof.broker;

/**
 * A drain ran out of time: what had arrived was not all handled (or not all flushed) before the
 * deadline, and the broker closed anyway. The message says what was still outstanding.
 */
public class DrainTimeoutException extends BrokerException {
  private static final long serialVersionUID = 1L;

  public DrainTimeoutException(String message) {
    super(message);
  }
}
