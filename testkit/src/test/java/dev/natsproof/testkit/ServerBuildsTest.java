package dev.natsproof.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server cache with real binaries: the located nats-server, copied and archived. */
class ServerBuildsTest {
  @TempDir Path tmp;

  @Test
  @DisplayName("a Debian version loses its epoch and revision: 1:2.10.27-1+b2 is 2.10.27")
  void upstreamVersion() {
    assertEquals("2.10.27", ServerBuilds.upstreamVersion("1:2.10.27-1+b2"));
    assertEquals("2.15.1", ServerBuilds.upstreamVersion("2.15.1-1"));
    assertEquals("2.9.10", ServerBuilds.upstreamVersion("2.9.10"));
  }

  @Test
  @DisplayName("a local binary is cached under the version it reports, and found by that version")
  void cachesALocalBinary() {
    NatsServerBinary real = NatsServerBinary.locate();
    ServerBuilds cache = ServerBuilds.at(tmp.resolve("cache"));
    ServerBuilds.Build b = cache.get(real.path().toString());
    assertEquals(real.version(), b.version());
    assertEquals(real.version(), NatsServerBinary.of(b.binary()).version());
    assertEquals(List.of(b), cache.list());
    assertEquals(b, cache.require(real.version()));
    assertTrue(b.source().startsWith("file "), b.source());
  }

  @Test
  @DisplayName("a release archive (.zip, as NATS publishes them) yields its nats-server")
  void cachesAZipRelease() throws IOException {
    NatsServerBinary real = NatsServerBinary.locate();
    Path zip = tmp.resolve("nats-server-v" + real.version() + "-linux-amd64.zip");
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
      out.putNextEntry(new ZipEntry("nats-server-v" + real.version() + "-linux-amd64/README.md"));
      out.write("readme".getBytes());
      out.putNextEntry(new ZipEntry("nats-server-v" + real.version() + "-linux-amd64/nats-server"));
      Files.copy(real.path(), out);
    }
    ServerBuilds.Build b = ServerBuilds.at(tmp.resolve("cache")).get(zip.toString());
    assertEquals(real.version(), b.version());
  }

  @Test
  @DisplayName("a release archive (.tar.gz) yields its nats-server")
  void cachesATarRelease() throws Exception {
    NatsServerBinary real = NatsServerBinary.locate();
    Path dir = Files.createDirectories(tmp.resolve("src/nats-server-v" + real.version()));
    Files.copy(real.path(), dir.resolve("nats-server"));
    Path tgz = tmp.resolve("release.tar.gz");
    Process p =
        new ProcessBuilder("tar", "-czf", tgz.toString(), "-C", tmp.resolve("src").toString(), ".")
            .inheritIO()
            .start();
    assertEquals(0, p.waitFor());
    ServerBuilds.Build b = ServerBuilds.at(tmp.resolve("cache")).get(tgz.toString());
    assertEquals(real.version(), b.version());
  }

  @Test
  @DisplayName("an archive without nats-server is refused, naming the archive")
  void archiveWithoutBinary() throws IOException {
    Path zip = tmp.resolve("empty.zip");
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
      out.putNextEntry(new ZipEntry("README.md"));
    }
    var e =
        assertThrows(
            NatsServerNotFoundException.class,
            () -> ServerBuilds.at(tmp.resolve("cache")).get(zip.toString()));
    assertTrue(e.getMessage().contains("empty.zip"), e.getMessage());
  }

  @Test
  @DisplayName("a version not in the cache names the cache and the command that fetches it")
  void requireNamesTheFix() {
    var e =
        assertThrows(
            NatsServerNotFoundException.class,
            () -> ServerBuilds.at(tmp.resolve("cache")).require("9.9.9"));
    assertTrue(e.getMessage().contains("./natsproof servers get 9.9.9"), e.getMessage());
    assertTrue(e.getMessage().contains("cached: none"), e.getMessage());
  }

  @Test
  @DisplayName("something that is neither version, suite nor file is refused with the three forms")
  void refusesNonsense() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ServerBuilds.at(tmp.resolve("cache")).get("Not A Spec!"));
    assertTrue(e.getMessage().contains("Debian suite"), e.getMessage());
  }
}
