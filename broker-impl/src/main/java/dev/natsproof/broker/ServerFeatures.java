package dev.natsproof.broker;

/**
 * JetStream features and behaviours by server version, detected from the version in the server's
 * INFO (and whether it is part of a cluster).
 *
 * @param version the version string, e.g. {@code 2.9.10}
 * @param clustered the connected server is part of a cluster
 * @param termWithReason {@code +TERM <reason>} (2.10.4+; older servers ignore such a term)
 * @param multipleFilterSubjects consumers with several filter subjects (2.10+)
 * @param metadata stream and consumer metadata (2.10+)
 * @param consumerReset the consumer reset API, {@code $JS.API.CONSUMER.RESET} (2.14+): a consumer
 *     goes back to its ack floor keeping its name and configuration
 * @param expectationsBeforeDedup a clustered stream checks {@code Nats-Expected-Last-Subject-
 *     Sequence} before it deduplicates by message id (before 2.10.5): a retry of a write that was
 *     stored then fails the check instead of coming back as a duplicate
 */
public record ServerFeatures(
    String version,
    boolean clustered,
    boolean termWithReason,
    boolean multipleFilterSubjects,
    boolean metadata,
    boolean consumerReset,
    boolean expectationsBeforeDedup) {

  /** A single server of that version. */
  public static ServerFeatures of(String version) {
    return of(version, false);
  }

  public static ServerFeatures of(String version, boolean clustered) {
    int[] v = parse(version);
    boolean ge210 = atLeast(v, 2, 10, 0);
    return new ServerFeatures(
        version,
        clustered,
        atLeast(v, 2, 10, 4),
        ge210,
        ge210,
        atLeast(v, 2, 14, 0),
        clustered && !atLeast(v, 2, 10, 5));
  }

  /** Whether the server is at least {@code major.minor.patch}. */
  public boolean atLeast(int major, int minor, int patch) {
    return atLeast(parse(version), major, minor, patch);
  }

  private static boolean atLeast(int[] v, int major, int minor, int patch) {
    return compare(v, new int[] {major, minor, patch}) >= 0;
  }

  static int[] parse(String version) {
    String core = version == null ? "" : version.replaceFirst("^v", "").split("[-+ ]")[0];
    String[] parts = core.split("\\.");
    int[] out = new int[3];
    for (int i = 0; i < 3 && i < parts.length; i++) {
      try {
        out[i] = Integer.parseInt(parts[i]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("cannot read server version '" + version + "'", e);
      }
    }
    return out;
  }

  static int compare(int[] a, int[] b) {
    for (int i = 0; i < 3; i++) {
      if (a[i] != b[i]) {
        return Integer.compare(a[i], b[i]);
      }
    }
    return 0;
  }
}
