package dev.natsproof.results;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A nats-server version as the server reports it ({@code 2.10.27}, {@code v2.11.0-RC.1}): three
 * numbers, ordered numerically, and whatever follows them kept as text. A pre-release sorts before
 * its release, so a finding fixed in {@code 2.11.0} is still expected on {@code 2.11.0-RC.1}.
 */
public record ServerVersion(int major, int minor, int patch, String suffix)
    implements Comparable<ServerVersion> {
  private static final Pattern FORM = Pattern.compile("v?(\\d+)\\.(\\d+)\\.(\\d+)(\\S*)");

  public ServerVersion {
    suffix = suffix == null ? "" : suffix;
  }

  public static ServerVersion of(int major, int minor, int patch) {
    return new ServerVersion(major, minor, patch, "");
  }

  /**
   * @throws IllegalArgumentException naming the text, when it holds no {@code X.Y.Z}
   */
  public static ServerVersion parse(String text) {
    Matcher m = FORM.matcher(text == null ? "" : text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a nats-server version: expected X.Y.Z such as 2.10.27");
    }
    return new ServerVersion(
        Integer.parseInt(m.group(1)),
        Integer.parseInt(m.group(2)),
        Integer.parseInt(m.group(3)),
        m.group(4));
  }

  /** Whether {@code text} reads as a version, without throwing. */
  public static boolean isVersion(String text) {
    return text != null && FORM.matcher(text.strip()).matches();
  }

  public boolean atLeast(ServerVersion other) {
    return compareTo(other) >= 0;
  }

  public boolean before(ServerVersion other) {
    return compareTo(other) < 0;
  }

  @Override
  public int compareTo(ServerVersion o) {
    int c = Integer.compare(major, o.major);
    if (c == 0) {
      c = Integer.compare(minor, o.minor);
    }
    if (c == 0) {
      c = Integer.compare(patch, o.patch);
    }
    if (c == 0 && !suffix.equals(o.suffix)) {
      // A pre-release (2.11.0-RC.1) comes before its release (2.11.0); a build tag (+b2) does not
      // change the order.
      boolean pre = suffix.startsWith("-");
      boolean otherPre = o.suffix.startsWith("-");
      if (pre != otherPre) {
        return pre ? -1 : 1;
      }
      c = suffix.compareTo(o.suffix);
    }
    return c;
  }

  @Override
  public String toString() {
    return major + "." + minor + "." + patch + suffix;
  }
}
