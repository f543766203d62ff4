package dev.natsproof.results;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * A room fan-out workload, read strictly from a small YAML file named by its parameters ({@code
 * rooms-500x10-30hz-200b.yaml}). Unknown keys are an error: a typo must not silently fall back to a
 * default.
 *
 * @param name the file's base name (or the name given)
 * @param rooms rooms, each with its own publisher schedule and subject {@code room.<n>.state}
 * @param playersPerRoom subscriptions per room
 * @param hz frames per second per room (30 for state sync)
 * @param payloadBytes frame size, at least 16 (timestamp, room, sequence)
 * @param warmupSeconds run before recording
 * @param durationSeconds recorded run
 * @param subscriberConnections connections the players' subscriptions are spread over (a game
 *     gateway holds a few connections for many players)
 * @param publisherThreads threads (each with its own connection) sharing the rooms' schedules
 * @param gateP99Micros the gate: fan-out p99 must not exceed this
 * @param layout how players receive frames: {@link Layout#GATEWAY} (one subscription per room on
 *     one of the gateway's connections, handed to the room's player sessions in-process) or {@link
 *     Layout#PLAYER_SUBSCRIPTIONS} (a NATS subscription per player, spread over the connections;
 *     with {@code subscriberConnections = rooms × playersPerRoom} that is a connection per player)
 * @param publishSlotMicros the room servers' timer resolution: rooms' phases are spread over the
 *     tick in slots this wide, and the rooms of one slot are published together (1 = every room its
 *     own phase)
 * @param variants the clients measured side by side: {@code broker} (plain subscriptions), {@code
 *     broker-latest} (state sync through {@code subscribeLatest}: a slow handler gets the newest
 *     frame and intermediate ones are replaced, by design), {@code raw-jnats}
 * @param handlerMicros work per frame in the gateway's handler before it hands the frame to the
 *     room's players (0 = none): a slow gateway, where plain subscriptions queue and latest-only
 *     ones replace
 */
