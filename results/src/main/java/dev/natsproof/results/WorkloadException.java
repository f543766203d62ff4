package dev.natsproof.results;

/** A workload file is missing, malformed or out of range; the message names the key. */
public final class WorkloadException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public WorkloadException(String message) {
    super(message);
  }
}
