package dev.natsproof.chaos.workload;

import dev.natsproof.broker.EnqueueOptions;
import dev.natsproof.broker.GameStreams;
import dev.natsproof.broker.ReplayRequest;
import dev.natsproof.broker.StreamBroker;
import dev.natsproof.broker.StreamMessage;
import dev.natsproof.chaos.ChaosWorkload;
import dev.natsproof.chaos.Outcomes;
import dev.natsproof.chaos.RunContext;
import dev.natsproof.chaos.checker.ReplayChecker;
import dev.natsproof.results.CheckResult;
import dev.natsproof.results.Findings;
import dev.natsproof.results.History;
import dev.natsproof.results.Interventions;
import dev.natsproof.results.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Replays after faults: offline mail ({@code mail.<player>.inbox}, replayed per player on login,
 * and again after the last one seen) or audit ({@code audit.<service>.event}, replayed by time
 * range and by sequence range, the two compared). Judged by {@link ReplayChecker}: every acked
 * value replayed, nothing never sent, stream order.
 */
public final class ReplayWorkload implements ChaosWorkload {
  /** Which replay. */
  public enum Kind {
    MAIL,
    AUDIT
  }

  private final Kind kind;
  private final List<String> problems = new ArrayList<>();
  private final Map<String, Object> inspected = new LinkedHashMap<>();
  private volatile Instant from;

  public ReplayWorkload(Kind kind) {
    this.kind = kind;
  }

  @Override
  public String streamName() {
    return kind == Kind.MAIL ? "MAIL" : "AUDIT";
  }

  /** Reads back after the load: no delivery is owed right after a heal. */
  @Override
  public boolean consumesThroughout() {
    return false;
  }

  @Override
  public String name() {
    return kind == Kind.MAIL ? "mail-replay" : "audit-replay";
  }

  @Override
  public void setUp(RunContext ctx) {
    ctx.admin().provision(kind == Kind.MAIL ? GameStreams.mail(1) : GameStreams.audit(1));
    from = Instant.now().minusSeconds(1);
  }

  @Override
  public List<Runnable> clients(RunContext ctx) {
    List<Runnable> out = new ArrayList<>();
    for (int w = 0; w < 2; w++) {
      StreamBroker b = ctx.broker();
      int w0 = w;
      out.add(
          () -> {
            History h = ctx.history();
            for (long n = 1; !ctx.stopped(); n++) {
              String player = "player" + (w0 * 20 + n % 20);
              String v = kind == Kind.MAIL ? player + ":" + w0 + "-" + n : "audit:" + w0 + "-" + n;
              String subject =
                  kind == Kind.MAIL
                      ? GameStreams.mailSubject(player, "inbox")
                      : GameStreams.auditSubject("svc" + w0, "event");
              long t = h.now();
              Outcomes.enqueue(
                  h,
                  (kind == Kind.MAIL ? "mailer" : "svc") + w0,
                  v,
                  t,
                  b.enqueue(
                      subject,
                      v.getBytes(),
                      EnqueueOptions.builder()
                          .idempotencyKey(v)
                          .deadline(Duration.ofSeconds(8))
                          .build()));
            }
          });
    }
    return out;
  }

  @Override
  public boolean drained() {
    return true; // nothing is consumed: what counts is what a replay returns afterwards
  }

  @Override
  public void inspect(RunContext ctx) {
    History h = ctx.history();
    StreamBroker admin = ctx.admin();
    if (kind == Kind.MAIL) {
      for (int p = 0; p < 40; p++) {
        String player = "player" + p;
        List<StreamMessage> inbox =
            admin.replay(ReplayRequest.after("MAIL", GameStreams.mailOf(player), 0));
        for (StreamMessage m : inbox) {
          h.event("login", "replay", m.dataAsString(), m.streamSequence(), 0, player);
        }
        // Logging in again after reading half: only what follows the last seen sequence.
        if (inbox.size() > 2) {
          long lastSeen = inbox.get(inbox.size() / 2).streamSequence();
          List<String> want =
              inbox.subList(inbox.size() / 2 + 1, inbox.size()).stream()
                  .map(StreamMessage::dataAsString)
                  .toList();
          List<String> got =
              admin
                  .replay(ReplayRequest.after("MAIL", GameStreams.mailOf(player), lastSeen))
                  .stream()
                  .map(StreamMessage::dataAsString)
                  .toList();
          if (!want.equals(got)) {
            problems.add(
                player + " replay after last seen " + lastSeen + ": " + got + " != " + want);
          }
        }
      }
    } else {
      List<StreamMessage> byTime =
          admin.replay(ReplayRequest.between("AUDIT", from, Instant.now().plusSeconds(60)));
      for (StreamMessage m : byTime) {
        h.event("auditor", "replay", m.dataAsString(), m.streamSequence(), 0, "audit");
      }
      long last = byTime.isEmpty() ? 1 : byTime.get(byTime.size() - 1).streamSequence();
      List<StreamMessage> bySeq = admin.replay(ReplayRequest.sequences("AUDIT", 1, last));
      if (bySeq.size() != byTime.size()) {
        problems.add(
            "time and sequence replays of the same range disagree: "
                + byTime.size()
                + " by time, "
                + bySeq.size()
                + " by sequence");
      }
    }
    inspected.putAll(
        StreamInspector.state(
            admin, kind == Kind.MAIL ? "MAIL" : "AUDIT", null, StreamInspector.highestAcked(h)));
  }

  @Override
  public List<CheckResult> check(History h) {
    List<CheckResult> out = new ArrayList<>();
    out.add(ReplayChecker.check(h));
    out.add(
        new CheckResult(
            "replay-again",
            problems.isEmpty() ? Verdict.PASS : Verdict.FAIL,
            problems.isEmpty() ? List.of("repeated replays agree") : List.copyOf(problems),
            Map.of("problems", (long) problems.size()),
            Map.of()));
    return out;
  }

  @Override
  public Map<String, Long> findings(History h, List<CheckResult> checks) {
    return Map.of(Findings.STREAM_VANISHED, StreamInspector.streamVanished(inspected));
  }

  @Override
  public Interventions interventions() {
    return Interventions.NONE;
  }

  @Override
  public Map<String, Object> postMortem(History h) {
    return new LinkedHashMap<>(inspected);
  }
}
