package dev.natsproof.results;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * What a JetStream end-to-end run asked for.
 *
 * @param ratePerSecond messages per second, open loop
 * @param enqueue sync or async enqueue
 * @param ack how the handler settles
 * @param replicas the stream's replicas
 * @param warmupSeconds run before recording
 * @param durationSeconds recorded run
 */
public record StreamRunSpec(
    int ratePerSecond,
    EnqueueMode enqueue,
    AckMode ack,
    int replicas,
    int warmupSeconds,
    int durationSeconds) {

  public enum EnqueueMode {
    SYNC("sync"),
    ASYNC("async");

    private final String id;

    EnqueueMode(String id) {
      this.id = id;
    }

    @JsonValue
    public String id() {
      return id;
    }

    @JsonCreator
    public static EnqueueMode of(String id) {
      for (EnqueueMode m : values()) {
        if (m.id.equals(id)) {
          return m;
        }
      }
      throw new IllegalArgumentException("unknown enqueue mode '" + id + "': use sync or async");
    }
  }

  public enum AckMode {
    ACK("ack"),
    ACK_SYNC("ackSync");

    private final String id;

    AckMode(String id) {
      this.id = id;
    }

    @JsonValue
    public String id() {
      return id;
    }

    @JsonCreator
    public static AckMode of(String id) {
      for (AckMode m : values()) {
        if (m.id.equals(id)) {
          return m;
        }
      }
      throw new IllegalArgumentException("unknown ack mode '" + id + "': use ack or ackSync");
    }
  }

  /** {@code stream-e2e-1000ps-async-ack-r1}: the run's name and file base name. */
  public String name() {
    return "stream-e2e-" + ratePerSecond + "ps-" + enqueue.id() + "-" + ack.id() + "-r" + replicas;
  }
}
