package dev.natsproof.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Bad input to every Stream option is refused with a message that names it. */
class StreamOptionsTest {

  static String refused(Runnable r) {
    return assertThrows(IllegalArgumentException.class, r::run).getMessage();
  }

  @Test
  @DisplayName("a consumer needs a durable name, and durable and queue must agree")
  void durableRequired() {
    assertTrue(refused(() -> ConsumeOptions.builder().build()).contains("durable"));
    assertTrue(refused(() -> ConsumeOptions.builder().durable("")).contains("empty"));
    assertTrue(refused(() -> ConsumeOptions.builder().durable("a b")).contains("letters"));
    assertTrue(
        refused(() -> ConsumeOptions.builder().durable("a").queue("b").build()).contains("differ"));
    assertEquals("q", ConsumeOptions.builder().queue("q").build().durable());
  }

  @Test
  @DisplayName("negative or zero durations are refused")
  void durations() {
    assertTrue(
        refused(() -> ConsumeOptions.builder().ackWait(Duration.ofSeconds(-1)))
            .contains("ackWait"));
    assertTrue(refused(() -> ConsumeOptions.builder().ackWait(Duration.ZERO)).contains("ackWait"));
    assertTrue(
        refused(() -> ConsumeOptions.builder().backoff(Duration.ofMillis(-5))).contains("backoff"));
    assertTrue(
        refused(() -> ConsumeOptions.builder().pullExpiry(Duration.ofMillis(10))).contains("1 s"));
    assertTrue(
        refused(() -> ConsumeOptions.builder().nakDelayOnError(Duration.ofMillis(-1)))
            .contains("negative"));
  }

  @Test
  @DisplayName("max deliver must exceed the backoff steps, and a dead-letter subject needs it")
  void maxDeliverRules() {
    String m =
        refused(
            () ->
                ConsumeOptions.builder()
                    .durable("w")
                    .maxDeliver(2)
                    .backoff(Duration.ofSeconds(1), Duration.ofSeconds(2))
                    .build());
    assertTrue(m.contains("10116"), m);
    assertTrue(
        refused(() -> ConsumeOptions.builder().durable("w").backoff(Duration.ofSeconds(1)).build())
            .contains("maxDeliver"));
    assertTrue(
        refused(() -> ConsumeOptions.builder().durable("w").deadLetterSubject("dlq.x").build())
            .contains("maxDeliver"));
    assertTrue(refused(() -> ConsumeOptions.builder().maxDeliver(0)).contains("maxDeliver"));
    assertTrue(refused(() -> ConsumeOptions.builder().maxAckPending(0)).contains("maxAckPending"));
  }

  @Test
  @DisplayName("the redelivery delay follows the backoff list, its last step repeating")
  void backoffSteps() {
    ConsumeOptions o =
        ConsumeOptions.builder()
            .durable("w")
            .maxDeliver(5)
            .backoff(Duration.ofSeconds(1), Duration.ofSeconds(5))
            .build();
    assertEquals(Duration.ofSeconds(1), o.redeliveryDelay(1));
    assertEquals(Duration.ofSeconds(5), o.redeliveryDelay(2));
    assertEquals(Duration.ofSeconds(5), o.redeliveryDelay(4));
  }

  @Test
  @DisplayName("idempotency keys must be non-empty printable text of at most 256 characters")
  void idempotencyKeys() {
    assertTrue(refused(() -> EnqueueOptions.idempotencyKey("")).contains("business id"));
    assertTrue(refused(() -> EnqueueOptions.idempotencyKey("battle 1")).contains("space"));
    assertTrue(refused(() -> EnqueueOptions.idempotencyKey("x".repeat(257))).contains("256"));
    assertEquals(
        "battle-1", EnqueueOptions.idempotencyKey("battle-1").idempotencyKey().orElseThrow());
  }

  @Test
  @DisplayName("an enqueue deadline shorter than one attempt is refused")
  void enqueueDeadline() {
    assertTrue(
        refused(
                () ->
                    EnqueueOptions.builder()
                        .attemptTimeout(Duration.ofSeconds(5))
                        .deadline(Duration.ofSeconds(1))
                        .build())
            .contains("shorter"));
    assertTrue(refused(() -> EnqueueOptions.builder().expectedLastSequence(-1)).contains(">= 0"));
  }

