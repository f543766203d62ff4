package dev.natsproof.broker.nats;

import dev.natsproof.broker.BrokerException;
import dev.natsproof.broker.ReplayRequest;
import dev.natsproof.broker.StreamMessage;
import io.nats.client.Connection;
import io.nats.client.ConsumerContext;
import io.nats.client.FetchConsumeOptions;
import io.nats.client.FetchConsumer;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamStatusCheckedException;
import io.nats.client.Message;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.StreamState;
import java.io.IOException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * One replay: the stored messages of a stream, in order, read through an ephemeral consumer that
 * acks nothing.
 *
 * <p>It ends by <em>stream sequence</em>, never by counting down the consumer's pending count. The
 * stream's last sequence when the replay begins bounds it. Before each batch the stream itself is
 * asked for the next stored message after the last one read, and the replay ends when there is
 * none. The pending count in each message only cuts a batch short, so that a pull does not wait for
 * messages that are not there.
 *
 * <p>An ephemeral consumer that acks nothing forgets what it sent. A message that never reached the
 * client shows as a jump in the consumer sequence: a pull that ended early, or a consumer lost with
 * a restarted server. The replay then starts a new consumer just after the last message it read, as
 * jnats's ordered consumer does. When {@value #MAX_RESTARTS} new consumers in a row deliver nothing
 * more, it fails with what it knows.
 */
final class StreamReplay {
  static final int BATCH = 256;
  static final int MAX_RESTARTS = 3;
  static final Duration FETCH_WAIT = Duration.ofSeconds(5);

  private final Connection nc;
  private final JetStreamManagement jsm;
  private final ReplayRequest r;
  private final BetweenBatches betweenBatches;
  private final List<StreamMessage> out = new ArrayList<>();
  private String consumer;
  private String problem;
  private long lastConsumerSeq;

  /** The stream sequence of the last message read, or the one before the first to read. */
  private long position;

  /** Called before each batch with the replay's consumer; tests use it to interfere. */
  @FunctionalInterface
  interface BetweenBatches {
    void before(String stream, String consumer) throws Exception;
  }

  private StreamReplay(
      Connection nc, JetStreamManagement jsm, ReplayRequest r, BetweenBatches betweenBatches) {
    this.nc = nc;
    this.jsm = jsm;
    this.r = r;
    this.betweenBatches = betweenBatches;
  }

  static List<StreamMessage> run(Connection nc, JetStreamManagement jsm, ReplayRequest r)
      throws IOException, JetStreamApiException, InterruptedException {
    return run(nc, jsm, r, (stream, consumer) -> {});
  }

  static List<StreamMessage> run(
      Connection nc, JetStreamManagement jsm, ReplayRequest r, BetweenBatches betweenBatches)
      throws IOException, JetStreamApiException, InterruptedException {
    StreamReplay replay = new StreamReplay(nc, jsm, r, betweenBatches);
    try {
      return replay.read();
    } finally {
      replay.deleteConsumer();
    }
  }

  private List<StreamMessage> read()
      throws IOException, JetStreamApiException, InterruptedException {
    StreamState state = jsm.getStreamInfo(r.stream()).getStreamState();
    if (state.getMsgCount() == 0) {
      return out;
    }
    long end =
        r.toSequence() > 0
            ? Math.min(r.toSequence(), state.getLastSequence())
            : state.getLastSequence();
    position = start(startAt(r.fromSequence() > 0 ? r.fromSequence() : 0));
    int restarts = 0;
    while (out.size() < r.maxMessages()) {
      long next = nextStored(position + 1);
      if (next == 0 || next > end) {
        return out;
      }
      long before = position;
      Outcome o = readBatch(end, Math.min(BATCH, r.maxMessages() - out.size()));
      if (o == Outcome.DONE) {
        return out;
      }
      if (position > before) {
        restarts = 0; // only consumers that deliver nothing, one after another, count
      }
      if (o == Outcome.MORE) {
        continue;
      }
      // STUCK
      if (++restarts > MAX_RESTARTS) {
        throw new BrokerException(
            "replay of "
                + r.stream()
                + " stopped after sequence "
                + position
                + " of "
                + end
                + ": the stream holds message "
                + next
                + " but "
                + restarts
                + " consumers in a row did not deliver it ("
                + problem
                + "). Stream now: "
                + jsm.getStreamInfo(r.stream()).getStreamState());
      }
      deleteConsumer();
      start(startAt(position + 1));
    }
    return out;
  }

  private enum Outcome {
    /** An end was reached: the last sequence, the end time, or the message bound. */
    DONE,
    /** Messages were read in order; ask the stream whether more are stored. */
    MORE,
    /** The consumer did not deliver what the stream holds; {@link #problem} says how. */
    STUCK
  }

