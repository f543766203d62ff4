package dev.natsproof.broker.nats;

import dev.natsproof.broker.EnqueueResult.RejectReason;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamStatusException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Sorts a JetStream publish failure into "definitely not stored" or "may be stored". The rule
 * follows Jepsen's NATS analysis and what was observed on 2.9.10: a server's answer (API error, 503
 * no responders) is definite; a missing answer (timeout, cancelled future, connection lost while
 * waiting) is not, because the message may have been stored and only the ack lost.
 */
final class PublishErrors {
  private PublishErrors() {}

  /**
   * @param reason the definite reason, or null when indeterminate
   * @param sent false when the client never sent it (nothing can have been stored)
   * @param detail human-readable cause
   */
  record Classified(RejectReason reason, boolean sent, String detail) {
    boolean definite() {
      return reason != null;
    }
  }

  static Classified classify(Throwable t) {
    Throwable e = unwrap(t);
    String msg = String.valueOf(e.getMessage());
    if (e instanceof JetStreamApiException api) {
      int code = api.getApiErrorCode();
      RejectReason r =
          switch (code) {
            case 10071, 10164 -> RejectReason.WRONG_EXPECTED_SEQUENCE; // last seq / subject seq
            case 10054 -> RejectReason.TOO_LARGE; // message exceeds maximum
            case 10060 -> RejectReason.SERVER_ERROR; // expected stream does not match
            default -> RejectReason.SERVER_ERROR;
          };
      if (msg.toLowerCase().contains("wrong last sequence")) {
        r = RejectReason.WRONG_EXPECTED_SEQUENCE;
      }
      return new Classified(r, true, "server error " + code + ": " + api.getErrorDescription());
    }
    if (e instanceof JetStreamStatusException jse && jse.getStatus() != null) {
      if (jse.getStatus().getCode() == 503) {
        return new Classified(RejectReason.NO_STREAM, true, "503 no responders: " + msg);
      }
      return new Classified(null, true, "status " + jse.getStatus().getCode() + ": " + msg);
    }
    if (msg.contains("503")) {
      return new Classified(RejectReason.NO_STREAM, true, "503 no responders: " + msg);
    }
    if (e instanceof IllegalArgumentException && msg.toLowerCase().contains("payload")) {
      return new Classified(RejectReason.TOO_LARGE, false, msg);
    }
    if (e instanceof IllegalStateException
        && (msg.contains("Output queue is full") || msg.contains("Connection is Closed"))) {
      return new Classified(RejectReason.NOT_SENT, false, msg);
    }
    if (e instanceof TimeoutException || e instanceof CancellationException) {
      return new Classified(null, true, e.getClass().getSimpleName() + ": " + msg);
    }
    // IOException "Timeout or no response waiting for NATS JetStream server", disconnects, and
    // anything unknown: the message may have reached the stream.
    return new Classified(null, true, e.getClass().getSimpleName() + ": " + msg);
  }

  static Throwable unwrap(Throwable t) {
    Throwable e = t;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
