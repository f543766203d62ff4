package dev.natsproof.broker;

/**
 * JetStream features by server version, detected from the version in the server's INFO.
 *
 * @param version the version string, e.g. {@code 2.9.10}
 * @param termWithReason {@code +TERM <reason>} (2.10.4+; older servers ignore such a term)
 * @param multipleFilterSubjects consumers with several filter subjects (2.10+)
 * @param metadata stream and consumer metadata (2.10+)
 */
public record ServerFeatures(
    String version, boolean termWithReason, boolean multipleFilterSubjects, boolean metadata) {

  public static ServerFeatures of(String version) {
    int[] v = parse(version);
    boolean ge210 = compare(v, new int[] {2, 10, 0}) >= 0;
    return new ServerFeatures(version, compare(v, new int[] {2, 10, 4}) >= 0, ge210, ge210);
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
