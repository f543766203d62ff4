package dev.natsproof.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The finding rules, each with its negative control: a version where the finding is fixed (or was
 * never seen) must judge it FAIL.
 */
class FindingsTest {
  static Verdict on(String id, String version) {
    return Findings.judge(id, 1, ServerVersion.parse(version)).verdict();
  }

  @Test
  @DisplayName("sequence reuse: INFO on 2.9.10 and 2.10.27, FAIL from 2.11.0 which fixed it")
  void sequenceReuse() {
    assertEquals(Verdict.INFO, on(Findings.SEQUENCE_REUSE, "2.9.10"));
    assertEquals(Verdict.INFO, on(Findings.SEQUENCE_REUSE, "2.10.27"));
    assertEquals(Verdict.FAIL, on(Findings.SEQUENCE_REUSE, "2.11.0"));
    assertEquals(Verdict.FAIL, on(Findings.SEQUENCE_REUSE, "2.15.1"));
    assertTrue(
        Findings.judge(Findings.SEQUENCE_REUSE, 2, ServerVersion.parse("2.15.1"))
            .judgement()
            .contains("fixed in 2.11.0"));
  }

  @Test
  @DisplayName("a duplicate ack for an unstored write (nats-server#6486): FAIL from 2.11.0")
  void duplicateAck() {
    assertEquals(Verdict.INFO, on(Findings.DUPLICATE_ACK_UNSTORED, "2.10.27"));
    assertEquals(Verdict.INFO, on(Findings.DUPLICATE_ACK_UNSTORED, "2.11.0-RC.1"), "before 2.11.0");
    assertEquals(Verdict.FAIL, on(Findings.DUPLICATE_ACK_UNSTORED, "2.11.0"));
  }

  @Test
  @DisplayName("a stream lost to majority kills (nats-server#6888): only 2.10.20 to 2.10.22")
  void streamVanished() {
    assertEquals(Verdict.FAIL, on(Findings.STREAM_VANISHED, "2.10.19"));
    assertEquals(Verdict.INFO, on(Findings.STREAM_VANISHED, "2.10.21"));
    assertEquals(Verdict.FAIL, on(Findings.STREAM_VANISHED, "2.10.23"));
  }

  @Test
  @DisplayName("a work-queue sequence reset: expected up to 2.11.3, FAIL on 2.11.4 and later")
  void workQueueReset() {
    assertEquals(Verdict.INFO, on(Findings.WORK_QUEUE_SEQUENCE_RESET, "2.10.27"));
    assertEquals(Verdict.FAIL, on(Findings.WORK_QUEUE_SEQUENCE_RESET, "2.11.4"));
  }

  @Test
  @DisplayName("forgotten terms, pre-crash ack timers and wedges: seen only on 2.9, FAIL after")
  void seenOnlyOnOldServers() {
    for (String id :
        new String[] {
          Findings.TERMED_REDELIVERED, Findings.PRE_CRASH_ACK_TIMER, Findings.CONSUMER_WEDGED
        }) {
      assertEquals(Verdict.INFO, on(id, "2.9.10"), id);
      assertEquals(Verdict.FAIL, on(id, "2.10.27"), id);
      assertEquals(Verdict.FAIL, on(id, "2.15.1"), id);
    }
  }

  @Test
  @DisplayName("a slow subscriber stalling the publisher (nats-server#6568): FAIL from 2.10.26")
  void slowSubscriberStall() {
    assertEquals(Verdict.INFO, on(Findings.SLOW_SUBSCRIBER_STALL, "2.9.10"));
    assertEquals(Verdict.INFO, on(Findings.SLOW_SUBSCRIBER_STALL, "2.10.25"));
    assertEquals(Verdict.FAIL, on(Findings.SLOW_SUBSCRIBER_STALL, "2.10.26"));
    assertEquals(Verdict.FAIL, on(Findings.SLOW_SUBSCRIBER_STALL, "2.15.1"));
  }

  @Test
  @DisplayName("every finding with a fix is FAIL on its fix version (each rule can say FAIL)")
  void everyFixFails() {
    for (Findings.Finding f : Findings.all()) {
      if (f.fixedIn() != null) {
        assertEquals(Verdict.FAIL, on(f.id(), f.fixedIn()), f.id());
      }
    }
  }

  @Test
  @DisplayName("a vanished durable is expected on no version: always FAIL, never silent")
  void consumerVanished() {
    assertEquals(Verdict.FAIL, on(Findings.CONSUMER_VANISHED, "2.15.1"));
    assertEquals(Verdict.FAIL, on(Findings.CONSUMER_VANISHED, "2.9.10"));
  }

  @Test
  @DisplayName("a finding not seen is PASS; an id not in the catalog is refused")
  void notSeenAndUnknown() {
    assertEquals(
        Verdict.PASS,
        Findings.judge(Findings.SEQUENCE_REUSE, 0, ServerVersion.parse("2.15.1")).verdict());
    assertThrows(
        IllegalArgumentException.class,
        () -> Findings.judge("made-up", 1, ServerVersion.parse("2.9.10")));
    assertFalse(Findings.all().isEmpty());
  }
}
