package dev.natsproof.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkloadTest {
  static Workload parse(String yaml) {
    return Workload.parse(
        "w", new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test.yaml");
  }

  @Test
  @DisplayName("a bundled workload parses with every key")
  void bundled() {
    Workload w = Workload.bundled("rooms-1000x10-30hz-200b");
    assertEquals(1000, w.rooms());
    assertEquals(10, w.playersPerRoom());
    assertEquals(30, w.hz());
    assertEquals(200, w.payloadBytes());
    assertEquals(300_000, w.deliveriesPerSecond());
  }

  @Test
  @DisplayName("a name ending .yaml/.yml is a file, anything else a bundled workload")
  void named(@TempDir Path dir) throws Exception {
    assertEquals(1000, Workload.named("rooms-1000x10-30hz-200b").rooms());
    Path f = dir.resolve("mine.yml");
    Files.writeString(f, "rooms: 7\nplayersPerRoom: 3\n");
    assertEquals(7, Workload.named(f.toString()).rooms());
    WorkloadException e =
        assertThrows(
            WorkloadException.class, () -> Workload.named(dir.resolve("gone.yaml").toString()));
    assertTrue(e.getMessage().contains("gone.yaml"), e.getMessage());
  }

  @Test
  @DisplayName("missing optional keys take documented defaults")
  void defaults() {
    Workload w = parse("rooms: 5\nplayersPerRoom: 2\n");
    assertEquals(30, w.hz());
    assertEquals(200, w.payloadBytes());
    assertEquals(10_000, w.gateP99Micros());
  }

  @Test
  @DisplayName("an unknown key (a typo) is an error naming it and the allowed keys")
  void unknownKey() {
    WorkloadException e =
        assertThrows(WorkloadException.class, () -> parse("rooms: 5\nplayersPerRom: 2\n"));
    assertTrue(e.getMessage().contains("playersPerRom"), e.getMessage());
    assertTrue(e.getMessage().contains("playersPerRoom"), e.getMessage());
  }

  @Test
  @DisplayName("a required key that is missing is named")
  void missingRequired() {
    WorkloadException e = assertThrows(WorkloadException.class, () -> parse("rooms: 5\n"));
    assertTrue(e.getMessage().contains("playersPerRoom"), e.getMessage());
  }

  @Test
  @DisplayName("a value of the wrong type or out of range is refused")
  void badValues() {
    assertThrows(WorkloadException.class, () -> parse("rooms: many\nplayersPerRoom: 2\n"));
    assertThrows(WorkloadException.class, () -> parse("rooms: 0\nplayersPerRoom: 2\n"));
    assertThrows(
        WorkloadException.class, () -> parse("rooms: 1\nplayersPerRoom: 2\npayloadBytes: 8\n"));
  }

  @Test
  @DisplayName("layout defaults to gateway; player-subscriptions is accepted; anything else named")
  void layout() {
    assertEquals(Workload.Layout.GATEWAY, parse("rooms: 5\nplayersPerRoom: 2\n").layout());
    Workload w = parse("rooms: 5\nplayersPerRoom: 2\nlayout: player-subscriptions\n");
    assertEquals(Workload.Layout.PLAYER_SUBSCRIPTIONS, w.layout());
    assertEquals(300, w.natsMessagesPerSecond());
    assertEquals(150, parse("rooms: 5\nplayersPerRoom: 2\n").natsMessagesPerSecond());
    WorkloadException e =
        assertThrows(
            WorkloadException.class, () -> parse("rooms: 5\nplayersPerRoom: 2\nlayout: mesh\n"));
    assertTrue(e.getMessage().contains("'mesh'"), e.getMessage());
    assertTrue(e.getMessage().contains("gateway, player-subscriptions"), e.getMessage());
  }

  @Test
  @DisplayName("a publish slot wider than one tick is refused with the allowed range")
  void publishSlot() {
    assertEquals(1000, parse("rooms: 5\nplayersPerRoom: 2\n").publishSlotMicros());
    WorkloadException e =
        assertThrows(
            WorkloadException.class,
            () -> parse("rooms: 5\nplayersPerRoom: 2\npublishSlotMicros: 40000\n"));
    assertTrue(e.getMessage().contains("1..33333"), e.getMessage());
    assertThrows(
        WorkloadException.class,
        () -> parse("rooms: 5\nplayersPerRoom: 2\npublishSlotMicros: 0\n"));
  }

  @Test
  @DisplayName("a document that is not a mapping is refused")
  void notAMapping() {
    assertThrows(WorkloadException.class, () -> parse("- rooms\n- 5\n"));
    assertThrows(WorkloadException.class, () -> parse("rooms: [\n"));
  }

  @Test
  @DisplayName("an unknown bundled name says to give a file instead")
  void unknownBundled() {
    WorkloadException e = assertThrows(WorkloadException.class, () -> Workload.bundled("nope"));
    assertTrue(e.getMessage().contains("file path"));
  }
}
