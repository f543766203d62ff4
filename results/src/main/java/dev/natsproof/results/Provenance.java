package dev.natsproof.results;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Where a result came from, so two runs are only compared knowingly.
 *
 * @param natsServerVersion version the server reported
 * @param natsServerUrl what was targeted
 * @param embeddedServer whether natsproof started the server itself
 * @param jetStreamSync the server's JetStream sync setting ("default" = fsync every 2 min)
 * @param jnatsVersion client library version
 * @param jdk java.version of the JVM that measured
 * @param cpuCount processors available to that JVM
 * @param gitCommit the natsproof commit, or "unknown"
 * @param date when the run started (UTC)
 * @param workload workload name
 */
public record Provenance(
    String natsServerVersion,
    String natsServerUrl,
    boolean embeddedServer,
    String jetStreamSync,
    String jnatsVersion,
    String jdk,
    int cpuCount,
    String gitCommit,
    String date,
    String workload) {

  /** A run that started at {@code startedAt} (UTC, ISO-8601), measured by this JVM. */
  public static Provenance started(
      String serverVersion,
      String url,
      boolean embedded,
      String jnatsVersion,
      String startedAt,
      String workload) {
    return new Provenance(
        serverVersion,
        url,
        embedded,
        "default",
        jnatsVersion,
        System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors(),
        currentGitCommit(),
        startedAt,
        workload);
  }

  public static Provenance of(
      String serverVersion, String url, boolean embedded, String jnatsVersion, String workload) {
    return new Provenance(
        serverVersion,
        url,
        embedded,
        "default",
        jnatsVersion,
        System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors(),
        currentGitCommit(),
        Instant.now().toString(),
        workload);
  }

  /** {@code GIT_COMMIT}, else {@code git rev-parse HEAD}, else "unknown". */
  public static String currentGitCommit() {
    String env = System.getenv("GIT_COMMIT");
    if (env != null && !env.isBlank()) {
      return env.trim();
    }
    try {
      Process p = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0 && out.matches("[0-9a-f]{40}")) {
        return out;
      }
    } catch (IOException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return "unknown";
  }
}
