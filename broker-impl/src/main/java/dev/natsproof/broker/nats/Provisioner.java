package dev.natsproof.broker.nats;

import static dev.natsproof.broker.nats.JetStreamErrors.CLUSTER_NOT_AVAILABLE;
import static dev.natsproof.broker.nats.JetStreamErrors.STREAM_NAME_EXISTS;
import static dev.natsproof.broker.nats.JetStreamErrors.STREAM_NOT_FOUND;

import dev.natsproof.broker.BrokerException;
import dev.natsproof.broker.StreamConfigMismatchException;
import dev.natsproof.broker.StreamSpec;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Idempotent provisioning: a missing stream is created, one that exists as specified is left alone,
 * one that differs is an error. While the JetStream API does not answer (a cluster electing its
 * meta leader), or the meta leader does not yet know enough live peers for the replicas (a cluster
 * just formed, a node restarting: error 10005), it asks again with a back-off until the deadline;
 * after it, the error names the last answer and how many attempts were made.
 */
final class Provisioner {
  private final JetStreamManagement jsm;
  private final RetryPolicy retry;

  Provisioner(JetStreamManagement jsm, RetryPolicy retry) {
    this.jsm = jsm;
    this.retry = retry;
  }

  void provision(StreamSpec spec, Duration deadline) {
    if (deadline == null || deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException(
          "provision deadline must be > 0, got " + deadline + ": give how long to keep asking");
    }
    StreamConfiguration wanted = configuration(spec);
    long until = System.nanoTime() + deadline.toNanos();
    long backoffMillis = 100;
    for (int attempt = 1; ; attempt++) {
      try {
        provisionOnce(spec, wanted);
        return;
      } catch (JetStreamApiException e) {
        boolean notReady =
            JetStreamErrors.is(e, CLUSTER_NOT_AVAILABLE)
                || JetStreamErrors.is(e, JetStreamErrors.NO_SUITABLE_PEERS);
        if (!notReady || System.nanoTime() >= until) {
          throw new BrokerException(
              "cannot provision stream "
                  + spec.name()
                  + ": "
                  + e.getErrorDescription()
                  + " (error "
                  + e.getApiErrorCode()
                  + (attempt > 1 ? ", after " + attempt + " attempts" : "")
                  + ")",
              e);
        }
      } catch (IOException e) {
        if (System.nanoTime() >= until) {
          throw new BrokerException(
              "cannot provision stream "
                  + spec.name()
                  + ": the JetStream API did not answer within "
                  + deadline
                  + " ("
                  + attempt
                  + " attempts; last: "
                  + e.getMessage()
                  + "). Check that the servers run JetStream and that a cluster has a meta leader"
                  + " (nats server report jetstream), or give a longer deadline.",
              e);
        }
      }
      long leftMillis = TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime());
      try {
        // A back-off between attempts at a remote API, not a wait for an event of ours.
        Thread.sleep(Math.max(1, Math.min(backoffMillis, leftMillis)));
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        throw new BrokerException("provisioning stream " + spec.name() + " interrupted", ie);
      }
      backoffMillis = Math.min(backoffMillis * 2, 2_000);
    }
  }

  private void provisionOnce(StreamSpec spec, StreamConfiguration wanted)
      throws IOException, JetStreamApiException {
    StreamConfiguration existing;
    try {
      existing = jsm.getStreamInfo(spec.name()).getConfiguration();
    } catch (JetStreamApiException e) {
      if (!JetStreamErrors.is(e, STREAM_NOT_FOUND)) {
        throw e;
      }
      try {
        jsm.addStream(wanted);
        retry.knowDuplicateWindow(spec.duplicateWindow());
        return;
      } catch (JetStreamApiException raced) {
        // Name in use: a racing provisioner, or an earlier attempt of ours whose answer was lost.
        if (!JetStreamErrors.is(raced, STREAM_NAME_EXISTS)) {
          throw raced;
        }
        existing = jsm.getStreamInfo(spec.name()).getConfiguration();
      }
    }
    requireSame(spec, existing);
    retry.knowDuplicateWindow(spec.duplicateWindow());
  }

  static StreamConfiguration configuration(StreamSpec s) {
    return StreamConfiguration.builder()
        .name(s.name())
        .subjects(s.subjects())
        .retentionPolicy(retention(s.retention()))
        .storageType(StorageType.File)
        .replicas(s.replicas())
        .maxAge(s.maxAge())
        .duplicateWindow(s.duplicateWindow())
        .maxMessagesPerSubject(s.maxMessagesPerSubject())
        .maximumMessageSize(s.maxMessageBytes())
        .maxBytes(s.maxBytes())
        .discardPolicy(discard(s.discard()))
        .build();
  }

  static RetentionPolicy retention(StreamSpec.Retention r) {
    return switch (r) {
      case LIMITS -> RetentionPolicy.Limits;
      case WORK_QUEUE -> RetentionPolicy.WorkQueue;
      case INTEREST -> RetentionPolicy.Interest;
    };
  }

  private static DiscardPolicy discard(StreamSpec.Discard d) {
    return d == StreamSpec.Discard.NEW ? DiscardPolicy.New : DiscardPolicy.Old;
  }

  private static void requireSame(StreamSpec spec, StreamConfiguration c) {
    List<String> diffs = new ArrayList<>();
    if (!new HashSet<>(c.getSubjects()).equals(new HashSet<>(spec.subjects()))) {
      diffs.add("subjects: existing " + c.getSubjects() + ", wanted " + spec.subjects());
    }
    same(diffs, "retention", c.getRetentionPolicy(), retention(spec.retention()));
    same(diffs, "storage", c.getStorageType(), StorageType.File);
    same(diffs, "replicas", c.getReplicas(), spec.replicas());
    same(diffs, "maxAge", c.getMaxAge(), spec.maxAge());
    same(diffs, "duplicateWindow", c.getDuplicateWindow(), spec.duplicateWindow());
    same(diffs, "maxMessagesPerSubject", c.getMaxMsgsPerSubject(), spec.maxMessagesPerSubject());
    same(diffs, "maxMessageBytes", (long) c.getMaximumMessageSize(), (long) spec.maxMessageBytes());
    same(diffs, "maxBytes", c.getMaxBytes(), spec.maxBytes());
    same(diffs, "discard", c.getDiscardPolicy(), discard(spec.discard()));
    if (!diffs.isEmpty()) {
      throw new StreamConfigMismatchException(
          "stream "
              + spec.name()
              + " exists with different settings: "
              + String.join("; ", diffs)
              + ". natsproof never changes an existing stream: migrate it deliberately (nats"
              + " stream edit, or a new stream and a mirror), or delete it if its data may go.");
    }
  }

  private static void same(List<String> diffs, String what, Object existing, Object wanted) {
    if (!existing.equals(wanted)) {
      diffs.add(what + ": existing " + existing + ", wanted " + wanted);
    }
  }
}
