package dev.natsproof.broker;

/** Base of every error the brokers raise; messages say what happened, to what, and what to do. */
public class BrokerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BrokerException(String message) {
    super(message);
  }

  public BrokerException(String message, Throwable cause) {
    super(message, cause);
  }
}
