package dev.natsproof.broker;

/** The server refused the broker's credentials. */
public class AuthenticationException extends BrokerConnectException {
  private static final long serialVersionUID = 1L;

  public AuthenticationException(String message) {
    super(message);
  }

  public AuthenticationException(String message, Throwable cause) {
    super(message, cause);
  }
}
