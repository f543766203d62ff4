package dev.natsproof.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ServerVersionTest {
  @Test
  @DisplayName("versions order by number, not by text: 2.9.10 before 2.10.0")
  void numericOrder() {
    assertTrue(ServerVersion.parse("2.9.10").before(ServerVersion.parse("2.10.0")));
    assertTrue(ServerVersion.parse("2.10.27").before(ServerVersion.parse("2.15.1")));
    assertEquals(0, ServerVersion.parse("v2.10.27").compareTo(ServerVersion.of(2, 10, 27)));
  }

  @Test
  @DisplayName("a pre-release comes before its release")
  void preRelease() {
    assertTrue(ServerVersion.parse("2.11.0-RC.1").before(ServerVersion.parse("2.11.0")));
    assertTrue(ServerVersion.parse("2.11.0-RC.1").atLeast(ServerVersion.parse("2.10.29")));
  }

  @Test
  @DisplayName("text without X.Y.Z is refused with the text in the message")
  void refusesGarbage() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ServerVersion.parse("trixie"));
    assertTrue(e.getMessage().contains("'trixie'"), e.getMessage());
    assertFalse(ServerVersion.isVersion("2.10"));
  }
}
