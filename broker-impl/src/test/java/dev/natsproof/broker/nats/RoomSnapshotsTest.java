package dev.natsproof.broker.nats;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.broker.BrokerOptions;
import dev.natsproof.broker.Message;
import dev.natsproof.testkit.NatsServer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Room snapshots in a real key-value bucket: late join, gap, reconnect. */
class RoomSnapshotsTest {
  static final Duration WAIT = Duration.ofSeconds(20);

  static byte[] frame(long seq) {
    return ByteBuffer.allocate(8).putLong(seq).array();
  }

  static long seqOf(Message m) {
    return ByteBuffer.wrap(m.data()).getLong();
  }

  /** Applies frames to a counter state; the snapshot's bytes are the state as text. */
  static final class Room implements RoomSnapshots.View {
    final List<String> events = new CopyOnWriteArrayList<>();
    volatile long state = -1;

    @Override
    public void reset(Optional<RoomSnapshots.Snapshot> s) {
      state = s.map(x -> Long.parseLong(new String(x.state(), StandardCharsets.UTF_8))).orElse(-1L);
      events.add("reset@" + s.map(RoomSnapshots.Snapshot::frame).orElse(-1L));
    }

    @Override
    public void apply(Message m, long seq) {
      state = seq;
      events.add("frame " + seq);
    }
  }

  @Test
  @DisplayName(
      "a late joiner starts from the snapshot and applies only newer frames; a jump past the gap"
          + " limit and a reconnect rebuild the room from the snapshot again")
  void followRoom() {
    try (NatsServer server = NatsServer.startDefault();
        NatsStreamBroker rs = NatsStreamBroker.connect(BrokerOptions.of(server.clientUrl()), 16);
        NatsStreamBroker gw = NatsStreamBroker.connect(BrokerOptions.of(server.clientUrl()), 16)) {
      RoomSnapshots snaps = RoomSnapshots.open(rs, "ROOMS_T", 1);
      for (long k = 0; k < 10; k++) {
        rs.publish("room.42.state", frame(k)); // nobody listens yet
      }
      snaps.put("room-42", 9, "9".getBytes(StandardCharsets.UTF_8));
      Room room = new Room();
      RoomSnapshots.Follower f =
          RoomSnapshots.open(gw, "ROOMS_T", 1)
              .follow("room.42.state", "room-42", RoomSnapshotsTest::seqOf, room, 30);
      gw.flush(WAIT);
      assertEquals(9, room.state, "joined from the snapshot");
      rs.publish("room.42.state", frame(8)); // older than the snapshot: ignored
      rs.publish("room.42.state", frame(10));
      await().atMost(WAIT).until(() -> room.state == 10);
      assertEquals(List.of("reset@9", "frame 10"), room.events);

      snaps.put("room-42", 95, "95".getBytes(StandardCharsets.UTF_8));
      rs.publish("room.42.state", frame(100)); // 90 frames past: too much was missed
      await().atMost(WAIT).until(() -> room.events.size() == 4);
      assertEquals(List.of("reset@9", "frame 10", "reset@95", "frame 100"), room.events);
      assertEquals(2, f.resyncs());

      server.kill();
      server.start();
      await()
          .atMost(WAIT)
          .until(() -> gw.state() == dev.natsproof.broker.ConnectionState.CONNECTED);
      await()
          .atMost(WAIT)
          .until(() -> rs.state() == dev.natsproof.broker.ConnectionState.CONNECTED);
      snaps.put("room-42", 120, "120".getBytes(StandardCharsets.UTF_8));
      await()
          .atMost(WAIT)
          .until(
              () -> {
                rs.publish("room.42.state", frame(121)); // until the resubscription is back
                return room.state == 121;
              });
      assertTrue(room.events.contains("reset@120"), "rebuilt after the reconnect: " + room.events);
      assertEquals(3, f.resyncs());
      f.close();
    }
  }
}
