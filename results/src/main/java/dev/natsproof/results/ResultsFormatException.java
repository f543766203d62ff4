package dev.natsproof.results;

/** A results file natsproof cannot read: it names the file, what is wrong, and what to do. */
public class ResultsFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ResultsFormatException(String message) {
    super(message);
  }

  public ResultsFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
