package dev.natsproof.broker.nats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.broker.EnqueueResult;
import dev.natsproof.broker.EnqueueResult.RejectReason;
import dev.natsproof.broker.ServerFeatures;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** One retry rule for the sync and async paths, judged on the error shapes jnats produces. */
class RetryPolicyTest {
  static final Deadline FAR = Deadline.in(Duration.ofMinutes(1));

  static RetryPolicy.Attempts afterATimeout(RetryPolicy p) {
    RetryPolicy.Attempts a = new RetryPolicy.Attempts("battle-1");
    a.count = 1;
    assertNull(
        p.afterFailure(
            a,
            PublishErrors.classify(
                new IOException("Timeout or no response waiting for NATS JetStream server")),
            FAR),
        "a timeout is tried again");
    assertTrue(a.maybeStored);
    a.count = 2;
    return a;
  }

  static PublishErrors.Classified wrongSequence() {
    return PublishErrors.classify(
        PublishErrorsTest.apiError(
            400, JetStreamErrors.WRONG_LAST_SEQUENCE, "wrong last sequence: 7"));
  }

  @Test
  @DisplayName(
      "clustered 2.9.10 checks the expected subject sequence before dedup: a retry's wrong"
          + " sequence after a timeout is indeterminate, not rejected")
  void casAfterTimeoutOnOldClusters() {
    RetryPolicy p = new RetryPolicy(ServerFeatures.of("2.9.10", true));
    EnqueueResult r = p.afterFailure(afterATimeout(p), wrongSequence(), FAR);
    var ind = assertInstanceOf(EnqueueResult.Indeterminate.class, r, String.valueOf(r));
    assertTrue(ind.lastError().contains("may have stored"), ind.lastError());
  }

  @Test
  @DisplayName("from 2.10.5, and on a single server, dedup comes first: the same case is rejected")
  void casAfterTimeoutWhereDedupComesFirst() {
    for (ServerFeatures f :
        new ServerFeatures[] {ServerFeatures.of("2.10.27", true), ServerFeatures.of("2.9.10")}) {
      RetryPolicy p = new RetryPolicy(f);
      EnqueueResult r = p.afterFailure(afterATimeout(p), wrongSequence(), FAR);
      var rej = assertInstanceOf(EnqueueResult.Rejected.class, r, f + ": " + r);
      assertEquals(RejectReason.WRONG_EXPECTED_SEQUENCE, rej.reason());
    }
  }

  @Test
  @DisplayName(
      "a full discard-new stream is definite; too many requests is retried, then OVERLOADED")
  void fullAndOverloaded() {
    RetryPolicy p = new RetryPolicy(ServerFeatures.of("2.15.1"));
    RetryPolicy.Attempts a = new RetryPolicy.Attempts("x");
    a.count = 1;
    var full =
        PublishErrors.classify(
            PublishErrorsTest.apiError(
                503, JetStreamErrors.STREAM_STORE_FAILED, "maximum bytes exceeded"));
    var r = assertInstanceOf(EnqueueResult.Rejected.class, p.afterFailure(a, full, FAR));
    assertEquals(RejectReason.STREAM_FULL, r.reason());

    RetryPolicy.Attempts b = new RetryPolicy.Attempts("y");
    b.count = 1;
    var busy =
        PublishErrors.classify(
            PublishErrorsTest.apiError(
                429, JetStreamErrors.TOO_MANY_REQUESTS, "too many requests"));
    assertNull(p.afterFailure(b, busy, FAR), "not stored: worth another try");
    EnqueueResult end = p.afterFailure(b, busy, Deadline.in(Duration.ZERO));
    var over = assertInstanceOf(EnqueueResult.Rejected.class, end, String.valueOf(end));
    assertEquals(RejectReason.OVERLOADED, over.reason());
  }

  @Test
  @DisplayName("retries end inside the shortest duplicate window a provisioned stream has")
  void deadlineInsideDuplicateWindow() {
    RetryPolicy p = new RetryPolicy(ServerFeatures.of("2.9.10"));
    p.knowDuplicateWindow(Duration.ofSeconds(10));
    var o =
        dev.natsproof.broker.EnqueueOptions.builder()
            .attemptTimeout(Duration.ofSeconds(2))
            .deadline(Duration.ofMinutes(5))
            .build();
    Duration left = p.deadline(o).left();
    assertTrue(left.compareTo(Duration.ofSeconds(8)) <= 0, "deadline " + left);
  }
}
