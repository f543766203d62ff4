package dev.natsproof.results;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a nats-server version can do, as data for a pre-upgrade comparison: the JetStream features
 * an upgrade brings (or a team relies on), by the release that added them.
 */
public final class FeatureSupport {
  private FeatureSupport() {}

  private static final Map<String, ServerVersion> SINCE = new LinkedHashMap<>();

  static {
    SINCE.put("several consumer filter subjects", ServerVersion.of(2, 10, 0));
    SINCE.put("stream and consumer metadata", ServerVersion.of(2, 10, 0));
    SINCE.put("term with a reason (+TERM <reason>)", ServerVersion.of(2, 10, 4));
    SINCE.put("dedup before expected-sequence checks on clusters", ServerVersion.of(2, 10, 5));
    SINCE.put(
        "new leader serves only after applying the previous term", ServerVersion.of(2, 11, 0));
    SINCE.put("consumer pause", ServerVersion.of(2, 11, 0));
    SINCE.put("priority groups / pinned client", ServerVersion.of(2, 11, 0));
    SINCE.put("per-message TTL", ServerVersion.of(2, 11, 0));
    SINCE.put("API rejects unknown fields", ServerVersion.of(2, 12, 0));
    SINCE.put("atomic batch publish, counters", ServerVersion.of(2, 12, 0));
    SINCE.put("max-deliver messages kept on work queues", ServerVersion.of(2, 12, 5));
    SINCE.put("consumer reset API", ServerVersion.of(2, 14, 0));
    SINCE.put("graceful SIGTERM exits 0", ServerVersion.of(2, 11, 0));
  }

  /** Feature → whether {@code v} has it, in the order of the releases that added them. */
  public static Map<String, Boolean> of(ServerVersion v) {
    Map<String, Boolean> out = new LinkedHashMap<>();
    SINCE.forEach((name, since) -> out.put(name, v.atLeast(since)));
    return out;
  }

  public static Map<String, ServerVersion> since() {
    return Map.copyOf(SINCE);
  }
}
