package dev.natsproof.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.chaos.nemesis.ProcessNemesis;
import dev.natsproof.testkit.NatsServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Kill -9 rounds on one node during continuous sync and async enqueue and consume: nothing acked
 * may be lost, nothing unexpected may appear. With a no-fault control run and a negative control (a
 * broker that lies about acks) that must be caught.
 */
class ServerKillChaosIT {
  static final String SUITE = "server-kill";
  NatsServer server;

  @BeforeEach
  void start() {
    server = NatsServer.startDefault();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  ChaosRun run(String name, int sync, int async, int cycles, ProcessNemesis.Mode mode) {
    var plan =
        ChaosSupport.plan(
            SUITE,
            name,
            ChaosSupport.queueStream("KILLQ", 1),
            sync,
            async,
            cycles,
            Duration.ofMillis(2500),
            Duration.ofMillis(200));
    return new ChaosRun(
        plan,
        ChaosSupport.brokers(List.of(server.clientUrl()), false),
        mode == null ? null : new ProcessNemesis(server, mode),
        ChaosRun.defaultOut());
  }

  @Test
  @DisplayName("control: no faults, everything acked is delivered")
  void control() {
    ChaosSupport.requirePass(run("control", 2, 2, 3, null).run());
  }

  @Test
  @DisplayName("12 kill -9s under sync-heavy load: 0 lost, 0 unexpected")
  void killsSyncHeavy() {
    ChaosRun.Result r = run("kill9-sync-heavy", 3, 1, 12, ProcessNemesis.Mode.KILL).run();
    ChaosSupport.requirePass(r);
    assertEquals(12, r.faults().size());
  }

  @Test
  @DisplayName("12 kill -9s under async-heavy load: 0 lost, 0 unexpected")
  void killsAsyncHeavy() {
    ChaosRun.Result r = run("kill9-async-heavy", 1, 3, 12, ProcessNemesis.Mode.KILL).run();
    ChaosSupport.requirePass(r);
    assertEquals(12, r.faults().size());
  }

  @Test
  @DisplayName("4 SIGTERM restarts: 0 lost, 0 unexpected")
  void sigterm() {
    ChaosSupport.requirePass(run("sigterm", 2, 2, 4, ProcessNemesis.Mode.TERM).run());
  }

  @Test
  @DisplayName(
      "negative control: a broker that fakes 1 ack in 500 is caught as FAIL with lost values")
  void lyingBrokerIsCaught() {
    var plan =
        ChaosSupport.plan(
            SUITE,
            "negative-lying-broker",
            ChaosSupport.queueStream("LIEQ", 1),
            1,
            1,
            2,
            Duration.ofMillis(1500),
            Duration.ofMillis(200));
    var brokers = ChaosSupport.brokers(List.of(server.clientUrl()), false);
    ChaosRun.Result r =
        new ChaosRun(
                plan,
                () -> new LyingStreamBroker(brokers.get(), 500),
                new ProcessNemesis(server, ProcessNemesis.Mode.KILL),
                ChaosRun.defaultOut())
            .run();
    System.out.println(
        "CHAOS negative control: " + r.verdict().status() + " " + r.verdict().reasons());
    assertEquals(Verdict.Status.FAIL, r.verdict().status(), r.verdict().reasons().toString());
    assertTrue(r.verdict().count("lost") > 0);
  }
}
