package dev.natsproof.chaos.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.natsproof.results.History;
import dev.natsproof.results.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The loss analysis must tell apart the causes a failed chaos run can have. */
class LossAnalysisTest {
  private final List<Op> ops = new ArrayList<>();
  private long t;

  private void ack(String process, String v, long seq, String detail) {
    t += 1_000_000;
    ops.add(new Op(process, "enqueue", v, seq, 0, Op.OK, t - 500_000, t, detail));
  }

  private void deliver(String v, long seq) {
    t += 1_000_000;
    ops.add(new Op("consumer", "deliver", v, seq, 1, Op.OK, t, t, null));
  }

  private void event(String process, String type, String value, String detail) {
    t += 1_000_000;
    ops.add(new Op(process, type, value, 0, 0, Op.OK, t, t, detail));
  }

  private Map<String, Object> analyse() {
    return LossAnalysis.of(History.of(ops));
  }

  @Test
  @DisplayName("nothing lost: only the count")
  void nothingLost() {
    ack("w0", "w0-1", 1, null);
    deliver("w0-1", 1);
    assertEquals(Map.of("lost", 0), analyse());
  }

  @Test
  @DisplayName("a range the stream lost: no value was ever delivered at those sequences")
  void streamLostARange() {
    event("w0", "connected", "nats://127.0.0.1:1001", null);
    event("a1", "connected", "nats://127.0.0.1:1002", null);
    ack("w0", "w0-1", 1, null);
    event("nemesis", "step", "rolling-restart", "stop n1 (stream leader)");
    ack("w0", "w0-2", 2, null);
    ack("a1", "a1-1", 3, null);
    ack("w0", "w0-3", 4, null);
    ack("w0", "w0-4", 5, null);
    deliver("w0-1", 1);
    deliver("w0-4", 5);
    Map<String, Object> a = analyse();
    assertEquals(3, a.get("lost"));
    assertEquals(Map.of("w0", 2, "a1", 1), a.get("lostByProcess"));
    assertEquals("2..4", a.get("lostAckedSequences"));
    assertEquals(3, a.get("lostSequenceNeverDelivered"));
    assertEquals(0, a.get("lostSequenceDeliveredHoldingAnotherValue"));
    assertEquals(
        Map.of(
            "w0", "nats://127.0.0.1:1001 since 1 ms",
            "a1", "nats://127.0.0.1:1002 since 2 ms"),
        a.get("connectedWhenFirstLostWasAcked"));
    assertEquals(List.of("4 ms step stop n1 (stream leader)"), a.get("nemesis"));
  }

  @Test
  @DisplayName("a reused sequence, a retried ack, and a loss confined to one writer")
  void reuseRetryAndOneWriter() {
    ack("w0", "w0-1", 10, "Acked[messageId=w0-1, stream=S, sequence=10, duplicate=true]");
    ack("a1", "a1-1", 11, null);
    ack("w0", "w0-2", 12, null);
    deliver("a1-1", 11);
    deliver("a1-7", 10); // another value at w0-1's sequence
    Map<String, Object> a = analyse();
    assertEquals(2, a.get("lost"));
    assertEquals(1, a.get("lostSequenceDeliveredHoldingAnotherValue"));
    assertEquals(1, a.get("lostSequenceNeverDelivered"));
    assertEquals(1, a.get("lostAckedAfterRetryOrAsDuplicate"));
    assertEquals("1 acked, 1 of them delivered", a.get("otherWritersInThatWindow"));
  }
}
