package dev.natsproof.broker;

import java.time.Duration;
import java.util.List;

/**
 * The streams of the game backend's must-not-lose traffic, with the subjects each uses and the
 * limits each has. Every limit is explicit, and what happens at it is chosen per use:
 *
 * <ul>
 *   <li><b>settlement</b> ({@code settle.<kind>.<id>}): battle rewards, currency and item changes.
 *       Work queue: each message processed once by the settlement workers, then gone. Unprocessed
 *       work never expires; at 1 GiB the stream refuses new work (enqueue is rejected {@code
 *       STREAM_FULL}) rather than dropping accepted work.
 *   <li><b>leaderboard</b> ({@code leaderboard.<board>.<player>}): score updates, ordered per key
 *       (subject); use {@code expectedLastSubjectSequence} for compare-and-set. 1000 updates per
 *       player, 30 days, 512 MiB; the oldest go first.
 *   <li><b>mail</b> ({@code mail.<player>.<kind>}): offline mail and friend requests, replayed on
 *       login from the last sequence the player saw. 30 days; at 1 GiB new mail is refused (the
 *       sender learns it) instead of unread mail being dropped.
 *   <li><b>audit</b> ({@code audit.<service>.<event>}): everything, kept 90 days, replayed by time
 *       range or sequence; at 4 GiB the oldest go first.
 *   <li><b>dead letters</b> ({@code dlq.<stream>.<consumer>}): what a consumer gave up on, with
 *       why. 30 days; at 256 MiB new dead letters are refused, and the message stays where it was
 *       until one can be stored.
 * </ul>
 *
 * Every stream has its own byte limit, so that one use filling up (audit, say) cannot take the
 * storage another needs to accept settlement work. The server's own storage limit still applies to
 * their sum.
 */
public final class GameStreams {
  private GameStreams() {}

  static final long MIB = 1024L * 1024;
  static final Duration DEDUP = Duration.ofMinutes(2);

  public static StreamSpec settlement(int replicas) {
    return new StreamSpec(
        "SETTLEMENT",
        List.of("settle.>"),
        StreamSpec.Retention.WORK_QUEUE,
        replicas,
        Duration.ZERO,
        DEDUP,
        -1,
        -1,
        1024 * MIB,
        StreamSpec.Discard.NEW);
  }

  public static StreamSpec leaderboard(int replicas) {
    return new StreamSpec(
        "LEADERBOARD",
        List.of("leaderboard.>"),
        StreamSpec.Retention.LIMITS,
        replicas,
        Duration.ofDays(30),
        DEDUP,
        1000,
        -1,
        512 * MIB,
        StreamSpec.Discard.OLD);
  }

  public static StreamSpec mail(int replicas) {
    return new StreamSpec(
        "MAIL",
        List.of("mail.>"),
        StreamSpec.Retention.LIMITS,
        replicas,
        Duration.ofDays(30),
        DEDUP,
        -1,
        -1,
        1024 * MIB,
        StreamSpec.Discard.NEW);
  }

  public static StreamSpec audit(int replicas) {
    return new StreamSpec(
        "AUDIT",
        List.of("audit.>"),
        StreamSpec.Retention.LIMITS,
        replicas,
        Duration.ofDays(90),
        DEDUP,
        -1,
        -1,
        4096 * MIB,
        StreamSpec.Discard.OLD);
  }

  /** Where consumers put what they gave up on: {@code dlq.<stream>.<consumer>}. */
  public static StreamSpec deadLetters(int replicas) {
    return new StreamSpec(
        "DEAD_LETTERS",
        List.of("dlq.>"),
        StreamSpec.Retention.LIMITS,
        replicas,
        Duration.ofDays(30),
        DEDUP,
        -1,
        -1,
        256 * MIB,
        StreamSpec.Discard.NEW);
  }

  public static List<StreamSpec> all(int replicas) {
    return List.of(
        settlement(replicas),
        leaderboard(replicas),
        mail(replicas),
        audit(replicas),
        deadLetters(replicas));
  }

  /** The mail subject of one player. */
  public static String mailSubject(String playerId, String kind) {
    return "mail."
        + Subjects.requireToken(playerId, "player id")
        + "."
        + Subjects.requireToken(kind, "mail kind");
  }

  /** Every mail subject of one player, for a replay on login. */
  public static String mailOf(String playerId) {
    return "mail." + Subjects.requireToken(playerId, "player id") + ".>";
  }

  public static String settlementSubject(String kind, String id) {
    return "settle."
        + Subjects.requireToken(kind, "settlement kind")
        + "."
        + Subjects.requireToken(id, "settlement id");
  }

  public static String leaderboardSubject(String board, String playerId) {
    return "leaderboard."
        + Subjects.requireToken(board, "board")
        + "."
        + Subjects.requireToken(playerId, "player id");
  }

  public static String auditSubject(String service, String event) {
    return "audit."
        + Subjects.requireToken(service, "service")
        + "."
        + Subjects.requireToken(event, "event");
  }

  /** The dead-letter subject of one consumer. */
  public static String deadLetterSubject(String stream, String consumer) {
    return "dlq."
        + Subjects.requireToken(stream, "stream")
        + "."
        + Subjects.requireToken(consumer, "consumer");
  }
}
