package dev.natsproof.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback ports free at the time of asking, only for ports others must know in advance (a
 * cluster's route listeners, a proxy's listen port).
 *
 * <p>They come from below the kernel's ephemeral range: a port a server picks itself ({@code -1})
 * is an ephemeral one, so it can never take a port handed out here before its owner binds it
 * (observed: a node's own client port took the next node's route port, "Error listening on router
 * port: bind: address already in use"). No port is handed out twice by one JVM.
 */
public final class FreePorts {
  /** Used when the range file cannot be read: Linux's default. */
  static final int[] DEFAULT_EPHEMERAL = {32768, 60999};

  private static final int LOWEST = 10_000;
  private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

  private FreePorts() {}

  public static int next() {
    int[] eph = ephemeralRange(Path.of("/proc/sys/net/ipv4/ip_local_port_range"));
    int[] range = outside(eph);
    if (range == null) {
      return anyFree();
    }
    int span = range[1] - range[0] + 1;
    int start = ThreadLocalRandom.current().nextInt(span);
    for (int i = 0; i < span; i++) {
      int port = range[0] + (start + i) % span;
      if (!GIVEN.contains(port) && bindable(port) && GIVEN.add(port)) {
        return port;
      }
    }
    return anyFree();
  }

  /** The kernel's ephemeral range as {@code [low, high]}, or Linux's default. */
  static int[] ephemeralRange(Path file) {
    try {
      String[] parts = Files.readString(file).trim().split("\\s+");
      int low = Integer.parseInt(parts[0]);
      int high = Integer.parseInt(parts[1]);
      return low <= high ? new int[] {low, high} : DEFAULT_EPHEMERAL;
    } catch (IOException | RuntimeException e) {
      return DEFAULT_EPHEMERAL;
    }
  }

  /**
   * A range of at least 2000 ports outside {@code ephemeral} (below it when there is room, else
   * above), or null when the ephemeral range leaves none.
   */
  static int[] outside(int[] ephemeral) {
    if (ephemeral[0] - 1 - LOWEST >= 2000) {
      return new int[] {LOWEST, ephemeral[0] - 1};
    }
    if (65535 - (ephemeral[1] + 1) >= 2000) {
      return new int[] {ephemeral[1] + 1, 65535};
    }
    return null;
  }

  private static boolean bindable(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int anyFree() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      GIVEN.add(s.getLocalPort());
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }
}
