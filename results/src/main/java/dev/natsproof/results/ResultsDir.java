package dev.natsproof.results;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The results folder: the one owner of its file names and of how each result is written and read.
 * Every natsproof file carries {@code "kind"} and {@code "schemaVersion"}; a file of another schema
 * version, or of no kind, is refused with a message that names it and says what to do.
 *
 * <p>Layout, relative to the folder (any nesting below it is read too):
 *
 * <ul>
 *   <li>{@code fanout-<workload>-<client>.json} ({@link FanOutRun}) and its interval logs {@code
 *       <workload>-<client>-fanout-latency.hlog}, {@code …-hiccup.hlog}
 *   <li>{@code stream-e2e-<rate>ps-<enqueue>-<ack>-r<n>.json} ({@link StreamRun}) and {@code
 *       …-latency.hlog}, {@code …-enqueue.hlog}, {@code …-hiccup.hlog}
 *   <li>{@code capacity-<client>[-<layout>].json} ({@link CapacityRun}); the attempts' own runs
 *       under {@value #CAPACITY_ATTEMPTS}/, which are not read as runs
 *   <li>{@code <suite>/<run>/verdict.json} ({@link ChaosVerdict}, {@link CoreChaosVerdict}) and
 *       {@code history.jsonl} beside it
 *   <li>{@code rolling-upgrade.json} ({@link RollingUpgradeRun})
 *   <li>{@code gates.json} ({@link GateReport}); {@code jmh.json} (JMH's own format)
 *   <li>{@code report.json}, {@code report.html}, {@code report.md}: the report, written by reports
 * </ul>
 */
public final class ResultsDir {
  /** The version of the files this natsproof writes and reads. */
  public static final int SCHEMA_VERSION = 1;

  public static final String KIND_FIELD = "kind";
  public static final String SCHEMA_FIELD = "schemaVersion";

  public static final String GATES = "gates.json";
  public static final String JMH = "jmh.json";
  public static final String VERDICT = "verdict.json";
  public static final String HISTORY = "history.jsonl";
  public static final String ROLLING_UPGRADE = "rolling-upgrade.json";
  public static final String REPORT_JSON = "report.json";
  public static final String REPORT_HTML = "report.html";
  public static final String REPORT_MD = "report.md";
  public static final String GATES_JUNIT = "gates-junit.xml";
  public static final String COMPARE_JSON = "compare.json";
  public static final String COMPARE_HTML = "compare.html";
  public static final String COMPARE_MD = "compare.md";
  public static final String CAPACITY_ATTEMPTS = "capacity-attempts";
  public static final String INTERVAL_LOG_SUFFIX = ".hlog";

  /** What a file holds, as its {@code kind} field says. */
  public enum Kind {
    FAN_OUT("fan-out", FanOutRun.class),
    STREAM("jetstream-end-to-end", StreamRun.class),
    CAPACITY("capacity", CapacityRun.class),
    CHAOS("chaos-verdict", ChaosVerdict.class),
    CORE_CHAOS("core-chaos-verdict", CoreChaosVerdict.class),
    ROLLING_UPGRADE("rolling-upgrade", RollingUpgradeRun.class),
    OVERHEAD("overhead", OverheadRun.class),
    GATES("gates", GateReport.class),
    REPORT("report", null),
    COMPARISON("comparison", null);

    final String id;
    final Class<?> type;

    Kind(String id, Class<?> type) {
      this.id = id;
      this.type = type;
    }

    public String id() {
      return id;
    }

    static Kind of(String id) {
      for (Kind k : values()) {
        if (k.id.equals(id)) {
          return k;
        }
      }
      return null;
    }
  }

  static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .findAndRegisterModules();

  private final Path dir;

  private ResultsDir(Path dir) {
    this.dir = dir;
  }

  public static ResultsDir at(Path dir) {
    return new ResultsDir(dir);
  }

  public Path dir() {
    return dir;
  }

  // ---------------------------------------------------------------- names

  public static String fanOutFile(String workload, FanOutClient client) {
    return "fanout-" + workload + "-" + client.id() + ".json";
  }

  public static String fanOutLatencyLog(String workload, FanOutClient client) {
    return workload + "-" + client.id() + "-fanout-latency" + INTERVAL_LOG_SUFFIX;
  }

  public static String fanOutHiccupLog(String workload, FanOutClient client) {
    return workload + "-" + client.id() + "-fanout-hiccup" + INTERVAL_LOG_SUFFIX;
  }

  public static String fanOutLatenessLog(String workload, FanOutClient client) {
    return workload + "-" + client.id() + "-fanout-lateness" + INTERVAL_LOG_SUFFIX;
  }

  public static String streamFile(StreamRunSpec spec) {
    return spec.name() + ".json";
  }

  /** The interval logs a JetStream end-to-end run writes beside its JSON. */
  public enum StreamLog {
    LATENCY("latency"),
    ENQUEUE("enqueue"),
    HICCUP("hiccup");

    final String part;

    StreamLog(String part) {
      this.part = part;
    }
  }

  public static String streamLog(StreamRunSpec spec, StreamLog what) {
    return spec.name() + "-" + what.part + INTERVAL_LOG_SUFFIX;
  }

  public static String capacityFile(FanOutClient client, String layout) {
    return "capacity-" + client.id() + (layout.equals("gateway") ? "" : "-" + layout) + ".json";
  }

  /** Where a chaos run keeps its verdict and history. */
  public Path runDir(String suite, String run) {
    return dir.resolve(suite).resolve(run);
  }

  public Path file(String name) {
    return dir.resolve(name);
  }

  // ---------------------------------------------------------------- writing

  public Path write(FanOutRun r) {
    return write(dir.resolve(r.fileName()), Kind.FAN_OUT, r);
  }

  public Path write(StreamRun r) {
    return write(dir.resolve(streamFile(r.spec())), Kind.STREAM, r);
  }

  public Path write(CapacityRun r) {
    return write(dir.resolve(r.fileName()), Kind.CAPACITY, r);
  }

  public Path write(GateReport r) {
    return write(dir.resolve(GATES), Kind.GATES, r);
  }

  public Path write(ChaosVerdict v) {
    return write(runDir(v.suite(), v.run()).resolve(VERDICT), Kind.CHAOS, v);
  }

  public Path write(CoreChaosVerdict v) {
    return write(runDir(v.suite(), v.run()).resolve(VERDICT), Kind.CORE_CHAOS, v);
  }

  public Path write(OverheadRun r) {
    return write(dir.resolve(r.name() + ".json"), Kind.OVERHEAD, r);
  }

  public Path write(RollingUpgradeRun r) {
    return write(dir.resolve(ROLLING_UPGRADE), Kind.ROLLING_UPGRADE, r);
  }

  /** A report or comparison document the reports module builds (any JSON-able value). */
  public Path writeDocument(String name, Kind kind, Object document) {
    return write(dir.resolve(name), kind, document);
  }

  private static Path write(Path file, Kind kind, Object value) {
    try {
      Files.createDirectories(file.getParent());
      ObjectNode node = JSON.createObjectNode();
      node.put(KIND_FIELD, kind.id);
      node.put(SCHEMA_FIELD, SCHEMA_VERSION);
      JsonNode body = JSON.valueToTree(value);
      if (body instanceof ObjectNode o) {
        node.setAll(o);
      } else {
        node.set("value", body);
      }
      Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
      JSON.writeValue(tmp.toFile(), node);
      Files.move(
          tmp,
          file,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  // ---------------------------------------------------------------- reading

  /** Reads one file of a known kind. */
  public static <T> T read(Path file, Class<T> type) {
    JsonNode node = tree(file);
    Kind k = kindOf(file, node);
    if (k.type != type) {
      throw new ResultsFormatException(
          file + " holds a " + k.id + " result, not " + type.getSimpleName());
    }
    return convert(file, node, type);
  }

  private static JsonNode tree(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new ResultsFormatException(
          file
              + " is not valid JSON ("
              + e.getMessage()
              + "): was the run cut short? Run it again.",
          e);
    }
  }

  private static Kind kindOf(Path file, JsonNode node) {
    JsonNode kind = node.path(KIND_FIELD);
    JsonNode version = node.path(SCHEMA_FIELD);
    if (kind.isMissingNode()) {
      throw new ResultsFormatException(
          file
              + " has no \""
              + KIND_FIELD
              + "\" field: it was written by a natsproof from before the results contract (schema"
              + " version "
              + SCHEMA_VERSION
              + "). Run the job again with this version to get readable results.");
    }
    Kind k = Kind.of(kind.asText());
    if (k == null) {
      throw new ResultsFormatException(
          file + " is of kind '" + kind.asText() + "', which this natsproof does not know");
    }
    if (version.asInt(-1) != SCHEMA_VERSION) {
      throw new ResultsFormatException(
          file
              + " is written in schema version "
              + version.asText("(none)")
              + "; this natsproof reads version "
              + SCHEMA_VERSION
              + ". Read it with the natsproof that wrote it, or run the job again with this one.");
    }
    return k;
  }

  private static <T> T convert(Path file, JsonNode node, Class<T> type) {
    ObjectNode copy = ((ObjectNode) node).deepCopy();
    copy.remove(KIND_FIELD);
    copy.remove(SCHEMA_FIELD);
    try {
      return JSON.treeToValue(copy, type);
    } catch (IOException e) {
      throw new ResultsFormatException(
          file + " does not match its kind's fields: " + e.getMessage(), e);
    }
  }

  /** Everything natsproof wrote under the folder, typed. */
  public RunResults read() {
    if (!Files.isDirectory(dir)) {
      throw new ResultsFormatException(
          "results folder " + dir + " does not exist: give the folder a run wrote (--out)");
    }
    List<FanOutRun> fanOuts = new ArrayList<>();
    List<StreamRun> streams = new ArrayList<>();
    List<CapacityRun> capacity = new ArrayList<>();
    List<RunResults.Located<ChaosVerdict>> chaos = new ArrayList<>();
    List<RunResults.Located<CoreChaosVerdict>> coreChaos = new ArrayList<>();
    List<RollingUpgradeRun> upgrades = new ArrayList<>();
    List<OverheadRun> overheads = new ArrayList<>();
    List<JmhResult> jmh = new ArrayList<>();
    Map<String, Path> logs = new TreeMap<>();
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir)) {
      files =
          s.filter(Files::isRegularFile)
              .filter(p -> !dir.relativize(p).toString().contains(CAPACITY_ATTEMPTS))
              .sorted()
              .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    for (Path f : files) {
      String name = f.getFileName().toString();
      if (name.endsWith(INTERVAL_LOG_SUFFIX)) {
        logs.put(dir.relativize(f).toString(), f);
        continue;
      }
      if (name.equals(JMH)) {
        jmh.addAll(readJmh(f));
        continue;
      }
      if (!name.endsWith(".json") || name.startsWith(".")) {
        continue;
      }
      JsonNode node = tree(f);
      if (!node.isObject() || node.path(KIND_FIELD).isMissingNode()) {
        if (name.equals(VERDICT) || name.startsWith("fanout-") || name.startsWith("stream-e2e-")) {
          kindOf(f, node); // a natsproof result from before the contract: say so
        }
        continue; // someone else's JSON (a server's, a tool's)
      }
      Kind k = kindOf(f, node);
      switch (k) {
        case FAN_OUT -> fanOuts.add(convert(f, node, FanOutRun.class));
        case STREAM -> streams.add(convert(f, node, StreamRun.class));
        case CAPACITY -> capacity.add(convert(f, node, CapacityRun.class));
        case CHAOS ->
            chaos.add(
                new RunResults.Located<>(convert(f, node, ChaosVerdict.class), f.getParent()));
        case CORE_CHAOS ->
            coreChaos.add(
                new RunResults.Located<>(convert(f, node, CoreChaosVerdict.class), f.getParent()));
        case ROLLING_UPGRADE -> upgrades.add(convert(f, node, RollingUpgradeRun.class));
        case OVERHEAD -> overheads.add(convert(f, node, OverheadRun.class));
        case GATES, REPORT, COMPARISON -> {
          // derived documents, written from the rest
        }
      }
    }
    return new RunResults(
        dir, fanOuts, streams, capacity, chaos, coreChaos, upgrades, overheads, jmh, logs);
  }

  /** JMH's JSON: an array of benchmark results. */
  static List<JmhResult> readJmh(Path f) {
    JsonNode root = tree(f);
    if (!root.isArray()) {
      throw new ResultsFormatException(f + " is not JMH's JSON (an array of results)");
    }
    List<JmhResult> out = new ArrayList<>();
    for (JsonNode b : root) {
      Map<String, String> params = new LinkedHashMap<>();
      Iterator<Map.Entry<String, JsonNode>> it = b.path("params").fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        params.put(e.getKey(), e.getValue().asText());
      }
      JsonNode pm = b.path("primaryMetric");
      double error = pm.path("scoreError").asDouble(Double.NaN);
      int samples = 0;
      for (JsonNode fork : pm.path("rawData")) {
        samples += fork.size();
      }
      out.add(
          new JmhResult(
              b.path("benchmark").asText(),
              b.path("mode").asText(),
              params,
              pm.path("score").asDouble(),
              error,
              pm.path("scoreUnit").asText(),
              b.path("forks").asInt(),
              samples));
    }
    return out;
  }

  /** Values as JSON text, the same way files are written (for documents embedded in HTML). */
  public static String toJson(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
