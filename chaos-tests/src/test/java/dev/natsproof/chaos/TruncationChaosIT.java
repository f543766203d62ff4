package dev.natsproof.chaos;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.broker.BrokerOptions;
import dev.natsproof.broker.EnqueueOptions;
import dev.natsproof.broker.ReplayRequest;
import dev.natsproof.broker.StreamMessage;
import dev.natsproof.broker.StreamSpec;
import dev.natsproof.broker.nats.NatsStreamBroker;
import dev.natsproof.chaos.checker.QueueChecker;
import dev.natsproof.chaos.nemesis.TruncateNemesis;
import dev.natsproof.testkit.NatsServer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A block file cut short while the server is down. Losing acked messages is possible here (the file
 * is damaged on purpose); the suite must report exactly what was lost, never pass silently: its
 * verdict says FAIL with the count when anything acked is gone, and the test fails only when the
 * check could not run (UNKNOWN) or the stream did not come back.
 */
class TruncationChaosIT {
  @Test
  @DisplayName("truncating the newest block file while down: what was lost is reported")
  void truncation() {
    History h = new History();
    try (NatsServer server = NatsServer.startDefault()) {
      StreamSpec spec =
          new StreamSpec(
              "TRUNC",
              List.of("trunc.>"),
              StreamSpec.Retention.LIMITS,
              1,
              Duration.ofHours(1),
              Duration.ofMinutes(2),
              -1,
              -1);
      long highestAcked = 0;
      try (NatsStreamBroker b = NatsStreamBroker.connect(BrokerOptions.of(server.clientUrl()))) {
        b.provision(spec);
        for (int i = 1; i <= 5000; i++) {
          String v = "t-" + i;
          long t = h.now();
          var r = b.enqueue("trunc.v", v.getBytes(), EnqueueOptions.idempotencyKey(v));
          h.add(
              "w0",
              "enqueue",
              v,
              r.storedSequence().orElse(0L),
              0,
              r.isAcked() ? Op.OK : Op.INFO,
              t,
              null);
          highestAcked = Math.max(highestAcked, r.storedSequence().orElse(0L));
        }
      }
      TruncateNemesis cut = new TruncateNemesis(server, "TRUNC", 4096);
      h.event("nemesis", "fault", cut.name(), 0, 0, null);
      cut.inject();
      h.event("nemesis", "heal", cut.name(), 0, 0, cut.lastTruncated());
      Map<String, Object> extra = new LinkedHashMap<>();
      extra.put("truncated", cut.lastTruncated());
      extra.put("highestAckedSequence", highestAcked);
      extra.put(
          "expectation",
          "loss allowed: the block file was damaged on purpose; lost = what it cost");
      extra.put("limits", cut.limits());
      try (NatsStreamBroker b = NatsStreamBroker.connect(BrokerOptions.of(server.clientUrl()))) {
        var state = b.connection().jetStreamManagement().getStreamInfo("TRUNC").getStreamState();
        extra.put("streamExistsAfterRestart", true);
        extra.put("lastSequenceAfterRestart", state.getLastSequence());
        extra.put("messagesAfterRestart", state.getMsgCount());
        for (StreamMessage m : b.replay(ReplayRequest.after("TRUNC", null, 0))) {
          h.event("reader", "deliver", m.dataAsString(), m.streamSequence(), 1, null);
        }
      } catch (Exception e) {
        extra.put("streamExistsAfterRestart", false);
        extra.put("error", e.toString());
      }
      Verdict v = QueueChecker.check(h);
      var dir = ChaosRun.defaultOut().resolve("truncation").resolve("newest-block-4096b");
      h.writeJsonl(dir.resolve("history.jsonl"));
      VerdictFiles.write(dir, "truncation", "newest-block-4096b", cut.name(), v, extra);
      System.out.println("CHAOS truncation: " + v.status() + " " + v.reasons() + " " + extra);
      assertTrue(
          (Boolean) extra.get("streamExistsAfterRestart"), "the stream must come back: " + extra);
      assertNotEquals(Verdict.Status.UNKNOWN, v.status(), v.reasons().toString());
    }
  }
}
