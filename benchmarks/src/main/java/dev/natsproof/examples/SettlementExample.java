package dev.natsproof.examples;

import dev.natsproof.broker.BrokerOptions;
import dev.natsproof.broker.ConsumeOptions;
import dev.natsproof.broker.EnqueueOptions;
import dev.natsproof.broker.EnqueueResult;
import dev.natsproof.broker.GameStreams;
import dev.natsproof.broker.StreamConsumer;
import dev.natsproof.broker.nats.NatsStreamBroker;
import dev.natsproof.testkit.NatsServer;
import dev.natsproof.testkit.game.SettlementLedger;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

/**
 * Battle settlement end to end: game servers enqueue each battle's reward with the key {@code
 * battle-<id>} (and, like a real caller after a timeout, send some of them twice); two settlement
 * workers share one durable consumer and credit an idempotent ledger. The run checks the ledger is
 * exact: every battle credited once, the total equal to the rewards sent.
 *
 * <pre>./natsproof example [--battles N] [--server nats://host:4222]</pre>
 */
public final class SettlementExample {

  public static void main(String[] args) {
    System.exit(run(args, System.out));
  }

  static int run(String[] args, PrintStream out) {
    int battles = 1000;
    String url = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--battles" -> battles = Integer.parseInt(args[++i]);
        case "--server" -> url = args[++i];
        default -> {
          out.println("usage: SettlementExample [--battles N] [--server nats://host:4222]");
          return 3;
        }
      }
    }
    NatsServer embedded = url == null ? NatsServer.startDefault() : null;
    String target = url != null ? url : embedded.clientUrl();
    try (NatsStreamBroker game = NatsStreamBroker.connect(BrokerOptions.of(target));
        NatsStreamBroker workerA = NatsStreamBroker.connect(BrokerOptions.of(target));
        NatsStreamBroker workerB = NatsStreamBroker.connect(BrokerOptions.of(target))) {
      game.provision(GameStreams.settlement(1));
      SettlementLedger ledger = new SettlementLedger();
      List<StreamConsumer> workers = new ArrayList<>();
      for (NatsStreamBroker w : List.of(workerA, workerB)) {
        workers.add(
            w.consume(
                "SETTLEMENT",
                m -> {
                  String battle = m.messageId().orElseThrow();
                  String[] parts = m.dataAsString().split(":");
                  ledger.credit(battle, parts[0], Long.parseLong(parts[1]));
                  m.ackSync(Duration.ofSeconds(5));
                },
                ConsumeOptions.builder()
                    .queue("settlement-workers")
                    .ackWait(Duration.ofSeconds(30))
                    .maxDeliver(5)
                    .backoff(Duration.ofSeconds(1), Duration.ofSeconds(5))
                    .build()));
      }

      long goldSent = 0;
      int duplicatesAcked = 0;
      List<CompletableFuture<EnqueueResult>> pending = new ArrayList<>();
      for (int b = 1; b <= battles; b++) {
        long gold = 10 + (b % 90);
        goldSent += gold;
        String body = "player-" + (b % 50) + ":" + gold;
        byte[] data = body.getBytes(StandardCharsets.UTF_8);
        EnqueueOptions key = EnqueueOptions.idempotencyKey("battle-" + b);
        pending.add(game.enqueueAsync(GameStreams.settlementSubject("battle", "b" + b), data, key));
        if (b % 10 == 0) {
          // A caller that timed out sends again with the same key: the stream stores it once.
          pending.add(
              game.enqueueAsync(GameStreams.settlementSubject("battle", "b" + b), data, key));
        }
      }
      int acked = 0;
      for (CompletableFuture<EnqueueResult> f : pending) {
        EnqueueResult r = f.join();
        if (r instanceof EnqueueResult.Acked a) {
          acked++;
          if (a.duplicate()) {
            duplicatesAcked++;
          }
        } else {
          out.println("enqueue not acked: " + r);
        }
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (ledger.battlesApplied() < battles && System.nanoTime() < deadline) {
        LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
      }
      workers.forEach(w -> w.drain(Duration.ofSeconds(5)));
      boolean exact = ledger.battlesApplied() == battles && ledger.totalGold() == goldSent;
      out.printf(
          "settlement: %d battles enqueued (%d acks, %d of them duplicates absorbed by the stream);"
              + " ledger credited %d battles, %d gold of %d sent; worker A handled %d, worker B %d;"
              + " %d redeliveries ignored by the ledger -> %s%n",
          battles,
          acked,
          duplicatesAcked,
          ledger.battlesApplied(),
          ledger.totalGold(),
          goldSent,
          workers.get(0).delivered(),
          workers.get(1).delivered(),
          ledger.duplicatesIgnored(),
          exact ? "EXACT" : "NOT EXACT");
      return exact ? 0 : 1;
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
  }
}
