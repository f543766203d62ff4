package dev.natsproof.chaos;

import dev.natsproof.testkit.NatsServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Every ack path with a kill -9 and restart in the middle: messages are mid-nak, mid-nak-delay,
 * termed, unacked past ack wait, in progress, failing towards the dead-letter subject when the
 * server dies; after the restart each path must still behave as specified. What the server forgot
 * across the crash is judged as findings of its version. A control run does the same without the
 * crash.
 */
class AckPathsAcrossCrashChaosIT {
  static final String SUITE = "ack-paths";
  NatsServer server;

  @BeforeEach
  void start() {
    server = NatsServer.startDefault();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** One crash the moment every message was delivered once, then the drain. */
  static Schedule once(boolean crash) {
    return new Schedule(
        Duration.ZERO,
        crash ? 1 : 0,
        Duration.ZERO,
        Duration.ZERO,
        Duration.ZERO,
        Duration.ofSeconds(60),
        Duration.ofSeconds(30));
  }

  @Test
  @DisplayName("control: every ack path as specified, no crash")
  void control() {
    ChaosSupport.requirePass(
        ChaosSupport.run(SUITE, "control", Target.of(server), "ack-paths", null, once(false)));
  }

  @Test
  @DisplayName("kill -9 and restart while messages sit on every ack path: each still as specified")
  void acrossCrash() {
    ChaosSupport.requirePass(
        ChaosSupport.run(
            SUITE, "across-kill9", Target.of(server), "ack-paths", "kill-9", once(true)));
  }
}
