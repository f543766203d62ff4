package dev.natsproof.broker.nats;

import static dev.natsproof.broker.nats.JetStreamErrors.MESSAGE_EXCEEDS_MAXIMUM;
import static dev.natsproof.broker.nats.JetStreamErrors.STREAM_NOT_MATCH;
import static dev.natsproof.broker.nats.JetStreamErrors.STREAM_SEQUENCE_NOT_MATCH;
import static dev.natsproof.broker.nats.JetStreamErrors.STREAM_STORE_FAILED;
import static dev.natsproof.broker.nats.JetStreamErrors.TOO_MANY_REQUESTS;
import static dev.natsproof.broker.nats.JetStreamErrors.WRONG_LAST_SEQUENCE;
import static dev.natsproof.broker.nats.JetStreamErrors.WRONG_LAST_SEQUENCE_CONSTANT;

import dev.natsproof.broker.EnqueueResult.RejectReason;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamStatusException;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Sorts a JetStream publish failure into "definitely not stored" or "may be stored". Definite: 503
 * no responders (nothing took the message) and the API errors of the checks a server makes before
 * storing (expected sequence, expected stream, size, a full discard-new stream). Everything else
 * may have been stored: a missing answer (timeout, cancelled future, connection lost while
 * waiting), and any other API error, which a leader change in the middle of replication can
 * produce.
 */
final class PublishErrors {
  private PublishErrors() {}

  /**
   * @param reason the definite reason, or null when indeterminate
   * @param sent false when the client never sent it (nothing can have been stored)
   * @param retry whether trying again (same id) can succeed: not stored, but a passing refusal
   * @param detail human-readable cause
   */
  record Classified(RejectReason reason, boolean sent, boolean retry, String detail) {
    boolean definite() {
      return reason != null && !retry;
    }
  }

  static Classified classify(Throwable t) {
    Throwable e = unwrap(t);
    String msg = String.valueOf(e.getMessage());
    String lower = msg.toLowerCase(Locale.ROOT);
    if (e instanceof JetStreamApiException api) {
      int code = api.getApiErrorCode();
      String detail = "server error " + code + ": " + api.getErrorDescription();
      if (code == TOO_MANY_REQUESTS) {
        return new Classified(RejectReason.OVERLOADED, true, true, detail);
      }
      RejectReason r = null;
      if (code == WRONG_LAST_SEQUENCE
          || code == WRONG_LAST_SEQUENCE_CONSTANT
          || code == STREAM_SEQUENCE_NOT_MATCH
          || lower.contains("wrong last sequence")) {
        r = RejectReason.WRONG_EXPECTED_SEQUENCE;
      } else if (code == MESSAGE_EXCEEDS_MAXIMUM) {
        r = RejectReason.TOO_LARGE;
      } else if (code == STREAM_NOT_MATCH) {
        r = RejectReason.SERVER_ERROR;
      } else if (code == STREAM_STORE_FAILED
          && (lower.contains("maximum bytes exceeded")
              || lower.contains("maximum messages exceeded"))) {
        r = RejectReason.STREAM_FULL;
      }
      // Only errors the server raises while checking a message, before it is stored, say "not
      // stored". Others can come from a leader change while the message was being replicated
      // (a clean-clone CI run saw a message delivered after the broker had rejected it during a
      // partition of the stream leader): they leave the outcome open, and the attempt is retried
      // with the same id.
      return new Classified(r, true, false, detail + (r == null ? " (may be stored)" : ""));
    }
    if (e instanceof JetStreamStatusException jse && jse.getStatus() != null) {
      if (jse.getStatus().getCode() == 503) {
        return new Classified(RejectReason.NO_STREAM, true, false, "503 no responders: " + msg);
      }
      return new Classified(null, true, false, "status " + jse.getStatus().getCode() + ": " + msg);
    }
    if (e instanceof TimeoutException || e instanceof CancellationException) {
      // Before any text match: "no ack within PT0.503S" is a timeout, not a 503.
      return new Classified(null, true, false, e.getClass().getSimpleName() + ": " + msg);
    }
    if (lower.contains("503 no responders")) {
      // jnats: "Error Publishing: 503 No Responders Available For Request". Matching "503"
      // alone also matched a port (127.0.0.1:45031) or a duration in another error's text.
      return new Classified(RejectReason.NO_STREAM, true, false, "503 no responders: " + msg);
    }
    if (e instanceof IllegalArgumentException && lower.contains("payload")) {
      return new Classified(RejectReason.TOO_LARGE, false, false, msg);
    }
    if (e instanceof IllegalStateException && msg.contains("Connection is Closed")) {
      return new Classified(RejectReason.NOT_SENT, false, false, msg);
    }
    if (e instanceof IllegalStateException
        && (msg.contains("Output queue is full") || msg.contains("Connection is Draining"))) {
      return new Classified(RejectReason.NOT_SENT, false, true, msg); // a writer that catches up
    }
    // IOException "Timeout or no response waiting for NATS JetStream server", disconnects, and
    // anything unknown: the message may have reached the stream.
    return new Classified(null, true, false, e.getClass().getSimpleName() + ": " + msg);
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
