package dev.natsproof.testkit;

import dev.natsproof.results.ServerVersion;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the real {@code nats-server} binary is: {@code NATS_SERVER_PATH}, else the system property
 * {@code nats.server.path}, else a version from the server cache named by {@code
 * NATS_SERVER_VERSION} (or {@code nats.server.version}), else {@code nats-server} on {@code PATH}
 * (Debian installs it in /usr/sbin, which is not on every user's PATH, so that is looked at too),
 * else Debian bookworm's build when {@code ./natsproof servers get bookworm} has cached it.
 *
 * <p>Matrix runs name several: {@code NATSPROOF_SERVER_VERSIONS} (or {@code
 * natsproof.server.versions}) is a comma-separated list of versions, Debian suites or paths, each
 * resolved through the {@link ServerBuilds} cache.
 */
public final class NatsServerBinary {
  public static final String ENV = "NATS_SERVER_PATH";
  public static final String PROPERTY = "nats.server.path";
  public static final String VERSION_ENV = "NATS_SERVER_VERSION";
  public static final String VERSION_PROPERTY = "nats.server.version";
  public static final String MATRIX_ENV = "NATSPROOF_SERVER_VERSIONS";
  public static final String MATRIX_PROPERTY = "natsproof.server.versions";

  /** The build used when nothing names one, as {@code ./natsproof} does. */
  public static final String DEFAULT_SUITE = "bookworm";

  private static final Pattern VERSION = Pattern.compile("v?(\\d+\\.\\d+\\.\\d+\\S*)");

  private final Path path;
  private volatile String version;

  private NatsServerBinary(Path path) {
    this.path = path;
  }

  public static NatsServerBinary of(Path path) {
    if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
      throw new NatsServerNotFoundException(
          "nats-server not found at "
              + path
              + ": the path must be an executable file (check "
              + ENV
              + " or -D"
              + PROPERTY
              + ")");
    }
    return new NatsServerBinary(path.toAbsolutePath());
  }

  /** Locates the binary or throws an error that says how to get one. */
  public static NatsServerBinary locate() {
    String env = System.getenv(ENV);
    if (env != null && !env.isBlank()) {
      return of(Path.of(env));
    }
    String prop = System.getProperty(PROPERTY);
    if (prop != null && !prop.isBlank()) {
      return of(Path.of(prop));
    }
    String version = setting(VERSION_ENV, VERSION_PROPERTY);
    if (version != null) {
      return forVersion(version);
    }
    String pathVar = System.getenv().getOrDefault("PATH", "");
    for (String dir :
        (pathVar + File.pathSeparator + "/usr/sbin:/usr/local/sbin").split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, "nats-server");
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return new NatsServerBinary(candidate.toAbsolutePath());
      }
    }
    // As ./natsproof does: Debian bookworm's build when it is in the cache (fetched before).
    Optional<ServerBuilds.Build> cachedDefault = ServerBuilds.defaults().cached(DEFAULT_SUITE);
    if (cachedDefault.isPresent()) {
      return cachedDefault.get().toBinary();
    }
    throw new NatsServerNotFoundException(
        "nats-server not found: set "
            + ENV
            + " (or -D"
            + PROPERTY
            + ") to the binary, or "
            + VERSION_ENV
            + " to a cached version; `./natsproof servers get bookworm` fetches Debian's build"
            + " into the cache (./natsproof does this for you), or install nats-server");
  }

  /**
   * A build from the server cache: an exact version ({@code 2.10.27}), a Debian suite fetched
   * before ({@code trixie}), or a path to a binary.
   */
  public static NatsServerBinary forVersion(String versionOrSuite) {
    String v = versionOrSuite.strip();
    if (v.contains("/")) {
      return of(Path.of(v));
    }
    return ServerBuilds.defaults().require(v).toBinary();
  }

  /**
   * The binaries a matrix test runs against: every entry of {@code NATSPROOF_SERVER_VERSIONS}, or
   * just {@link #locate()} when none is given.
   */
  public static List<NatsServerBinary> matrix() {
    String list = setting(MATRIX_ENV, MATRIX_PROPERTY);
    if (list == null) {
      return List.of(locate());
    }
    List<NatsServerBinary> out = new ArrayList<>();
    for (String entry : list.split(",")) {
      if (!entry.isBlank()) {
        out.add(forVersion(entry));
      }
    }
    return out;
  }

  private static String setting(String env, String property) {
    String v = System.getenv(env);
    if (v == null || v.isBlank()) {
      v = System.getProperty(property);
    }
    return v == null || v.isBlank() ? null : v.strip();
  }

  public Path path() {
    return path;
  }

  /** The version the binary reports with {@code --version}, e.g. {@code 2.9.10}. */
  public String version() {
    String v = version;
    if (v == null) {
      v = askVersion();
      version = v;
    }
    return v;
  }

  /** {@link #version()} as a comparable version. */
  public ServerVersion serverVersion() {
    return ServerVersion.parse(version());
  }

  private String askVersion() {
    try {
      Process p =
          new ProcessBuilder(path.toString(), "--version").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(path + " --version did not exit within 10 s");
      }
      Matcher m = VERSION.matcher(out);
      if (!m.find()) {
        throw new IllegalStateException(path + " --version printed no version: " + out);
      }
      return m.group(1);
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + path + " --version: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + path + " --version", e);
    }
  }

  @Override
  public String toString() {
    return path.toString();
  }
}
