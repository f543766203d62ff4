package dev.natsproof.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.natsproof.broker.BrokerOptions;
import dev.natsproof.broker.ConsumeOptions;
import dev.natsproof.broker.EnqueueOptions;
import dev.natsproof.broker.EnqueueResult;
import dev.natsproof.broker.GameStreams;
import dev.natsproof.broker.ReplayRequest;
import dev.natsproof.broker.StreamMessage;
import dev.natsproof.broker.nats.NatsStreamBroker;
import dev.natsproof.chaos.checker.LedgerChecker;
import dev.natsproof.chaos.checker.OrderChecker;
import dev.natsproof.chaos.checker.QueueChecker;
import dev.natsproof.chaos.checker.ReplayChecker;
import dev.natsproof.chaos.nemesis.ProcessNemesis;
import dev.natsproof.testkit.NatsServer;
import dev.natsproof.testkit.game.SettlementLedger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
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
  List<NatsStreamBroker> brokers = new ArrayList<>();

  @BeforeEach
  void start() {
    server = NatsServer.startDefault();
  }

  @AfterEach
  void stop() {
    brokers.forEach(NatsStreamBroker::close);
    server.close();
  }

  NatsStreamBroker broker() {
    NatsStreamBroker b = NatsStreamBroker.connect(BrokerOptions.of(server.clientUrl()));
    brokers.add(b);
    return b;
  }

  static EnqueueOptions key(String k) {
    return EnqueueOptions.builder().idempotencyKey(k).deadline(Duration.ofSeconds(8)).build();
  }

  static void record(History h, String process, String value, long start, EnqueueResult r) {
    h.add(
        process,
        "enqueue",
        value,
        r.storedSequence().orElse(0L),
        0,
        switch (r.status()) {
          case ACKED -> Op.OK;
          case REJECTED -> Op.FAIL;
          case INDETERMINATE -> Op.INFO;
        },
        start,
        r.isAcked() ? null : r.toString());
  }

  static void finish(String run, History h, List<Verdict> vs) {
    Verdict.Status worst = Verdict.worst(vs);
    for (Verdict v : vs) {
      System.out.println(
          "CHAOS business/"
              + run
              + " "
              + v.checker()
              + ": "
              + v.status()
              + " "
              + v.reasons()
              + " "
              + v.counts());
    }
    var dir = ChaosRun.defaultOut().resolve(SUITE).resolve(run);
    h.writeJsonl(dir.resolve("history.jsonl"));
    Verdict main = vs.get(0);
    VerdictFiles.write(
        dir,
        SUITE,
        run,
        "kill-9",
        new Verdict(
            main.checker(),
            worst,
            vs.stream().flatMap(v -> v.reasons().stream()).toList(),
            main.counts(),
            main.samples()),
        Map.of("verdicts", vs));
    for (Verdict v : vs) {
      assertEquals(Verdict.Status.PASS, v.status(), v.checker() + ": " + v.reasons());
    }
  }

  @Test
  @DisplayName(
      "settlement under 4 kill -9s: every acked battle credited exactly once, ledger exact")
  void settlementLedger() throws Exception {
    History h = new History();
    NatsStreamBroker admin = broker();
    admin.provision(GameStreams.settlement(1));
    SettlementLedger ledger = new SettlementLedger();
    Map<String, Long> rewardOf = new ConcurrentHashMap<>();
    for (int w = 0; w < 2; w++) {
      broker()
          .consume(
              "SETTLEMENT",
              m -> {
                String battle = m.messageId().orElseThrow();
                h.event("worker", "deliver", battle, m.streamSequence(), m.deliveryCount(), null);
                long gold = Long.parseLong(m.dataAsString().split(":")[1]);
                boolean applied = ledger.credit(battle, m.dataAsString().split(":")[0], gold);
                h.event(
                    "worker",
                    "credit",
                    battle,
                    m.streamSequence(),
                    m.deliveryCount(),
                    applied ? "applied" : "duplicate");
                m.ack();
              },
              ConsumeOptions.builder().queue("settlers").ackWait(Duration.ofSeconds(3)).build());
    }
    List<Consumer<AtomicBoolean>> writers = new ArrayList<>();
    for (int w = 0; w < 3; w++) {
      NatsStreamBroker b = broker();
      String p = "gs" + w;
      writers.add(
          stop -> {
            for (long n = 1; !stop.get(); n++) {
              String battle = "battle-" + p + "-" + n;
              long gold = 10 + n % 90;
              rewardOf.put(battle, gold);
              long t = h.now();
              record(
                  h,
                  p,
                  battle,
                  t,
                  b.enqueue(
                      GameStreams.settlementSubject("battle", p + "-" + n),
                      ("player-" + (n % 50) + ":" + gold).getBytes(StandardCharsets.UTF_8),
                      key(battle)));
            }
          });
    }
    KillingLoad.run(
        h,
        new ProcessNemesis(server, ProcessNemesis.Mode.KILL),
        4,
        Duration.ofSeconds(16),
        writers);
    Set<String> acked = ConcurrentHashMap.newKeySet();
    h.ops().stream().filter(o -> o.is("enqueue") && o.ok()).forEach(o -> acked.add(o.value()));
    Drain.until(() -> acked.stream().allMatch(ledger::applied), Duration.ofSeconds(30));
    finish(
        "settlement-ledger",
        h,
        List.of(LedgerChecker.check(h, ledger.totalGold(), rewardOf), QueueChecker.check(h)));
  }

  @Test
  @DisplayName("leaderboard under 3 kill -9s: each player's updates first delivered in order")
  void leaderboardOrder() throws Exception {
    History h = new History();
    broker().provision(GameStreams.leaderboard(1));
    Set<String> delivered = ConcurrentHashMap.newKeySet();
    // Per-key order needs one message in flight at a time: with more, a message whose delivery was
    // lost in a crash comes back after newer ones.
    broker()
        .consume(
            "LEADERBOARD",
            m -> {
              h.event(
                  "ranker",
                  "deliver",
                  m.dataAsString(),
                  m.streamSequence(),
                  m.deliveryCount(),
                  null);
              delivered.add(m.dataAsString());
              m.ack();
            },
            ConsumeOptions.builder()
                .durable("ranker")
                .maxAckPending(1)
                .ackWait(Duration.ofSeconds(2))
                .build());
    List<Consumer<AtomicBoolean>> writers = new ArrayList<>();
    for (int w = 0; w < 2; w++) {
      NatsStreamBroker b = broker();
      int first = w * 10;
      writers.add(
          stop -> {
            for (long n = 1; !stop.get(); n++) {
              for (int k = first; k < first + 10 && !stop.get(); k++) {
                String v = "p" + k + ":" + n;
                long t = h.now();
                EnqueueResult r =
                    b.enqueue(
                        GameStreams.leaderboardSubject("global", "p" + k), v.getBytes(), key(v));
                record(h, "w" + first, v, t, r);
              }
            }
          });
    }
    KillingLoad.run(
        h,
        new ProcessNemesis(server, ProcessNemesis.Mode.KILL),
        3,
        Duration.ofSeconds(12),
        writers);
    Set<String> acked = ConcurrentHashMap.newKeySet();
    h.ops().stream().filter(o -> o.is("enqueue") && o.ok()).forEach(o -> acked.add(o.value()));
    Drain.until(() -> delivered.containsAll(acked), Duration.ofSeconds(60));
    Set<String> evicted =
        evictedByPerPlayerLimit(
            acked, delivered, GameStreams.leaderboard(1).maxMessagesPerSubject());
    if (!evicted.isEmpty()) {
      System.out.println(
          "CHAOS business/leaderboard-order: "
              + evicted.size()
              + " acked updates were never delivered and have at least "
              + GameStreams.leaderboard(1).maxMessagesPerSubject()
              + " newer acked updates of their player: the stream's per-player limit evicted them"
              + " while the consumer was behind (a crash stall), as LEADERBOARD is specified to");
    }
    History judged =
        History.of(
            h.ops().stream()
                .filter(o -> !(o.is("enqueue") && evicted.contains(o.value())))
                .toList());
    finish("leaderboard-order", h, List.of(OrderChecker.check(h), QueueChecker.check(judged)));
  }

  /**
   * The undelivered values ("p<k>:<n>") that the stream's limit of {@code keep} messages per player
   * has certainly discarded: {@code keep} newer values of the same player were acked, so stored
   * after it. Any other undelivered value is a loss.
   */
  static Set<String> evictedByPerPlayerLimit(Set<String> acked, Set<String> delivered, long keep) {
    Map<String, List<Long>> byPlayer = new java.util.HashMap<>();
    for (String v : acked) {
      String[] kn = v.split(":");
      byPlayer.computeIfAbsent(kn[0], k -> new ArrayList<>()).add(Long.parseLong(kn[1]));
    }
    Set<String> out = new java.util.HashSet<>();
    if (keep < 1) {
      return out;
    }
    for (Map.Entry<String, List<Long>> e : byPlayer.entrySet()) {
      List<Long> ns = e.getValue();
      ns.sort(null);
      for (int i = 0; i < ns.size(); i++) {
        String v = e.getKey() + ":" + ns.get(i);
        if (ns.size() - 1 - i >= keep && !delivered.contains(v)) {
          out.add(v);
        }
      }
    }
    return out;
  }

  @Test
  @DisplayName("offline mail under 3 kill -9s: a player's login replay is complete and ordered")
  void mailReplay() throws Exception {
    History h = new History();
    NatsStreamBroker admin = broker();
    admin.provision(GameStreams.mail(1));
    List<Consumer<AtomicBoolean>> writers = new ArrayList<>();
    for (int w = 0; w < 2; w++) {
      NatsStreamBroker b = broker();
      int w0 = w;
      writers.add(
          stop -> {
            for (long n = 1; !stop.get(); n++) {
              String player = "player" + (w0 * 20 + n % 20);
              String v = player + ":" + w0 + "-" + n;
              long t = h.now();
              record(
                  h,
                  "mailer" + w0,
                  v,
                  t,
                  b.enqueue(GameStreams.mailSubject(player, "inbox"), v.getBytes(), key(v)));
            }
          });
    }
    KillingLoad.run(
        h,
        new ProcessNemesis(server, ProcessNemesis.Mode.KILL),
        3,
        Duration.ofSeconds(12),
        writers);
    List<Verdict> vs = new ArrayList<>();
    for (int p = 0; p < 40; p++) {
      String player = "player" + p;
      List<StreamMessage> inbox =
          admin.replay(ReplayRequest.after("MAIL", "mail." + player + ".>", 0));
      for (StreamMessage m : inbox) {
        h.event("login", "replay", m.dataAsString(), m.streamSequence(), 0, player);
      }
      // Logging in again after reading half: only what follows the last seen sequence.
      if (inbox.size() > 2) {
        long lastSeen = inbox.get(inbox.size() / 2).streamSequence();
        List<StreamMessage> rest =
            admin.replay(ReplayRequest.after("MAIL", "mail." + player + ".>", lastSeen));
        List<String> want =
            inbox.subList(inbox.size() / 2 + 1, inbox.size()).stream()
                .map(StreamMessage::dataAsString)
                .toList();
        List<String> got = rest.stream().map(StreamMessage::dataAsString).toList();
        assertEquals(want, got, player + " replay after last seen " + lastSeen);
      }
    }
    vs.add(ReplayChecker.check(h));
    finish("mail-replay", h, vs);
  }

  @Test
  @DisplayName("audit under 3 kill -9s: replay by time range and by sequence range is complete")
  void auditReplay() throws Exception {
    History h = new History();
    NatsStreamBroker admin = broker();
    admin.provision(GameStreams.audit(1));
    Instant from = Instant.now().minusSeconds(1);
    List<Consumer<AtomicBoolean>> writers = new ArrayList<>();
    for (int w = 0; w < 2; w++) {
      NatsStreamBroker b = broker();
      int w0 = w;
      writers.add(
          stop -> {
            for (long n = 1; !stop.get(); n++) {
              String v = "audit:" + w0 + "-" + n;
              long t = h.now();
              record(
                  h,
                  "svc" + w0,
                  v,
                  t,
                  b.enqueue(GameStreams.auditSubject("svc" + w0, "event"), v.getBytes(), key(v)));
            }
          });
    }
    KillingLoad.run(
        h,
        new ProcessNemesis(server, ProcessNemesis.Mode.KILL),
        3,
        Duration.ofSeconds(12),
        writers);
    List<StreamMessage> byTime =
        admin.replay(ReplayRequest.between("AUDIT", from, Instant.now().plusSeconds(60)));
    for (StreamMessage m : byTime) {
      h.event("auditor", "replay", m.dataAsString(), m.streamSequence(), 0, "audit");
    }
    long last = byTime.isEmpty() ? 1 : byTime.get(byTime.size() - 1).streamSequence();
    List<StreamMessage> bySeq = admin.replay(ReplayRequest.sequences("AUDIT", 1, last));
    assertEquals(byTime.size(), bySeq.size(), "time and sequence replays of the same range agree");
    finish("audit-replay", h, List.of(ReplayChecker.check(h)));
  }
}
