package dev.natsproof.results;

/** Versions from {@code from} (inclusive) up to {@code until} (exclusive; null = no end known). */
public record VersionRange(ServerVersion from, ServerVersion until) {
  public static VersionRange of(String from, String until) {
    return new VersionRange(
        ServerVersion.parse(from), until == null ? null : ServerVersion.parse(until));
  }

  /** Every version. */
  public static VersionRange all() {
    return new VersionRange(ServerVersion.of(0, 0, 0), null);
  }

  public boolean contains(ServerVersion v) {
    return v.atLeast(from) && (until == null || v.before(until));
  }

  @Override
  public String toString() {
    if (until == null) {
      return from.equals(ServerVersion.of(0, 0, 0)) ? "every version" : from + " and later";
    }
    return from + " to before " + until;
  }
}
