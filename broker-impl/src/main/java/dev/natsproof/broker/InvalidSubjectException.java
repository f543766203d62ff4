package dev.natsproof.broker;

/**
 * A subject or queue name is not valid for the operation (empty, whitespace, misplaced wildcard).
 */
public class InvalidSubjectException extends BrokerException {
  private static final long serialVersionUID = 1L;

  public InvalidSubjectException(String message) {
    super(message);
  }

  public InvalidSubjectException(String message, Throwable cause) {
    super(message, cause);
  }
}
