package dev.natsproof.testkit.toxiproxy;

/** An API failure with the status and message the real Toxiproxy answers. */
final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;
  final int status;

  ApiError(int status, String message) {
    super(message);
    this.status = status;
  }
}
