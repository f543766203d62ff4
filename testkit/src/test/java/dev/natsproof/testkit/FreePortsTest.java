package dev.natsproof.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FreePortsTest {
  @Test
  @DisplayName(
      "ports handed out in advance are never ephemeral ones (a server's own -1 port cannot take"
          + " them), never twice, and bindable")
  void outsideTheEphemeralRange() throws Exception {
    int[] eph = FreePorts.ephemeralRange(Path.of("/proc/sys/net/ipv4/ip_local_port_range"));
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      int p = FreePorts.next();
      assertTrue(
          p < eph[0] || p > eph[1], p + " is in the ephemeral range " + eph[0] + "-" + eph[1]);
      assertTrue(seen.add(p), p + " handed out twice");
    }
    // The ephemeral ports the kernel gives a "-1" listener never meet them.
    for (int i = 0; i < 50; i++) {
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        assertTrue(!seen.contains(s.getLocalPort()));
      }
    }
    int p = FreePorts.next();
    try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
      assertEquals(p, s.getLocalPort());
    }
  }

  @Test
  @DisplayName("the range file is read as low/high; unreadable or inverted → Linux's default")
  void rangeFile(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("range");
    Files.writeString(f, "40000\t50000\n");
    assertArrayEquals(new int[] {40000, 50000}, FreePorts.ephemeralRange(f));
    Files.writeString(f, "50000 40000\n");
    assertArrayEquals(FreePorts.DEFAULT_EPHEMERAL, FreePorts.ephemeralRange(f));
    assertArrayEquals(FreePorts.DEFAULT_EPHEMERAL, FreePorts.ephemeralRange(dir.resolve("none")));
    assertArrayEquals(new int[] {10_000, 39_999}, FreePorts.outside(new int[] {40000, 50000}));
    assertArrayEquals(new int[] {61_000, 65_535}, FreePorts.outside(new int[] {1024, 60999}));
    assertNull(FreePorts.outside(new int[] {1024, 65535}));
  }
}
