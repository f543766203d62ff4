package dev.natsproof.chaos;

import dev.natsproof.broker.BrokerStats;
import dev.natsproof.broker.ConnectionState;
import dev.natsproof.broker.ConsumeOptions;
import dev.natsproof.broker.EnqueueOptions;
import dev.natsproof.broker.EnqueueResult;
import dev.natsproof.broker.Headers;
import dev.natsproof.broker.Message;
import dev.natsproof.broker.MessageHandler;
import dev.natsproof.broker.ReplayRequest;
import dev.natsproof.broker.ServerFeatures;
import dev.natsproof.broker.StreamBroker;
import dev.natsproof.broker.StreamConsumer;
import dev.natsproof.broker.StreamMessage;
import dev.natsproof.broker.StreamMessageHandler;
import dev.natsproof.broker.StreamSpec;
import dev.natsproof.broker.Subscription;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A deliberately broken broker for negative controls: every {@code n}-th enqueue answers "acked"
 * without sending anything. A chaos suite that does not FAIL with this broker cannot see a loss.
 */
public final class LyingStreamBroker implements StreamBroker {
  private final StreamBroker real;
  private final long every;
  private final AtomicLong count = new AtomicLong();

  public LyingStreamBroker(StreamBroker real, long every) {
    this.real = real;
    this.every = every;
  }

  private boolean lie() {
    return count.incrementAndGet() % every == 0;
  }

  private static EnqueueResult fakeAck(EnqueueOptions o) {
    return new EnqueueResult.Acked(o.idempotencyKey().orElse("fake"), "LIE", 0, false, 1);
  }

  @Override
  public EnqueueResult enqueue(String subject, byte[] data, EnqueueOptions options) {
    return lie() ? fakeAck(options) : real.enqueue(subject, data, options);
  }

  @Override
  public CompletableFuture<EnqueueResult> enqueueAsync(
      String subject, byte[] data, EnqueueOptions options) {
    return lie()
        ? CompletableFuture.completedFuture(fakeAck(options))
        : real.enqueueAsync(subject, data, options);
  }

  @Override
  public StreamConsumer consume(
      String stream, StreamMessageHandler handler, ConsumeOptions options) {
    return real.consume(stream, handler, options);
  }

  @Override
  public StreamConsumer consumeSubject(
      String subject, StreamMessageHandler handler, ConsumeOptions options) {
    return real.consumeSubject(subject, handler, options);
  }

  @Override
  public void provision(StreamSpec spec, Duration deadline) {
    real.provision(spec, deadline);
  }

  @Override
  public List<StreamMessage> replay(ReplayRequest request) {
    return real.replay(request);
  }

  @Override
  public ServerFeatures serverFeatures() {
    return real.serverFeatures();
  }

  @Override
  public void publish(String subject, byte[] data) {
    real.publish(subject, data);
  }

  @Override
  public void publish(String subject, Headers headers, byte[] data) {
    real.publish(subject, headers, data);
  }

  @Override
  public void reply(Message request, byte[] data) {
    real.reply(request, data);
  }

  @Override
  public Subscription subscribe(String subject, MessageHandler handler) {
    return real.subscribe(subject, handler);
  }

  @Override
  public Subscription queueSubscribe(String subject, String queue, MessageHandler handler) {
    return real.queueSubscribe(subject, queue, handler);
  }

  @Override
  public Subscription subscribeLatest(String subject, MessageHandler handler) {
    return real.subscribeLatest(subject, handler);
  }

  @Override
  public Subscription subscribeOnOwnThread(String subject, String queue, MessageHandler handler) {
    return real.subscribeOnOwnThread(subject, queue, handler);
  }

  @Override
  public Message request(String subject, byte[] data, Duration timeout) {
    return real.request(subject, data, timeout);
  }

  @Override
  public CompletableFuture<Message> requestAsync(
      String subject, Headers headers, byte[] data, Duration timeout) {
    return real.requestAsync(subject, headers, data, timeout);
  }

  @Override
  public void flush(Duration timeout) {
    real.flush(timeout);
  }

  @Override
  public CompletableFuture<Void> drain(Duration timeout) {
    return real.drain(timeout);
  }

  @Override
  public void close() {
    real.close();
  }

  @Override
  public ConnectionState state() {
    return real.state();
  }

  @Override
  public BrokerStats stats() {
    return real.stats();
  }

  @Override
  public long maxPayloadBytes() {
    return real.maxPayloadBytes();
  }

  @Override
  public String serverVersion() {
    return real.serverVersion();
  }

  @Override
  public String connectedUrl() {
    return real.connectedUrl();
  }
}
