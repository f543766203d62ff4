package dev.natsproof.broker;

/** No reply arrived within the request's timeout. */
public class RequestTimeoutException extends BrokerException {
  private static final long serialVersionUID = 1L;

  public RequestTimeoutException(String message) {
    super(message);
  }

  public RequestTimeoutException(String message, Throwable cause) {
    super(message, cause);
  }
}
