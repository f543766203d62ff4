package dev.natsproof.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.natsproof.broker.BrokerOptions;
import dev.natsproof.broker.ConsumeOptions;
import dev.natsproof.broker.ReplayRequest;
import dev.natsproof.broker.StreamMessage;
import dev.natsproof.broker.StreamSpec;
import dev.natsproof.broker.nats.NatsStreamBroker;
import dev.natsproof.chaos.checker.AckPathChecker;
import dev.natsproof.testkit.NatsServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Every ack path with a kill -9 and restart in the middle: messages are mid-nak, mid-nak-delay,
 * termed, unacked past ack wait, in progress, failing towards the dead-letter subject when the
 * server dies; after the restart each path must still behave as specified. A control run does the
 * same without the crash.
 */
class AckPathsAcrossCrashChaosIT {
  static final String SUITE = "ack-paths";
  static final long ACK_WAIT_MS = 2000;
  static final int PER_PATH = 10;
  NatsServer server;

  @BeforeEach
  void start() {
    server = NatsServer.startDefault();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  @DisplayName("control: every ack path as specified, no crash")
  void control() {
    requirePass(run("control", false));
  }

  @Test
  @DisplayName("kill -9 and restart while messages sit on every ack path: each still as specified")
  void acrossCrash() {
    requirePass(run("across-kill9", true));
  }

  static void requirePass(Verdict v) {
    System.out.println("CHAOS ack paths: " + v.status() + " " + v.reasons() + " " + v.counts());
    assertEquals(Verdict.Status.PASS, v.status(), v.reasons().toString());
  }

  Verdict run(String name, boolean crash) {
    History h = new History();
    Set<String> done = ConcurrentHashMap.newKeySet();
    Set<String> firstSeen = ConcurrentHashMap.newKeySet();
    ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor();
    BrokerOptions opts = BrokerOptions.of(server.clientUrl());
    try (NatsStreamBroker b = NatsStreamBroker.connect(opts)) {
      b.provision(ChaosSupport.queueStream("ACKP", 1));
      b.provision(
          new StreamSpec(
              "ACKPDLQ",
              List.of("ackp-dlq"),
              StreamSpec.Retention.LIMITS,
              1,
              Duration.ofHours(1),
              Duration.ofMinutes(2),
              -1,
              -1));
      var consumer =
          b.consume(
              "ACKP",
              m -> handle(m, h, done, firstSeen, progress),
              ConsumeOptions.builder()
                  .durable("paths")
                  .ackWait(Duration.ofMillis(ACK_WAIT_MS))
                  .maxDeliver(6)
                  .deadLetterSubject("ackp-dlq")
                  .build());
      for (String path : List.of("nak", "delay", "term", "wait", "prog", "dlq")) {
        for (int i = 0; i < PER_PATH; i++) {
          String v = path + "-" + i;
          long t = h.now();
          var r =
              b.enqueue(
                  "ackp.v", v.getBytes(), dev.natsproof.broker.EnqueueOptions.idempotencyKey(v));
          h.add(
              "w0",
              "enqueue",
              v,
              r.storedSequence().orElse(0L),
              0,
              r.isAcked() ? Op.OK : Op.INFO,
              t,
              null);
        }
      }
      Drain.until(() -> firstSeen.size() == 6 * PER_PATH, Duration.ofSeconds(30));
      if (crash) {
        h.event("nemesis", "fault", "kill-9", 0, 0, null);
        server.kill();
        server.start();
        h.event("nemesis", "heal", "kill-9", 0, 0, null);
      }
      // Everything but terms and dead letters ends acked; dead letters end in the DLQ stream.
      Drain.until(
          () -> done.size() == 4 * PER_PATH && dlqCount(b) >= PER_PATH, Duration.ofSeconds(60));
      // Terms must stay gone: watch for two ack waits more (the time is the behaviour here).
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2 * ACK_WAIT_MS));
      for (StreamMessage d : b.replay(ReplayRequest.after("ACKPDLQ", null, 0))) {
        h.event("dlq", "dead-letter", d.dataAsString(), d.streamSequence(), 0, null);
      }
      // A reset recreates the durable, and everything after its ack floor comes again.
      System.out.printf(
          "CHAOS ack paths %s consumer: repulls=%d resets=%d%n",
          name, consumer.repulls(), consumer.resets());
    } finally {
      progress.shutdownNow();
    }
    Verdict v = AckPathChecker.check(h, ACK_WAIT_MS);
    if (v.status() != Verdict.Status.PASS) {
      printTimelines(h, v);
    }
    h.writeJsonl(ChaosRun.defaultOut().resolve(SUITE).resolve(name).resolve("history.jsonl"));
    VerdictFiles.write(
        ChaosRun.defaultOut().resolve(SUITE).resolve(name),
        SUITE,
        name,
        crash ? "kill-9" : "none (control)",
        v,
        Map.of());
    return v;
  }

  /**
   * The ops of up to three values a failing verdict names, in ms from the first fault, so that a CI
   * log alone shows what happened (the history file stays on the CI machine).
   */
  private static void printTimelines(History h, Verdict v) {
    long zero =
        h.ops().stream()
            .filter(o -> o.is("fault"))
            .mapToLong(Op::endNanos)
            .min()
            .orElse(h.ops().isEmpty() ? 0 : h.ops().get(0).endNanos());
    List<String> named =
        v.reasons().stream()
            .filter(r -> r.contains(":"))
            .map(r -> r.substring(0, r.indexOf(':')).trim())
            .distinct()
            .limit(3)
            .toList();
    for (Op o : h.ops()) {
      if (o.is("fault") || o.is("heal") || named.contains(o.value())) {
        System.out.printf(
            "CHAOS ack paths timeline: %+.1f ms %s %s deliveries=%d%n",
            (o.endNanos() - zero) / 1e6, o.type(), o.value(), o.deliveries());
      }
    }
  }

  private static long dlqCount(NatsStreamBroker b) {
    try {
      return b.connection()
          .jetStreamManagement()
          .getStreamInfo("ACKPDLQ")
          .getStreamState()
          .getMsgCount();
    } catch (Exception e) {
      return -1; // not answerable right now (restarting)
    }
  }

  private static void handle(
      StreamMessage m,
      History h,
      Set<String> done,
      Set<String> firstSeen,
      ScheduledExecutorService progress)
      throws Exception {
    String v = m.dataAsString();
    h.event("consumer", "deliver", v, m.streamSequence(), m.deliveryCount(), null);
    firstSeen.add(v);
    // Decide by the server's count: after a crash it may start again from 1 (state forgotten).
    boolean first = m.deliveryCount() == 1;
    switch (v.substring(0, v.indexOf('-'))) {
      case "nak" -> {
        if (first) {
          h.event("consumer", "nak", v, m.streamSequence(), m.deliveryCount(), "0");
          m.nak();
        } else {
          ack(m, h, v);
          done.add(v);
        }
      }
      case "delay" -> {
        if (first) {
          h.event("consumer", "nak", v, m.streamSequence(), m.deliveryCount(), "3000");
          m.nak(Duration.ofMillis(3000));
        } else {
          ack(m, h, v);
          done.add(v);
        }
      }
      case "term" -> {
        h.event("consumer", "term", v, m.streamSequence(), m.deliveryCount(), null);
        m.term();
      }
      case "wait" -> {
        if (!first) {
          ack(m, h, v);
          done.add(v);
        }
      }
      case "prog" -> {
        if (first) {
          // Work for 2.5 ack waits, saying so every 0.6 s, then ack.
          for (long at = 600; at < ACK_WAIT_MS * 5 / 2; at += 600) {
            progress.schedule(
                () -> {
                  if (!m.isSettled()) {
                    m.inProgress();
                    h.event("consumer", "progress", v, m.streamSequence(), m.deliveryCount(), null);
                  }
                },
                at,
                TimeUnit.MILLISECONDS);
          }
          progress.schedule(
              () -> {
                if (!m.isSettled()) {
                  ack(m, h, v);
                  done.add(v);
                }
              },
              ACK_WAIT_MS * 5 / 2,
              TimeUnit.MILLISECONDS);
        } else {
          ack(m, h, v);
          done.add(v);
        }
      }
      default -> throw new IllegalStateException("poison: always fails"); // dlq-
    }
  }

  private static void ack(StreamMessage m, History h, String v) {
    h.event("consumer", "ack", v, m.streamSequence(), m.deliveryCount(), null);
    m.ack();
  }
}
