package dev.natsproof.chaos.upgrade;

import dev.natsproof.results.Cli;
import dev.natsproof.results.RollingUpgradeRun;
import dev.natsproof.results.Units;
import dev.natsproof.testkit.NatsServerBinary;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rolling-upgrade FROM TO}: a live rolling upgrade of a 3-node cluster under game load, one
 * row per node, into a results folder the report reads. Exit 0 when nothing acked was lost and no
 * room froze past the limit (PASS or INFO), 1 on FAIL, 2 on UNKNOWN, 3 on bad arguments.
 */
@Command(
    name = "rolling-upgrade",
    mixinStandardHelpOptions = true,
    description =
        "A 3-node cluster on FROM moved node by node to TO (lame duck, restart on the new binary"
            + " with its store, catch-up) under Core room fan-out and JetStream settlement.")
public final class RollingUpgradeMain implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "FROM", description = "a version, Debian suite or binary")
  String from;

  @Parameters(index = "1", paramLabel = "TO", description = "a version, Debian suite or binary")
  String to;

  @Option(names = "--out", paramLabel = "DIR", description = "results folder (default runs/<time>)")
  Path out;

  @Option(
      names = "--load-seconds",
      description = "load before the first and after the last step (${DEFAULT-VALUE})")
  int loadSeconds = 5;

  public static void main(String[] args) {
    System.exit(Cli.run(new RollingUpgradeMain(), args));
  }

  @Override
  public Integer call() {
    if (loadSeconds < 1 || loadSeconds > 600) {
      throw new IllegalArgumentException("--load-seconds " + loadSeconds + " is out of 1..600");
    }
    NatsServerBinary a = NatsServerBinary.forVersion(from);
    NatsServerBinary b = NatsServerBinary.forVersion(to);
    if (a.serverVersion().compareTo(b.serverVersion()) >= 0) {
      throw new IllegalArgumentException(
          "FROM "
              + a.version()
              + " is not older than TO "
              + b.version()
              + ": a rolling upgrade goes from the old version to the new one");
    }
    Path dir =
        out != null
            ? out
            : Path.of(
                "runs",
                "rolling-upgrade-"
                    + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    System.out.printf(
        "rolling-upgrade: %s -> %s, 3 nodes, Core rooms + JetStream settlement -> %s%n",
        a.version(), b.version(), dir.toAbsolutePath());
    Duration load = Duration.ofSeconds(loadSeconds);
    RollingUpgradeRun r =
        RollingUpgrade.run(
            new RollingUpgrade.Options(
                a, b, dev.natsproof.results.ResultsDir.at(dir), load, load, System.out::println));
    System.out.printf(
        "%-24s %9s %9s %9s %10s %10s %8s %9s %10s%n",
        "node",
        "lame duck",
        "up",
        "caught up",
        "JS stall",
        "deliv stall",
        "missed",
        "room gap",
        "reconnects");
    for (RollingUpgradeRun.Step s : r.steps()) {
      System.out.printf(
          "%-24s %8.1fs %8.1fs %8.1fs %10s %10s %8d %9s %10d%n",
          s.node(),
          s.startedAtMs() / 1000.0,
          s.upAtMs() / 1000.0,
          s.caughtUpAtMs() / 1000.0,
          Units.millis(s.jetStreamStallMs()),
          Units.millis(s.deliveryStallMs()),
          s.coreFramesMissed(),
          Units.millis(s.longestRoomGapMs()),
          s.reconnects());
    }
    RollingUpgradeRun.JetStreamTotals js = r.jetStream();
    System.out.printf(
        "JetStream: %d acked, %d delivered, lost %d, stalled %d, duplicates %d | Core: longest gap"
            + " %s, %d reconnects | commands %d/%d answered, %d hung%n",
        js.acked(),
        js.delivered(),
        js.lost(),
        js.stalled(),
        js.duplicates(),
        Units.millis(r.core().longestGapMs()),
        r.core().reconnects(),
        r.commands().answered(),
        r.commands().sent(),
        r.commands().hung());
    if (r.refusedDowngrade() != null) {
      System.out.println("downgrade: " + r.refusedDowngrade());
    }
    System.out.println("rolling-upgrade: " + r.verdict() + " " + r.reasons());
    return r.verdict().exitCode();
  }
}