public record Workload(
    String name,
    int rooms,
    int playersPerRoom,
    int hz,
    int payloadBytes,
    int warmupSeconds,
    int durationSeconds,
    int subscriberConnections,
    int publisherThreads,
    long gateP99Micros,
    Layout layout,
    int publishSlotMicros,
    List<FanOutClient> variants,
    int handlerMicros) {

  /** The clients a workload measures unless it says otherwise. */
  public static final List<FanOutClient> DEFAULT_VARIANTS =
      List.of(FanOutClient.BROKER, FanOutClient.BROKER_LATEST, FanOutClient.RAW_JNATS);

  /** How the players' frames reach them; see the record's documentation. */
  public enum Layout {
    GATEWAY("gateway"),
    PLAYER_SUBSCRIPTIONS("player-subscriptions");

    private final String yaml;

    Layout(String yaml) {
      this.yaml = yaml;
    }

    public String yaml() {
      return yaml;
    }

    static Layout parse(String v, String where) {
      for (Layout l : values()) {
        if (l.yaml.equals(v)) {
          return l;
        }
      }
      throw new WorkloadException(
          "workload " + where + ": layout '" + v + "' is not one of gateway, player-subscriptions");
    }
  }

  static final Set<String> KEYS =
      new TreeSet<>(
          Set.of(
              "rooms",
              "playersPerRoom",
              "hz",
              "payloadBytes",
              "warmupSeconds",
              "durationSeconds",
              "subscriberConnections",
              "publisherThreads",
              "gateP99Micros",
              "layout",
              "publishSlotMicros",
              "variants",
              "handlerMicros"));

  public Workload {
    require(rooms >= 1 && rooms <= 100_000, "rooms", rooms, "1..100000");
    require(
        playersPerRoom >= 1 && playersPerRoom <= 1000, "playersPerRoom", playersPerRoom, "1..1000");
    require(hz >= 1 && hz <= 1000, "hz", hz, "1..1000");
    require(
        payloadBytes >= 16 && payloadBytes <= 1_000_000,
        "payloadBytes",
        payloadBytes,
        "16..1000000");
    require(warmupSeconds >= 0 && warmupSeconds <= 600, "warmupSeconds", warmupSeconds, "0..600");
    require(
        durationSeconds >= 1 && durationSeconds <= 3600,
        "durationSeconds",
        durationSeconds,
        "1..3600");
    require(
        subscriberConnections >= 1 && subscriberConnections <= 1000,
        "subscriberConnections",
        subscriberConnections,
        "1..1000");
    require(
        publisherThreads >= 1 && publisherThreads <= 64,
        "publisherThreads",
        publisherThreads,
        "1..64");
    require(gateP99Micros >= 1, "gateP99Micros", gateP99Micros, ">= 1");
    if (layout == null) {
      throw new WorkloadException(
          "workload key 'layout' is missing: gateway or player-subscriptions");
    }
    require(
        publishSlotMicros >= 1 && publishSlotMicros <= 1_000_000 / hz,
        "publishSlotMicros",
        publishSlotMicros,
        "1.." + 1_000_000 / hz + " (at most one tick)");
    if (variants == null || variants.isEmpty()) {
      throw new WorkloadException(
          "workload key 'variants' must list at least one of broker, broker-latest, raw-jnats");
    }
    variants = List.copyOf(variants);
    require(
        handlerMicros >= 0 && handlerMicros <= 1_000_000,
        "handlerMicros",
        handlerMicros,
        "0..1000000");
    if (handlerMicros > 0 && layout != Layout.GATEWAY) {
      throw new WorkloadException(
          "workload key 'handlerMicros' models the gateway's handler: it needs layout: gateway");
    }
    if (variants.contains(FanOutClient.BROKER_LATEST) && layout != Layout.GATEWAY) {
      throw new WorkloadException(
          "variant broker-latest subscribes once per room (state sync): it needs layout: gateway");
    }
  }

  private static void require(boolean ok, String key, long value, String range) {
    if (!ok) {
      throw new WorkloadException(
          "workload key '" + key + "' = " + value + " is out of range " + range);
    }
  }

  /** Deliveries per second the workload asks for. */
  public long deliveriesPerSecond() {
    return (long) rooms * playersPerRoom * hz;
  }

  /** Frames the subscriber connections receive per second (player deliveries in-process aside). */
  public long natsMessagesPerSecond() {
    return layout == Layout.GATEWAY ? (long) rooms * hz : deliveriesPerSecond();
  }

  public Workload withLayout(Layout newLayout, int connections) {
    return new Workload(
        name + (newLayout == layout ? "" : "-" + newLayout.yaml()),
        rooms,
        playersPerRoom,
        hz,
        payloadBytes,
        warmupSeconds,
        durationSeconds,
        connections,
        publisherThreads,
        gateP99Micros,
        newLayout,
        publishSlotMicros,
        newLayout == Layout.GATEWAY ? variants : withoutLatest(variants),
        newLayout == Layout.GATEWAY ? handlerMicros : 0);
  }

  private static List<FanOutClient> withoutLatest(List<FanOutClient> vs) {
    List<FanOutClient> out = new ArrayList<>(vs);
    out.remove(FanOutClient.BROKER_LATEST);
    return out.isEmpty() ? List.of(FanOutClient.BROKER) : out;
  }

  /** The same workload measured with these clients. */
  public Workload withVariants(List<FanOutClient> vs) {
    return new Workload(
        name,
        rooms,
        playersPerRoom,
        hz,
        payloadBytes,
        warmupSeconds,
        durationSeconds,
        subscriberConnections,
        publisherThreads,
        gateP99Micros,
        layout,
        publishSlotMicros,
        vs,
        handlerMicros);
  }

  public long tickNanos() {
    return 1_000_000_000L / hz;
  }

  public Workload withDuration(int warmup, int duration) {
    return new Workload(
        name,
        rooms,
        playersPerRoom,
        hz,
        payloadBytes,
        warmup,
        duration,
        subscriberConnections,
        publisherThreads,
        gateP99Micros,
        layout,
        publishSlotMicros,
        variants,
        handlerMicros);
  }

  public Workload withRooms(int newRooms) {
    return new Workload(
        "rooms-"
            + newRooms
            + "x"
            + playersPerRoom
            + "-"
            + hz
            + "hz-"
            + payloadBytes
            + "b"
            + (layout == Layout.GATEWAY ? "" : "-" + layout.yaml()),
        newRooms,
        playersPerRoom,
        hz,
        payloadBytes,
        warmupSeconds,
        durationSeconds,
        subscriberConnections,
        publisherThreads,
        gateP99Micros,
        layout,
        publishSlotMicros,
        variants,
        handlerMicros);
  }

  public static Workload parse(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      String base = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
      return parse(base, in, file.toString());
    } catch (IOException e) {
      throw new WorkloadException("cannot read workload file " + file + ": " + e.getMessage());
    }
  }

  /** A {@code .yaml}/{@code .yml} file by its path, else a bundled workload by its name. */
  public static Workload named(String nameOrFile) {
    return nameOrFile.endsWith(".yaml") || nameOrFile.endsWith(".yml")
        ? parse(Path.of(nameOrFile))
        : bundled(nameOrFile);
  }

  /** Parses a workload bundled under {@code /workloads/NAME.yaml} on the classpath. */
  public static Workload bundled(String name) {
    String res = "/workloads/" + name + ".yaml";
    try (InputStream in = Workload.class.getResourceAsStream(res)) {
      if (in == null) {
        throw new WorkloadException(
            "no bundled workload '"
                + name
                + "' (looked for "
                + res
                + "); give a file path instead");
      }
      return parse(name, in, res);
    } catch (IOException e) {
      throw new WorkloadException("cannot read " + res + ": " + e.getMessage());
    }
  }

  static Workload parse(String name, InputStream in, String where) {
    Object doc;
    try {
      doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
    } catch (RuntimeException e) {
      throw new WorkloadException("workload " + where + " is not valid YAML: " + e.getMessage());
    }
    if (!(doc instanceof Map<?, ?> raw)) {
      throw new WorkloadException(
          "workload " + where + " must be a YAML mapping of " + KEYS + ", got: " + doc);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : raw.entrySet()) {
      String k = String.valueOf(e.getKey());
      if (!KEYS.contains(k)) {
        throw new WorkloadException(
            "workload " + where + ": unknown key '" + k + "' (allowed: " + KEYS + ")");
      }
      m.put(k, e.getValue());
    }
    return new Workload(
        name,
        intOf(m, "rooms", where, null),
        intOf(m, "playersPerRoom", where, null),
        intOf(m, "hz", where, 30),
        intOf(m, "payloadBytes", where, 200),
        intOf(m, "warmupSeconds", where, 5),
        intOf(m, "durationSeconds", where, 30),
        intOf(m, "subscriberConnections", where, 4),
        intOf(m, "publisherThreads", where, 1),
        intOf(m, "gateP99Micros", where, 10_000),
        layoutOf(m, where),
        intOf(m, "publishSlotMicros", where, 1000),
        variantsOf(m, where),
        intOf(m, "handlerMicros", where, 0));
  }

  private static List<FanOutClient> variantsOf(Map<String, Object> m, String where) {
    Object v = m.get("variants");
    if (v == null) {
      Layout l = layoutOf(m, where);
      return l == Layout.GATEWAY ? DEFAULT_VARIANTS : withoutLatest(DEFAULT_VARIANTS);
    }
    if (!(v instanceof List<?> list)) {
      throw new WorkloadException(
          "workload " + where + ": key 'variants' must be a list such as [broker, raw-jnats]");
    }
    List<FanOutClient> out = new ArrayList<>();
    for (Object o : list) {
      try {
        out.add(FanOutClient.of(String.valueOf(o)));
      } catch (IllegalArgumentException e) {
        throw new WorkloadException("workload " + where + ": " + e.getMessage());
      }
    }
    return out;
  }

  private static Layout layoutOf(Map<String, Object> m, String where) {
    Object v = m.get("layout");
    if (v == null) {
      return Layout.GATEWAY;
    }
    return Layout.parse(String.valueOf(v), where);
  }

  private static int intOf(Map<String, Object> m, String key, String where, Integer dflt) {
    Object v = m.get(key);
    if (v == null) {
      if (dflt == null) {
        throw new WorkloadException(
            "workload " + where + ": required key '" + key + "' is missing");
      }
      return dflt;
    }
    if (!(v instanceof Integer i)) {
      throw new WorkloadException(
          "workload " + where + ": key '" + key + "' must be a whole number, got '" + v + "'");
    }
    return i;
  }
}
