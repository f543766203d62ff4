package dev.natsproof.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Pins this JVM's threads to a CPU list with {@code taskset -a -p} (threads started later inherit
 * it), so that client and server, pinned apart, stop competing for one core. Linux only.
 */
public final class CpuPinning {
  private CpuPinning() {}

  /** Every thread of this JVM on {@code cpus} ({@code "1"}, {@code "1-3"}). */
  public static void pinThisJvm(String cpus) {
    if (cpus == null || !cpus.matches("[0-9]+([,-][0-9]+)*")) {
      throw new IllegalArgumentException("'" + cpus + "' is not a CPU list such as 1 or 1-3");
    }
    taskset(cpus);
  }

  /** Every thread of this JVM back on every CPU. */
  public static void unpinThisJvm() {
    int n = Runtime.getRuntime().availableProcessors();
    taskset(n == 1 ? "0" : "0-" + (n - 1));
  }

  /** The CPUs left for the client when the server gets CPU 0: {@code 1-(n-1)}. */
  public static String allButFirst() {
    int n = Runtime.getRuntime().availableProcessors();
    if (n < 2) {
      throw new IllegalStateException(
          "pinning needs 2 CPUs at least (server on one, client on the rest); this JVM sees " + n);
    }
    return n == 2 ? "1" : "1-" + (n - 1);
  }

  private static void taskset(String cpus) {
    long pid = ProcessHandle.current().pid();
    try {
      Process p =
          new ProcessBuilder("taskset", "-a", "-pc", cpus, Long.toString(pid))
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("taskset -a -pc " + cpus + " " + pid + " failed: " + out);
      }
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot run taskset (util-linux) to pin CPUs: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while pinning CPUs", e);
    }
  }
}
