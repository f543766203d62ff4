package dev.natsproof.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the real {@code nats-server} binary is: {@code NATS_SERVER_PATH}, else the system property
 * {@code nats.server.path}, else {@code nats-server} on {@code PATH} (Debian installs it in
 * /usr/sbin, which is not on every user's PATH, so that is looked at too).
 */
public final class NatsServerBinary {
  public static final String ENV = "NATS_SERVER_PATH";
  public static final String PROPERTY = "nats.server.path";

  private static final Pattern VERSION = Pattern.compile("v?(\\d+\\.\\d+\\.\\d+\\S*)");

  private final Path path;

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
    throw new NatsServerNotFoundException(
        "nats-server not found: set "
            + ENV
            + " (or -D"
            + PROPERTY
            + ") to the binary, or install it: `sudo apt-get install nats-server` on Debian/Ubuntu"
            + " (./natsproof does this for you), or a release from the NATS project");
  }

  public Path path() {
    return path;
  }

  /** The version the binary reports with {@code --version}, e.g. {@code 2.9.10}. */
  public String version() {
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
