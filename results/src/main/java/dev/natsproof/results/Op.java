package dev.natsproof.results;

/**
 * One entry of a chaos history. Values are unique per writer ({@code w3-1042}); operations end
 * {@code ok}, {@code fail} (definitely did not happen) or {@code info} (may or may not have).
 *
 * @param process who did it: a writer, a consumer, or {@code nemesis}
 * @param type enqueue, deliver, ack, nak, term, dead-letter, fault, heal, restart, replay
 * @param value the unique value (or the fault's name for the nemesis)
 * @param seq stream sequence, when known (0 otherwise)
 * @param deliveries delivery count of a delivery (0 otherwise)
 * @param outcome ok, fail or info
 * @param startNanos monotonic start, relative to the run's start
 * @param endNanos monotonic end, relative to the run's start
 * @param detail error text or other detail, may be null
 */
public record Op(
    String process,
    String type,
    String value,
    long seq,
    long deliveries,
    String outcome,
    long startNanos,
    long endNanos,
    String detail) {

  public static final String OK = "ok";
  public static final String FAIL = "fail";
  public static final String INFO = "info";

  /** An enqueue's outcome: the history type every JetStream workload and reader shares. */
  public static final String ENQUEUE = "enqueue";

  /** A delivery to a consumer's handler. */
  public static final String DELIVER = "deliver";

  public boolean is(String t) {
    return type.equals(t);
  }

  public boolean ok() {
    return OK.equals(outcome);
  }
}
