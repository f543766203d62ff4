package dev.natsproof.broker.nats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.broker.EnqueueResult.RejectReason;
import io.nats.client.JetStreamApiException;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.NatsMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Which publish failures say "not stored", on the error shapes jnats produces. */
class PublishErrorsTest {
  /** The exception jnats raises for a PubAck that carries this API error. */
  static JetStreamApiException apiError(int code, int errCode, String description) {
    String json =
        "{\"error\":{\"code\":"
            + code
            + ",\"err_code\":"
            + errCode
            + ",\"description\":\""
            + description
            + "\"}}";
    NatsMessage reply =
        NatsMessage.builder()
            .subject("_INBOX.x")
            .data(json.getBytes(StandardCharsets.UTF_8))
            .build();
    return assertThrows(JetStreamApiException.class, () -> new PublishAck(reply));
  }

  @Test
  @DisplayName("errors of the checks made before storing are definite")
  void definite() {
    var c = PublishErrors.classify(apiError(400, 10071, "wrong last sequence: 7"));
    assertEquals(RejectReason.WRONG_EXPECTED_SEQUENCE, c.reason());
    c = PublishErrors.classify(apiError(400, 10054, "message size exceeds maximum allowed"));
    assertEquals(RejectReason.TOO_LARGE, c.reason());
    c = PublishErrors.classify(apiError(400, 10060, "expected stream does not match"));
    assertEquals(RejectReason.SERVER_ERROR, c.reason());
  }

  @Test
  @DisplayName("any other API error may have been stored: indeterminate, and the code is kept")
  void otherApiErrorsAreOpen() {
    var c =
        PublishErrors.classify(
            new CompletionException(
                apiError(503, 10008, "JetStream system temporarily unavailable")));
    assertFalse(c.definite(), c.toString());
    assertNull(c.reason());
    assertTrue(c.sent());
    assertTrue(c.detail().contains("10008") && c.detail().contains("may be stored"), c.detail());
  }

  @Test
  @DisplayName("503 no responders is definite; \"503\" inside another error's text is not a 503")
  void noResponders() {
    var c =
        PublishErrors.classify(
            new IOException("Error Publishing: 503 No Responders Available For Request"));
    assertEquals(RejectReason.NO_STREAM, c.reason());
    assertFalse(
        PublishErrors.classify(new TimeoutException("no ack within PT0.503S (attempt 3)"))
            .definite(),
        "a timeout whose duration reads 503 ms");
    assertFalse(
        PublishErrors.classify(
                new IOException("connection to nats://127.0.0.1:45031 lost while waiting"))
            .definite(),
        "a port with 503 in it");
  }

  @Test
  @DisplayName("a missing answer is indeterminate")
  void missingAnswer() {
    assertFalse(PublishErrors.classify(new TimeoutException("no ack")).definite());
    assertFalse(
        PublishErrors.classify(
                new IOException("Timeout or no response waiting for NATS JetStream server"))
            .definite());
  }
}
