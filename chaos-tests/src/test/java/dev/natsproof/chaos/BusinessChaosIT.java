package dev.natsproof.chaos;

import dev.natsproof.testkit.NatsServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The game's must-not-lose workloads under kill -9 rounds: the settlement ledger stays exact with
 * {@code battle-<id>} keys, leaderboard updates keep per-player order, offline mail replays
 * complete and ordered on login, audit replays by time and by sequence.
 */
class BusinessChaosIT {
  static final String SUITE = "business";
  NatsServer server;

  @BeforeEach
  void start() {
    server = NatsServer.startDefault();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** {@code kills} kill -9s spread over {@code seconds} of load. */
  ChaosRun.Outcome run(String workload, int kills, int seconds, Duration drain) {
    Duration slot = Duration.ofSeconds(seconds).dividedBy(kills + 1);
    Schedule s =
        new Schedule(
            Duration.ZERO, kills, slot, Duration.ZERO, slot, drain, Duration.ofSeconds(30));
    return ChaosSupport.run(SUITE, workload, Target.of(server), workload, "kill-9", s);
  }

  @Test
  @DisplayName(
      "settlement under 4 kill -9s: every acked battle credited exactly once, ledger exact")
  void settlementLedger() {
    ChaosSupport.requirePass(run("settlement-ledger", 4, 16, Duration.ofSeconds(30)));
  }

  @Test
  @DisplayName("leaderboard under 3 kill -9s: each player's updates first delivered in order")
  void leaderboardOrder() {
    ChaosSupport.requirePass(run("leaderboard-order", 3, 12, Duration.ofSeconds(60)));
  }

  @Test
  @DisplayName(
      "leaderboard with 8 handlers under 3 kill -9s: never two updates of one player at once,"
          + " nothing lost")
  void leaderboardParallel() {
    ChaosSupport.requirePass(run("leaderboard-order-parallel", 3, 12, Duration.ofSeconds(60)));
  }

  @Test
  @DisplayName("offline mail under 3 kill -9s: a player's login replay is complete and ordered")
  void mailReplay() {
    ChaosSupport.requirePass(run("mail-replay", 3, 12, Duration.ofSeconds(30)));
  }

  @Test
  @DisplayName("audit under 3 kill -9s: replay by time range and by sequence range is complete")
  void auditReplay() {
    ChaosSupport.requirePass(run("audit-replay", 3, 12, Duration.ofSeconds(30)));
  }
}
