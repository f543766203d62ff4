package dev.natsproof.broker;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SubjectsTest {

  @ParameterizedTest
  @ValueSource(strings = {"room.42.state", "a", "player-1.cmd", "$JS.API.INFO"})
  @DisplayName("concrete subjects can be published to")
  void publishable(String s) {
    assertDoesNotThrow(() -> Subjects.requirePublishable(s));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "room 42", "room.*", "room.>", ".room", "room.", "a..b", "a\tb"})
  @DisplayName("empty, spaced, wildcard or empty-token subjects are refused for publish")
  void notPublishable(String s) {
    InvalidSubjectException e =
        assertThrows(InvalidSubjectException.class, () -> Subjects.requirePublishable(s));
    assertTrue(e.getMessage().startsWith("cannot publish to"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"room.*.state", "room.>", ">", "*", "room.42.state"})
  @DisplayName("whole-token wildcards can be subscribed to")
  void subscribable(String s) {
    assertDoesNotThrow(() -> Subjects.requireSubscribable(s));
  }

  @ParameterizedTest
  @ValueSource(strings = {"room.>.state", "room.4*", "a.b>", "", "room .x"})
  @DisplayName("'>' not last, partial-token wildcards and blanks are refused for subscribe")
  void notSubscribable(String s) {
    assertThrows(InvalidSubjectException.class, () -> Subjects.requireSubscribable(s));
  }

  @Test
  @DisplayName("a null subject is refused with a message, not a NullPointerException")
  void nullSubject() {
    assertThrows(InvalidSubjectException.class, () -> Subjects.requirePublishable(null));
  }

  @Test
  @DisplayName("queue names must be non-empty and have no whitespace")
  void queueNames() {
    assertDoesNotThrow(() -> Subjects.requireQueueName("room-workers"));
    assertThrows(InvalidSubjectException.class, () -> Subjects.requireQueueName(""));
    assertThrows(InvalidSubjectException.class, () -> Subjects.requireQueueName("a b"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "publish   | room 42      | subjects must not contain whitespace (found at index 4)",
        "publish   | a b..c       | subjects must not contain whitespace (found at index 1)",
        "publish   | a..b         | empty token (leading, trailing or double '.')",
        "publish   | .room        | empty token (leading, trailing or double '.')",
        "publish   | room.        | empty token (leading, trailing or double '.')",
        "publish   | room.*       | wildcards ('*', '>') are only for subscriptions",
        "subscribe | room.>.state | '>' must be the last token",
        "subscribe | room.4*      | a wildcard must be a whole token",
        "subscribe | a..>         | empty token (leading, trailing or double '.')",
      })
  @DisplayName("each rule names itself, whitespace first")
  void messages(String action, String subject, String expected) {
    var e =
        assertThrows(
            InvalidSubjectException.class,
            () -> {
              if (action.equals("publish")) {
                Subjects.requirePublishable(subject);
              } else {
                Subjects.requireSubscribable(subject);
              }
            });
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
