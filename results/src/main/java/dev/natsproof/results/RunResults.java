package dev.natsproof.results;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything one results folder holds, typed, as {@link ResultsDir#read()} found it.
 *
 * @param intervalLogs every {@code .hlog}, by its path relative to the folder
 */
public record RunResults(
    Path dir,
    List<FanOutRun> fanOuts,
    List<StreamRun> streams,
    List<CapacityRun> capacity,
    List<Located<ChaosVerdict>> chaos,
    List<Located<CoreChaosVerdict>> coreChaos,
    List<RollingUpgradeRun> rollingUpgrades,
    List<OverheadRun> overheads,
    List<JmhResult> jmh,
    Map<String, Path> intervalLogs) {

  /** A result and the folder it was read from (its history sits beside it). */
  public record Located<T>(T result, Path dir) {
    public Path history() {
      return dir.resolve(ResultsDir.HISTORY);
    }
  }

  public boolean isEmpty() {
    return fanOuts.isEmpty()
        && streams.isEmpty()
        && capacity.isEmpty()
        && chaos.isEmpty()
        && coreChaos.isEmpty()
        && rollingUpgrades.isEmpty()
        && overheads.isEmpty()
        && jmh.isEmpty();
  }

  /** The interval log whose file name is {@code name}, wherever below the folder it is. */
  public Optional<Path> intervalLog(String name) {
    return intervalLogs.entrySet().stream()
        .filter(e -> Path.of(e.getKey()).getFileName().toString().equals(name))
        .map(Map.Entry::getValue)
        .findFirst();
  }

  /**
   * The nats-server versions the results were measured on. A rolling upgrade's own chaos verdicts
   * started on the version it upgrades from and say so in their provenance; they count as the
   * version it upgraded to (its {@link RollingUpgradeRun} names both), so a candidate's folder is
   * not said to hold the baseline's version too.
   */
  public List<String> serverVersions() {
    java.util.TreeSet<String> v = new java.util.TreeSet<>();
    fanOuts.forEach(f -> v.add(f.provenance().natsServerVersion()));
    streams.forEach(s -> v.add(s.provenance().natsServerVersion()));
    chaos.stream()
        .map(Located::result)
        .filter(c -> !RollingUpgradeRun.SUITE.equals(c.suite()))
        .forEach(c -> v.add(c.provenance().natsServerVersion()));
    coreChaos.stream()
        .map(Located::result)
        .filter(c -> !RollingUpgradeRun.SUITE.equals(c.suite()))
        .forEach(c -> v.add(c.provenance().natsServerVersion()));
    rollingUpgrades.forEach(u -> v.add(u.toVersion()));
    return List.copyOf(v);
  }
}