  private Outcome readBatch(long end, int batch)
      throws IOException, JetStreamApiException, InterruptedException {
    try {
      betweenBatches.before(r.stream(), consumer);
    } catch (Exception e) {
      throw new IllegalStateException("the between-batches hook failed", e);
    }
    ConsumerContext cc;
    try {
      cc = nc.getStreamContext(r.stream()).getConsumerContext(consumer);
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() != 10014) { // consumer not found
        throw e;
      }
      problem = "the consumer is gone (a restarted server forgets memory consumers)";
      return Outcome.STUCK;
    }
    FetchConsumeOptions fo =
        FetchConsumeOptions.builder().maxMessages(batch).expiresIn(FETCH_WAIT.toMillis()).build();
    int got = 0;
    FetchConsumer fc = cc.fetch(fo);
    try {
      Message m;
      while ((m = fc.nextMessage()) != null) {
        var meta = m.metaData();
        if (meta.consumerSequence() != lastConsumerSeq + 1) {
          problem =
              "the consumer sequence went from "
                  + lastConsumerSeq
                  + " to "
                  + meta.consumerSequence()
                  + ": messages it sent never arrived";
          return Outcome.STUCK;
        }
        lastConsumerSeq = meta.consumerSequence();
        got++;
        ReplayedMessage rm = new ReplayedMessage(m);
        if (rm.streamSequence() > end) {
          return Outcome.DONE;
        }
        if (r.toTime() != null && !rm.timestamp().isBefore(r.toTime())) {
          return Outcome.DONE;
        }
        out.add(rm);
        position = rm.streamSequence();
        if (position == end || out.size() >= r.maxMessages()) {
          return Outcome.DONE;
        }
        if (meta.pendingCount() == 0) {
          // The consumer has nothing more for now: do not wait out the pull for a full batch.
          // Whether that is the end is the stream's to say, at the top of the loop.
          return Outcome.MORE;
        }
      }
    } catch (JetStreamStatusCheckedException e) {
      problem = "the pull ended with a status: " + e.getMessage();
      return Outcome.STUCK;
    } finally {
      close(fc);
    }
    if (got == 0) {
      problem = "a fetch waited " + FETCH_WAIT.toSeconds() + " s and got nothing";
      return Outcome.STUCK;
    }
    return Outcome.MORE;
  }

  private static void close(FetchConsumer fc) {
    try {
      fc.close();
    } catch (Exception e) {
      // Only the pull's own subscription is closed here; what it read is already taken.
    }
  }

  /** The first stored sequence at or after {@code seq} on the request's filter, or 0. */
  private long nextStored(long seq) throws IOException, JetStreamApiException {
    try {
      return jsm.getNextMessage(r.stream(), seq, r.filter().orElse(">")).getSeq();
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() == 10037) { // no message found
        return 0;
      }
      throw e;
    }
  }

  private ConsumerConfiguration startAt(long sequence) {
    ConsumerConfiguration.Builder b =
        ConsumerConfiguration.builder()
            .ackPolicy(AckPolicy.None)
            .inactiveThreshold(Duration.ofMinutes(1))
            .memStorage(true)
            .numReplicas(1);
    r.filter().ifPresent(b::filterSubject);
    if (sequence > 0) {
      b.deliverPolicy(DeliverPolicy.ByStartSequence).startSequence(sequence);
    } else if (r.fromTime() != null) {
      b.deliverPolicy(DeliverPolicy.ByStartTime).startTime(r.fromTime().atZone(ZoneOffset.UTC));
    } else {
      b.deliverPolicy(DeliverPolicy.All);
    }
    return b.build();
  }

  /**
   * Creates the consumer; returns the stream sequence just before the first it will deliver (the
   * server reports it as the delivered stream sequence of a new consumer).
   */
  private long start(ConsumerConfiguration cc) throws IOException, JetStreamApiException {
    ConsumerInfo ci = jsm.addOrUpdateConsumer(r.stream(), cc);
    consumer = ci.getName();
    lastConsumerSeq = 0;
    return ci.getDelivered().getStreamSequence();
  }

  private void deleteConsumer() {
    if (consumer == null) {
      return;
    }
    try {
      jsm.deleteConsumer(r.stream(), consumer);
    } catch (IOException | JetStreamApiException e) {
      // It expires by itself after its inactive threshold.
    }
    consumer = null;
  }

  /** A replayed message: read-only, nothing to settle. */
  private static final class ReplayedMessage extends JetStreamMessageView {
    ReplayedMessage(Message m) {
      super(m);
    }

    private static UnsupportedOperationException readOnly() {
      return new UnsupportedOperationException(
          "a replayed message is read-only: there is nothing to ack, nak or term");
    }

    @Override
    public void ack() {
      throw readOnly();
    }

    @Override
    public void ackSync(Duration timeout) {
      throw readOnly();
    }

    @Override
    public void nak() {
      throw readOnly();
    }

    @Override
    public void nak(Duration delay) {
      throw readOnly();
    }

    @Override
    public void term() {
      throw readOnly();
    }

    @Override
    public void term(String reason) {
      throw readOnly();
    }

    @Override
    public void inProgress() {
      throw readOnly();
    }

    @Override
    public boolean isSettled() {
      return true;
    }
  }
}