  @Test
  @DisplayName("stream specs refuse bad names, no subjects and a dedup window longer than max age")
  void streamSpecs() {
    assertTrue(
        refused(
                () ->
                    new StreamSpec(
                        "a.b",
                        List.of("x.>"),
                        StreamSpec.Retention.LIMITS,
                        1,
                        Duration.ZERO,
                        Duration.ofMinutes(2),
                        -1,
                        -1))
            .contains("letters"));
    assertTrue(
        refused(
                () ->
                    new StreamSpec(
                        "A",
                        List.of(),
                        StreamSpec.Retention.LIMITS,
                        1,
                        Duration.ZERO,
                        Duration.ofMinutes(2),
                        -1,
                        -1))
            .contains("subject"));
    assertTrue(
        refused(
                () ->
                    new StreamSpec(
                        "A",
                        List.of("a.>"),
                        StreamSpec.Retention.LIMITS,
                        1,
                        Duration.ofSeconds(30),
                        Duration.ofMinutes(2),
                        -1,
                        -1))
            .contains("longer than maxAge"));
    assertEquals(5, GameStreams.all(3).size());
    assertEquals(StreamSpec.Retention.WORK_QUEUE, GameStreams.settlement(1).retention());
  }

  @Test
  @DisplayName(
      "every game stream has its own byte limit; settlement never expires unprocessed work")
  void gameStreamLimits() {
    for (StreamSpec s : GameStreams.all(1)) {
      assertTrue(s.maxBytes() > 0, s.name() + " has no byte limit of its own");
    }
    StreamSpec settlement = GameStreams.settlement(1);
    assertEquals(Duration.ZERO, settlement.maxAge(), "unprocessed rewards must not expire");
    assertEquals(StreamSpec.Discard.NEW, settlement.discard(), "full means refuse, not drop");
    assertEquals(StreamSpec.Discard.NEW, GameStreams.mail(1).discard());
    assertEquals(StreamSpec.Discard.NEW, GameStreams.deadLetters(1).discard());
    assertTrue(GameStreams.deadLetters(1).subjects().contains("dlq.>"));
  }

  @Test
  @DisplayName("subject helpers refuse a token with '.', a wildcard or whitespace")
  void subjectTokens() {
    assertEquals("mail.p1.friend", GameStreams.mailSubject("p1", "friend"));
    var e =
        assertThrows(
            InvalidSubjectException.class, () -> GameStreams.mailSubject("p1.x", "friend"));
    assertTrue(e.getMessage().contains("'.'"), e.getMessage());
    assertThrows(InvalidSubjectException.class, () -> GameStreams.mailOf("*"));
    assertThrows(InvalidSubjectException.class, () -> GameStreams.settlementSubject("b", "x y"));
    assertThrows(InvalidSubjectException.class, () -> GameStreams.leaderboardSubject("", "p"));
    assertEquals("dlq.SETTLEMENT.workers", GameStreams.deadLetterSubject("SETTLEMENT", "workers"));
  }

  @Test
  @DisplayName("a nak delay on error together with a backoff is refused: one would be ignored")
  void nakDelayWithBackoff() {
    assertTrue(
        refused(
                () ->
                    ConsumeOptions.builder()
                        .durable("d")
                        .maxDeliver(5)
                        .backoff(Duration.ofSeconds(1))
                        .nakDelayOnError(Duration.ofSeconds(2))
                        .build())
            .contains("nakDelayOnError and backoff"));
  }

  @Test
  @DisplayName("replay requests refuse a start both by sequence and by time, and reversed ranges")
  void replayRequests() {
    assertTrue(
        refused(() -> new ReplayRequest("S", null, 3, Instant.now(), 0, null, 10))
            .contains("not both"));
    assertTrue(refused(() -> ReplayRequest.sequences("S", 9, 3)).contains("after"));
    Instant t = Instant.now();
    assertTrue(refused(() -> ReplayRequest.between("S", t, t)).contains("not before"));
  }

  @Test
  @DisplayName("server features are read from the version: 2.9 lacks term reasons and multi-filter")
  void features() {
    ServerFeatures old = ServerFeatures.of("2.9.10");
    assertFalse(old.termWithReason());
    assertFalse(old.multipleFilterSubjects());
    ServerFeatures mid = ServerFeatures.of("2.10.3");
    assertTrue(mid.multipleFilterSubjects());
    assertFalse(mid.termWithReason());
    assertTrue(ServerFeatures.of("v2.12.1-beta").termWithReason());
    assertThrows(IllegalArgumentException.class, () -> ServerFeatures.of("two.nine"));
  }
}
