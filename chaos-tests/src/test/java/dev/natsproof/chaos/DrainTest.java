package dev.natsproof.chaos;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DrainTest {
  @Test
  @DisplayName("returns true as soon as the condition holds, checking it again until then")
  void holds() {
    AtomicInteger checks = new AtomicInteger();
    assertTrue(Drain.until(() -> checks.incrementAndGet() >= 3, Duration.ofSeconds(30)));
  }

  @Test
  @DisplayName("returns false at the bound when the condition never holds")
  void bound() {
    assertFalse(Drain.until(() -> false, Duration.ofMillis(120)));
  }
}
