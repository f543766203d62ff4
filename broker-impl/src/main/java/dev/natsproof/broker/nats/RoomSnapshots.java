package dev.natsproof.broker.nats;

import dev.natsproof.broker.BrokerException;
import dev.natsproof.broker.Message;
import dev.natsproof.broker.Subscription;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.StorageType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToLongFunction;

/**
 * Room snapshots for state sync: a room server stores each room's latest full state in a JetStream
 * key-value bucket (history 1) at its own pace, and a latest-only follower that joins, reconnects
 * or falls too far behind reads the snapshot first and then applies only frames newer than it. So
 * dropping intermediate frames (latest-only) stays safe: a room can always be rebuilt.
 *
 * <pre>
 * RoomSnapshots snaps = RoomSnapshots.open(broker, "ROOMS", 3);
 * snaps.put("room-42", frameSeq, fullState);                       // room server, e.g. 3 Hz
 * RoomSnapshots.Follower f = snaps.follow("room.42.state", "room-42",
 *     m -> frameSeqOf(m), new RoomSnapshots.View() { ... });        // gateway
 * </pre>
 */
public final class RoomSnapshots {
  /** A room's stored state: the frame it is as of, and the bytes. */
  public record Snapshot(String room, long frame, byte[] state, long revision) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Snapshot s
          && s.room.equals(room)
          && s.frame == frame
          && s.revision == revision
          && Arrays.equals(s.state, state);
    }

    @Override
    public int hashCode() {
      return room.hashCode() * 31 + Long.hashCode(frame);
    }
  }

  /** What a follower keeps up to date. */
  public interface View {
    /** The room rebuilt from a snapshot (empty when none was stored yet). */
    void reset(Optional<Snapshot> snapshot);

    /** A frame newer than the state the view holds. */
    void apply(Message frame, long frameSeq);
  }

  private final NatsStreamBroker broker;
  private final String bucket;
  private final KeyValue kv;

  private RoomSnapshots(NatsStreamBroker broker, String bucket, KeyValue kv) {
    this.broker = broker;
    this.bucket = bucket;
    this.kv = kv;
  }

  /** The bucket (created with history 1 on {@code replicas} nodes if it does not exist). */
  public static RoomSnapshots open(NatsStreamBroker broker, String bucket, int replicas) {
    try {
      var kvm = broker.connection().keyValueManagement();
      if (!kvm.getBucketNames().contains(bucket)) {
        kvm.create(
            KeyValueConfiguration.builder()
                .name(bucket)
                .maxHistoryPerKey(1)
                .replicas(replicas)
                .storageType(StorageType.File)
                .build());
      }
      return new RoomSnapshots(broker, bucket, broker.connection().keyValue(bucket));
    } catch (IOException | JetStreamApiException e) {
      throw new BrokerException(
          "cannot open snapshot bucket '" + bucket + "': " + e.getMessage(), e);
    }
  }

  /** Stores {@code room}'s full state as of frame {@code frame}; the revision it got. */
  public long put(String room, long frame, byte[] state) {
    ByteBuffer b = ByteBuffer.allocate(8 + state.length).putLong(frame).put(state);
    try {
      return kv.put(room, b.array());
    } catch (IOException | JetStreamApiException e) {
      throw new BrokerException(
          "cannot store the snapshot of '" + room + "': " + e.getMessage(), e);
    }
  }

  /** The room's latest snapshot, if one was stored. */
  public Optional<Snapshot> latest(String room) {
    try {
      KeyValueEntry e = kv.get(room);
      if (e == null || e.getValue() == null || e.getValue().length < 8) {
        return Optional.empty();
      }
      ByteBuffer b = ByteBuffer.wrap(e.getValue());
      long frame = b.getLong();
      byte[] state = Arrays.copyOfRange(e.getValue(), 8, e.getValue().length);
      return Optional.of(new Snapshot(room, frame, state, e.getRevision()));
    } catch (IOException | JetStreamApiException e) {
      throw new BrokerException(
          "cannot read the snapshot of '" + room + "' from '" + bucket + "': " + e.getMessage(), e);
    }
  }

  /**
   * Follows a room: snapshot first, then latest-only frames newer than it; again from the snapshot
   * after every reconnect and whenever a frame arrives more than {@code resyncGap} frames past the
   * last applied one (the view missed too much to be trusted).
   */
  public Follower follow(
      String subject, String room, ToLongFunction<Message> frameSeq, View view, long resyncGap) {
    if (resyncGap < 1) {
      throw new IllegalArgumentException("resyncGap must be at least 1 frame, got " + resyncGap);
    }
    Follower f = new Follower(room, frameSeq, view, resyncGap);
    f.resync();
    f.sub = broker.subscribeLatest(subject, f::onFrame);
    broker.natsConnection().onReconnected(f::onReconnected);
    return f;
  }

  /** A room being followed. */
  public final class Follower implements AutoCloseable {
    private final String room;
    private final ToLongFunction<Message> frameSeq;
    private final View view;
    private final long resyncGap;
    private final AtomicLong applied = new AtomicLong(-1);
    private final LongAdder resyncs = new LongAdder();
    private volatile boolean resyncWanted;
    private volatile boolean closed;
    private volatile long lastResyncNanos;
    private Subscription sub;

    Follower(String room, ToLongFunction<Message> frameSeq, View view, long resyncGap) {
      this.room = room;
      this.frameSeq = frameSeq;
      this.view = view;
      this.resyncGap = resyncGap;
    }

    /** Runs on the subscription's handler thread (latest-only: one at a time). */
    private void onFrame(Message m) {
      if (closed) {
        return;
      }
      long seq = frameSeq.applyAsLong(m);
      if (resyncWanted || (applied.get() >= 0 && seq > applied.get() + resyncGap)) {
        resyncWanted = false;
        resync();
      }
      if (seq <= applied.get()) {
        return; // older than the state the view holds
      }
      applied.set(seq);
      view.apply(m, seq);
    }

    private void onReconnected() {
      resyncWanted = true; // the next frame's handler rebuilds first (never on jnats's thread)
    }

    synchronized void resync() {
      long t0 = System.nanoTime();
      Optional<Snapshot> s = latest(room);
      view.reset(s);
      applied.set(s.map(Snapshot::frame).orElse(-1L));
      resyncs.increment();
      lastResyncNanos = System.nanoTime() - t0;
    }

    /** The latest-only subscription underneath (its replacements are its {@code dropped()}). */
    public Subscription subscription() {
      return sub;
    }

    /** Times the view was rebuilt from a snapshot (the first included). */
    public long resyncs() {
      return resyncs.sum();
    }

    /** How long the last rebuild took (reading the snapshot and resetting the view). */
    public long lastResyncNanos() {
      return lastResyncNanos;
    }

    /** The newest frame the view holds (the snapshot's, or a frame applied since). */
    public long appliedFrame() {
      return applied.get();
    }

    @Override
    public void close() {
      closed = true;
      if (sub != null) {
        sub.close();
      }
    }
  }
}
