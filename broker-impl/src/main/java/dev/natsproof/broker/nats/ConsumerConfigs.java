package dev.natsproof.broker.nats;

import dev.natsproof.broker.ConsumeOptions;
import dev.natsproof.broker.ConsumerConfigMismatchException;
import dev.natsproof.broker.DeliverPolicy;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The server-side configuration of a durable, and the check that an existing one matches it. */
final class ConsumerConfigs {
  private ConsumerConfigs() {}

  /**
   * Deliveries the server makes beyond the handler's last one when a dead-letter subject is set:
   * the broker stores such a delivery in the dead-letter stream (or naks it to try again), so the
   * message stays where it is until its dead letter is stored, whoever is running at the time.
   */
  static final int DEAD_LETTER_DELIVERIES = 3;

  /** The max deliver the server is told: the handler's, plus the dead-letter deliveries. */
  static int serverMaxDeliver(ConsumeOptions o) {
    if (o.maxDeliver() == ConsumeOptions.UNLIMITED_DELIVERIES || o.deadLetterSubject().isEmpty()) {
      return o.maxDeliver();
    }
    return o.maxDeliver() + DEAD_LETTER_DELIVERIES;
  }

  static ConsumerConfiguration configuration(ConsumeOptions o) {
    return builder(o, o.deliverPolicy()).build();
  }

  /** The same durable starting after {@code floor}: what a recreation after a loss asks for. */
  static ConsumerConfiguration startingAfter(ConsumeOptions o, long floor, boolean workQueue) {
    if (workQueue || floor <= 0) {
      // A work queue holds only what is not yet acked: from its start is from the ack floor.
      return builder(o, workQueue ? DeliverPolicy.all() : o.deliverPolicy()).build();
    }
    return builder(o, DeliverPolicy.fromSequence(floor + 1)).build();
  }

  private static ConsumerConfiguration.Builder builder(ConsumeOptions o, DeliverPolicy p) {
    ConsumerConfiguration.Builder b =
        ConsumerConfiguration.builder()
            .durable(o.durable())
            .ackPolicy(AckPolicy.Explicit)
            .ackWait(o.ackWait())
            .maxAckPending(o.maxAckPending())
            .maxDeliver(serverMaxDeliver(o));
    if (!o.backoff().isEmpty()) {
      b.backoff(o.backoff().toArray(Duration[]::new));
    }
    if (o.filterSubjects().size() == 1) {
      b.filterSubject(o.filterSubjects().get(0));
    } else if (o.filterSubjects().size() > 1) {
      b.filterSubjects(o.filterSubjects());
    }
    if (p instanceof DeliverPolicy.New) {
      b.deliverPolicy(io.nats.client.api.DeliverPolicy.New);
    } else if (p instanceof DeliverPolicy.FromSequence s) {
      b.deliverPolicy(io.nats.client.api.DeliverPolicy.ByStartSequence).startSequence(s.sequence());
    } else if (p instanceof DeliverPolicy.FromTime t) {
      b.deliverPolicy(io.nats.client.api.DeliverPolicy.ByStartTime)
          .startTime(t.time().atZone(ZoneOffset.UTC));
    } else {
      b.deliverPolicy(io.nats.client.api.DeliverPolicy.All);
    }
    return b;
  }

  /**
   * Refuses an existing durable whose settings differ from what this consumer would create: two
   * deployed versions of a service must not rewrite each other's consumer. Where it starts is not
   * compared (a durable recreated after a loss starts after its ack floor).
   */
  static void requireSame(String stream, ConsumerConfiguration wanted, ConsumerConfiguration had) {
    List<String> diffs = new ArrayList<>();
    same(diffs, "ackWait", effectiveAckWait(had), effectiveAckWait(wanted));
    same(diffs, "maxAckPending", had.getMaxAckPending(), wanted.getMaxAckPending());
    same(diffs, "maxDeliver", had.getMaxDeliver(), wanted.getMaxDeliver());
    same(diffs, "backoff", orEmpty(had.getBackoff()), orEmpty(wanted.getBackoff()));
    same(diffs, "filterSubjects", filters(had), filters(wanted));
    same(diffs, "ackPolicy", had.getAckPolicy(), wanted.getAckPolicy());
    if (!diffs.isEmpty()) {
      throw new ConsumerConfigMismatchException(
          "durable "
              + wanted.getDurable()
              + " on stream "
              + stream
              + " exists with different settings: "
              + String.join("; ", diffs)
              + ". Another deployed version of this service may use it: natsproof never rewrites a"
              + " shared durable. Give this version its own durable name, or migrate the durable"
              + " deliberately (nats consumer edit) once every worker agrees.");
    }
  }

  /** With a backoff the server makes its first step the ack wait, whatever was asked. */
  private static Duration effectiveAckWait(ConsumerConfiguration c) {
    List<Duration> b = orEmpty(c.getBackoff());
    return b.isEmpty() ? c.getAckWait() : b.get(0);
  }

  private static List<Duration> orEmpty(List<Duration> l) {
    return l == null ? List.of() : l;
  }

  private static Set<String> filters(ConsumerConfiguration c) {
    List<String> f = c.getFilterSubjects();
    return f == null ? Set.of() : new HashSet<>(f);
  }

  private static void same(List<String> diffs, String what, Object had, Object wanted) {
    if (!String.valueOf(had).equals(String.valueOf(wanted))) {
      diffs.add(what + ": existing " + had + ", wanted " + wanted);
    }
  }
}
