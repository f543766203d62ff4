package dev.natsproof.broker.nats;

import dev.natsproof.broker.Headers;
import dev.natsproof.broker.StreamMessage;
import io.nats.client.Message;
import io.nats.client.impl.NatsJetStreamMetaData;
import java.time.Instant;
import java.util.Optional;

/** What every JetStream message shows: data, headers and its stream metadata. */
abstract class JetStreamMessageView implements StreamMessage {
  protected final Message m;
  private final NatsJetStreamMetaData meta;
  private final Headers headers;

  JetStreamMessageView(Message m) {
    this.m = m;
    this.meta = m.metaData();
    this.headers = NatsHeaders.fromNats(m.getHeaders());
  }

  @Override
  public String subject() {
    return m.getSubject();
  }

  @Override
  public byte[] data() {
    return m.getData() == null ? new byte[0] : m.getData();
  }

  @Override
  public Headers headers() {
    return headers;
  }

  @Override
  public Optional<String> messageId() {
    return headers.first("Nats-Msg-Id");
  }

  @Override
  public String stream() {
    return meta.getStream();
  }

  @Override
  public String consumer() {
    return meta.getConsumer();
  }

  @Override
  public long streamSequence() {
    return meta.streamSequence();
  }

  @Override
  public long deliveryCount() {
    return meta.deliveredCount();
  }

  /** Messages still pending for the consumer after this one, by the server's count. */
  long pendingCount() {
    return meta.pendingCount();
  }

  @Override
  public Instant timestamp() {
    return meta.timestamp().toInstant();
  }
}
