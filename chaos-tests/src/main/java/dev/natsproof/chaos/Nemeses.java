package dev.natsproof.chaos;

import dev.natsproof.chaos.nemesis.ClusterNemesis;
import dev.natsproof.chaos.nemesis.Nemesis;
import dev.natsproof.chaos.nemesis.ProcessNemesis;
import dev.natsproof.chaos.nemesis.ToxicNemesis;
import dev.natsproof.chaos.nemesis.TruncateNemesis;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The faults by name: a new fault is one class and one entry here. An entry makes the nemesis for a
 * target and, where it needs one, the stream it acts around (a cluster's stream leader).
 */
public final class Nemeses {
  private Nemeses() {}

  private static final Map<String, BiFunction<Target, String, Nemesis>> ALL = new LinkedHashMap<>();

  static {
    ALL.put("kill-9", (t, s) -> new ProcessNemesis(t.server(), ProcessNemesis.Mode.KILL));
    ALL.put("sigterm", (t, s) -> new ProcessNemesis(t.server(), ProcessNemesis.Mode.TERM));
    ALL.put("pause", (t, s) -> new ProcessNemesis(t.server(), ProcessNemesis.Mode.PAUSE));
    ALL.put("truncate-newest-block", (t, s) -> new TruncateNemesis(t.server(), s, 4096));
    for (ClusterNemesis.Mode m : ClusterNemesis.Mode.values()) {
      ALL.put(
          m.name().toLowerCase().replace('_', '-'),
          (t, s) -> new ClusterNemesis(t.cluster(), s, m));
    }
    for (ToxicDirection d : ToxicDirection.values()) {
      String dir = d.name().toLowerCase();
      ALL.put("latency-" + dir, (t, s) -> new ToxicNemesis(t.clientProxy(), "latency", d, 100));
      ALL.put("bandwidth-" + dir, (t, s) -> new ToxicNemesis(t.clientProxy(), "bandwidth", d, 50));
      ALL.put("timeout-" + dir, (t, s) -> new ToxicNemesis(t.clientProxy(), "timeout", d, 0));
      ALL.put("reset-peer-" + dir, (t, s) -> new ToxicNemesis(t.clientProxy(), "reset_peer", d, 0));
      ALL.put(
          "limit-data-" + dir,
          (t, s) -> new ToxicNemesis(t.clientProxy(), "limit_data", d, 200_000));
      ALL.put("slicer-" + dir, (t, s) -> new ToxicNemesis(t.clientProxy(), "slicer", d, 64));
      ALL.put(
          "slow-close-" + dir, (t, s) -> new ToxicNemesis(t.clientProxy(), "slow_close", d, 500));
    }
    ALL.put(
        "blackhole",
        (t, s) -> new ToxicNemesis(t.clientProxy(), "blackhole", ToxicDirection.DOWNSTREAM, 0));
  }

  /** The nemesis {@code name} on {@code target}, around {@code stream}. */
  public static Nemesis get(String name, Target target, String stream) {
    BiFunction<Target, String, Nemesis> f = ALL.get(name);
    if (f == null) {
      throw new IllegalArgumentException(
          "no nemesis '" + name + "' (known: " + List.copyOf(ALL.keySet()) + ")");
    }
    return f.apply(target, stream);
  }

  public static List<String> names() {
    return List.copyOf(ALL.keySet());
  }
}
