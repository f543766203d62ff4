package dev.natsproof.testkit.toxiproxy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One toxic as the API shows it; attributes always list every attribute of the type. */
final class Toxic {
  static final Map<String, List<String>> ATTRIBUTES =
      Map.of(
          "latency", List.of("latency", "jitter"),
          "bandwidth", List.of("rate"),
          "slow_close", List.of("delay"),
          "timeout", List.of("timeout"),
          "reset_peer", List.of("timeout"),
          "limit_data", List.of("bytes"),
          "slicer", List.of("average_size", "size_variation", "delay"));

  final String name;
  final String type;
  final String stream; // "upstream" | "downstream"
  volatile double toxicity;
  final Map<String, Long> attributes = new LinkedHashMap<>();
  volatile boolean removed;

  Toxic(String name, String type, String stream, double toxicity) {
    this.name = name;
    this.type = type;
    this.stream = stream;
    this.toxicity = toxicity;
    for (String a : ATTRIBUTES.get(type)) {
      attributes.put(a, 0L);
    }
  }

  synchronized long attr(String key) {
    return attributes.getOrDefault(key, 0L);
  }

  /** Merges attributes after checking their types and ranges; nothing changes on an error. */
  synchronized void merge(Map<?, ?> given) {
    Map<String, Long> next = new LinkedHashMap<>(attributes);
    if (given != null) {
      for (Map.Entry<?, ?> e : given.entrySet()) {
        String key = String.valueOf(e.getKey()).toLowerCase();
        if (!attributes.containsKey(key)) {
          continue; // unknown attributes are ignored, as the real server's JSON decoding does
        }
        Object v = e.getValue();
        if (!(v instanceof Number n) || (v instanceof Double d && d != Math.rint(d))) {
          throw new ApiError(
              400, "json: cannot unmarshal " + describe(v) + " into Go struct field of type int64");
        }
        next.put(key, n.longValue());
      }
    }
    if (type.equals("bandwidth") && next.get("rate") < 0) {
      throw new ApiError(400, "bandwidth rate must not be negative");
    }
    if (type.equals("slicer") && next.get("average_size") < 1) {
      throw new ApiError(400, "slicer average_size must be at least 1");
    }
    for (Map.Entry<String, Long> e : next.entrySet()) {
      if (e.getValue() < 0 && !e.getKey().equals("jitter")) {
        throw new ApiError(400, type + " " + e.getKey() + " must not be negative");
      }
    }
    attributes.clear();
    attributes.putAll(next);
  }

  private static String describe(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof String) {
      return "string";
    }
    if (v instanceof Boolean) {
      return "bool";
    }
    return v.getClass().getSimpleName().toLowerCase();
  }

  synchronized Map<String, Object> json() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("type", type);
    m.put("stream", stream);
    m.put("toxicity", toxicity);
    m.put("attributes", new LinkedHashMap<>(attributes));
    return m;
  }
}
