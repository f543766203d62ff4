package dev.natsproof.chaos.nemesis;

import dev.natsproof.testkit.NatsCluster;
import dev.natsproof.testkit.NatsServer;
import dev.natsproof.testkit.NatsServerBinary;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A rolling upgrade, the way an operator does it: each node in turn goes into lame-duck mode (its
 * clients move to the other nodes), exits, starts again on the new binary with its own store and
 * config, and the next node goes only once this one is healthy, the cluster has a meta leader and a
 * stream leader again, and this node's replica has caught up. Each step is named in the history:
 * {@code lame-duck}, {@code stopped}, {@code up}, {@code caught-up}.
 */
public final class UpgradeNemesis implements Nemesis {
  public static final String LAME_DUCK = "lame-duck";
  public static final String UP = "up";
  public static final String CAUGHT_UP = "caught-up";

  private final NatsCluster cluster;
  private final NatsServerBinary to;
  private final String stream;
  private final Duration lameDuckTimeout;
  private final Consumer<String> progress;
  private Consumer<String> steps = s -> {};
  private long startNanos;

  public UpgradeNemesis(
      NatsCluster cluster, NatsServerBinary to, String stream, Duration lameDuckTimeout) {
    this(cluster, to, stream, lameDuckTimeout, s -> {});
  }

  /** As above, each step also told to {@code progress} (a command line's progress lines). */
  public UpgradeNemesis(
      NatsCluster cluster,
      NatsServerBinary to,
      String stream,
      Duration lameDuckTimeout,
      Consumer<String> progress) {
    this.cluster = cluster;
    this.to = to;
    this.stream = stream;
    this.lameDuckTimeout = lameDuckTimeout;
    this.progress = progress;
  }

  private void step(String what) {
    steps.accept(what);
    progress.accept(String.format("  %5.1f s  %s", (System.nanoTime() - startNanos) / 1e9, what));
  }

  @Override
  public String name() {
    return "rolling-upgrade-to-" + to.version();
  }

  @Override
  public void inject() {
    startNanos = System.nanoTime();
    Duration wait = Duration.ofSeconds(90);
    for (NatsServer n : cluster.nodes()) {
      String role =
          cluster.streamLeader(stream).filter(n.name()::equals).isPresent()
              ? " (stream leader)"
              : "";
      step(LAME_DUCK + " " + n.name() + " " + n.version() + role);
      n.lameDuck(lameDuckTimeout);
      step("stopped " + n.name());
      n.useBinary(to);
      n.start();
      step(UP + " " + n.name() + " " + n.version());
      cluster.awaitHealthy(n, wait);
      cluster.awaitMetaLeader(wait);
      cluster.awaitStreamLeader(stream, wait);
      cluster.awaitCaughtUp(n, stream, wait);
      step(CAUGHT_UP + " " + n.name());
    }
  }

  @Override
  public void heal() {
    // every node is back, on the new version, inside the fault
  }

  @Override
  public void onStep(Consumer<String> steps) {
    this.steps = steps;
  }

  @Override
  public String limits() {
    return "lame-duck mode lasts at least 30 s per node (the server's minimum lame_duck_duration)";
  }
}
