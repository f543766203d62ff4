package dev.natsproof.chaos.workload;

import dev.natsproof.broker.StreamBroker;
import dev.natsproof.broker.nats.NatsStreamBroker;
import dev.natsproof.results.History;
import dev.natsproof.results.Op;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.MessageInfo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * After a run: what the stream still holds and what state its consumer is in, told from the server.
 * An acked value not delivered by the drain's end but still stored is a stall, not a loss; one gone
 * from the stream is a loss. The answers go into the history ({@value #STORED} entries) and the
 * post-mortem.
 */
final class StreamInspector {
  /** A history entry: this acked value is still stored in the stream at this sequence. */
  static final String STORED = "stored";

  /**
   * A history entry: this acked, undelivered value was not looked up (the inspection's time ran
   * out, or its sequence is unknown): neither proven stored nor proven lost.
   */
  public static final String UNCHECKED = "unchecked";

  /** Lookups in flight at once: one request each on the admin connection. */
  static final int LOOKUP_THREADS = 8;

  /** The inspection stops starting lookups after this long; the rest are recorded unchecked. */
  static final Duration LOOKUP_BUDGET = Duration.ofSeconds(120);

  private StreamInspector() {}

  /**
   * Records which of {@code undelivered} (value → acked sequence) the stream still holds, every one
   * looked up at its sequence ({@link #LOOKUP_THREADS} at a time, for at most {@link
   * #LOOKUP_BUDGET}); those it could not look up are recorded {@link #UNCHECKED}, never taken for
   * lost. A value acked without a sequence has nothing to look up and is left lost.
   */
  static void recordStored(
      StreamBroker b, String stream, Map<String, Long> undelivered, History h) {
    if (!(b instanceof NatsStreamBroker nsb) || undelivered.isEmpty()) {
      return;
    }
    JetStreamManagement jsm;
    try {
      jsm = nsb.connection().jetStreamManagement();
    } catch (Exception e) {
      undelivered.forEach(
          (v, seq) -> {
            if (seq > 0) {
              h.event("inspector", UNCHECKED, v, seq, 0, e.toString());
            }
          });
      return;
    }
    Queue<Map.Entry<String, Long>> todo = new ConcurrentLinkedQueue<>(undelivered.entrySet());
    long deadline = System.nanoTime() + LOOKUP_BUDGET.toNanos();
    AtomicBoolean unanswered = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(LOOKUP_THREADS);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int i = 0; i < LOOKUP_THREADS; i++) {
        workers.add(
            pool.submit(
                () -> {
                  Map.Entry<String, Long> e;
                  while (!unanswered.get()
                      && System.nanoTime() < deadline
                      && (e = todo.poll()) != null) {
                    if (!lookUp(jsm, stream, e, h)) {
                      todo.add(e);
                      unanswered.set(true);
                    }
                  }
                }));
      }
      for (Future<?> w : workers) {
        w.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      // a lookup thread died: what it had not looked up is recorded unchecked below
    } finally {
      pool.shutdownNow();
    }
    String why =
        unanswered.get() ? "the server stopped answering" : "the inspection's time ran out";
    Map.Entry<String, Long> e;
    while ((e = todo.poll()) != null) {
      if (e.getValue() > 0) {
        h.event("inspector", UNCHECKED, e.getKey(), e.getValue(), 0, why);
      }
    }
  }

  /**
   * One value at its acked sequence: a {@link #STORED} entry if the stream holds it there. False
   * when the server did not answer (the value is then not judged here).
   */
  private static boolean lookUp(
      JetStreamManagement jsm, String stream, Map.Entry<String, Long> e, History h) {
    if (e.getValue() <= 0) {
      // Acked without a sequence: no stream holds it anywhere to look up. It stays lost (the
      // lying-broker negative control fakes exactly such acks).
      return true;
    }
    try {
      MessageInfo mi = jsm.getMessage(stream, e.getValue());
      String held = mi.getData() == null ? "" : new String(mi.getData(), StandardCharsets.UTF_8);
      if (held.equals(e.getKey())) {
        h.event("inspector", STORED, e.getKey(), e.getValue(), 0, null);
      }
      return true;
    } catch (JetStreamApiException gone) {
      return true; // no message at that sequence: gone from the stream
    } catch (Exception other) {
      return false;
    }
  }

  /** The stream's and the consumer's state, for the post-mortem. */
  static Map<String, Object> state(
      StreamBroker b, String stream, String durable, long highestAcked) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (!(b instanceof NatsStreamBroker nsb)) {
      return m;
    }
    try {
      var jsm = nsb.connection().jetStreamManagement();
      var si = jsm.getStreamInfo(stream);
      m.put("streamExists", true);
      m.put("streamMessages", si.getStreamState().getMsgCount());
      m.put("streamLastSequence", si.getStreamState().getLastSequence());
      m.put("highestAckedSequence", highestAcked);
      if (si.getClusterInfo() != null) {
        m.put("streamLeader", si.getClusterInfo().getLeader());
      }
      if (durable != null) {
        try {
          var ci = jsm.getConsumerInfo(stream, durable);
          m.put("consumerNumPending", ci.getNumPending());
          m.put("consumerNumAckPending", ci.getNumAckPending());
          m.put("consumerNumWaiting", ci.getNumWaiting());
          m.put("consumerDeliveredStreamSeq", ci.getDelivered().getStreamSequence());
          m.put("consumerAckFloorStreamSeq", ci.getAckFloor().getStreamSequence());
        } catch (JetStreamApiException e) {
          m.put("consumer", "not found: " + e.getErrorDescription());
        }
      }
    } catch (JetStreamApiException e) {
      m.put("streamExists", false);
      m.put("error", e.getErrorDescription() + " (" + e.getApiErrorCode() + ")");
    } catch (Exception e) {
      m.put("error", e.toString());
    }
    return m;
  }

  /** Values acked (ok enqueues) with their sequence, in ack order. */
  static Map<String, Long> ackedSequences(History h) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (Op op : h.ops()) {
      if (op.is(Op.ENQUEUE) && op.ok()) {
        out.put(op.value(), op.seq());
      }
    }
    return out;
  }

  /** The acked values never delivered (as {@code deliverType} entries). */
  static Map<String, Long> undelivered(History h, String deliverType) {
    Map<String, Long> acked = ackedSequences(h);
    Set<String> delivered = new java.util.HashSet<>();
    for (Op op : h.ops()) {
      if (op.is(deliverType)) {
        delivered.add(op.value());
      }
    }
    acked.keySet().removeAll(delivered);
    return acked;
  }

  static long highestAcked(History h) {
    return ackedSequences(h).values().stream().mapToLong(Long::longValue).max().orElse(0);
  }

  /** A stream that came back shorter than what it acked: nats-server#6600 / #6881. */
  static long sequenceReset(Map<String, Object> state) {
    Object last = state.get("streamLastSequence");
    Object acked = state.get("highestAckedSequence");
    if (last instanceof Long l && acked instanceof Long a && a > 0 && l < a) {
      return 1;
    }
    return 0;
  }

  /**
   * The check the server notes ask for after every restart, done on the whole history: values acked
   * with a stream sequence an earlier ack had already given to another value. On one server (R1)
   * nothing but a stream that lost its sequence hands a sequence out twice (no leader changes); on
   * a cluster that is {@link dev.natsproof.chaos.checker.SequenceReuse}'s business instead, so
   * callers use this for R1. A retry acked as a duplicate keeps its own value and sequence and is
   * not counted.
   */
  static Set<String> reusedSequences(History h) {
    List<Op> ops = new ArrayList<>(h.ops());
    ops.sort((a, b) -> Long.compare(a.endNanos(), b.endNanos()));
    Map<Long, String> first = new java.util.HashMap<>();
    Set<String> out = new java.util.LinkedHashSet<>();
    for (Op op : ops) {
      if (op.is(Op.ENQUEUE) && op.ok() && op.seq() > 0) {
        String earlier = first.putIfAbsent(op.seq(), op.value());
        if (earlier != null && !earlier.equals(op.value())) {
          out.add(op.value());
        }
      }
    }
    return out;
  }

  /**
   * How often {@code work-queue-sequence-reset} happened: the lost values acked with a sequence the
   * stream had handed out before a restart (R1), at least 1 when a reset was seen at all (by the
   * history or by the stream ending below its highest acked sequence).
   */
  static long sequenceResets(
      History h, List<String> lost, int replicas, Map<String, Object> state) {
    Set<String> reset = replicas == 1 ? reusedSequences(h) : Set.of();
    long lostToReset = lost.stream().filter(reset::contains).count();
    long seen = !reset.isEmpty() || sequenceReset(state) > 0 ? 1 : 0;
    return Math.max(lostToReset, seen);
  }

  static long streamVanished(Map<String, Object> state) {
    return Boolean.FALSE.equals(state.get("streamExists")) ? 1 : 0;
  }

  /** Deliveries whose count went back to 1 after the value had been delivered before. */
  static long deliveryCountResets(History h, String deliverType) {
    Map<String, Long> maxCount = new java.util.HashMap<>();
    long resets = 0;
    for (Op op : h.ops()) {
      if (!op.is(deliverType)) {
        continue;
      }
      Long before = maxCount.get(op.value());
      if (before != null && op.deliveries() <= 1) {
        resets++;
      }
      maxCount.merge(op.value(), op.deliveries(), Math::max);
    }
    return resets;
  }

  static List<String> sample(java.util.Collection<String> values) {
    return values.stream().limit(5).toList();
  }
}
