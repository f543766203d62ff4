package dev.natsproof.broker;

import java.time.Duration;
import java.util.List;

/**
 * The four streams of the game backend's must-not-lose traffic, with the subjects each uses.
 *
 * <ul>
 *   <li><b>settlement</b> ({@code settle.<kind>.<id>}): battle rewards, currency and item changes.
 *       Work queue: each message processed once by the settlement workers, then gone.
 *   <li><b>leaderboard</b> ({@code leaderboard.<board>.<player>}): score updates, ordered per key
 *       (subject); use {@code expectedLastSubjectSequence} for compare-and-set.
 *   <li><b>mail</b> ({@code mail.<player>.<kind>}): offline mail and friend requests, replayed on
 *       login from the last sequence the player saw.
 *   <li><b>audit</b> ({@code audit.<service>.<event>}): everything, kept 90 days, replayed by time
 *       range or sequence.
 * </ul>
 */
public final class GameStreams {
  private GameStreams() {}

  public static StreamSpec settlement(int replicas) {
    return new StreamSpec(
        "SETTLEMENT",
        List.of("settle.>"),
        StreamSpec.Retention.WORK_QUEUE,
        replicas,
        Duration.ofDays(7),
        Duration.ofMinutes(2),
        -1,
        -1);
  }

  public static StreamSpec leaderboard(int replicas) {
    return new StreamSpec(
        "LEADERBOARD",
        List.of("leaderboard.>"),
        StreamSpec.Retention.LIMITS,
        replicas,
        Duration.ofDays(30),
        Duration.ofMinutes(2),
        1000,
        -1);
  }

  public static StreamSpec mail(int replicas) {
    return new StreamSpec(
        "MAIL",
        List.of("mail.>"),
        StreamSpec.Retention.LIMITS,
        replicas,
        Duration.ofDays(30),
        Duration.ofMinutes(2),
        -1,
        -1);
  }

  public static StreamSpec audit(int replicas) {
    return new StreamSpec(
        "AUDIT",
        List.of("audit.>"),
        StreamSpec.Retention.LIMITS,
        replicas,
        Duration.ofDays(90),
        Duration.ofMinutes(2),
        -1,
        -1);
  }

  public static List<StreamSpec> all(int replicas) {
    return List.of(settlement(replicas), leaderboard(replicas), mail(replicas), audit(replicas));
  }

  /** The mail subject of one player. */
  public static String mailSubject(String playerId, String kind) {
    return "mail." + playerId + "." + kind;
  }

  public static String settlementSubject(String kind, String id) {
    return "settle." + kind + "." + id;
  }

  public static String leaderboardSubject(String board, String playerId) {
    return "leaderboard." + board + "." + playerId;
  }

  public static String auditSubject(String service, String event) {
    return "audit." + service + "." + event;
  }
}
