package dev.natsproof.broker;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/** A Core message as delivered to a handler or returned by a request. */
public final class Message {
  private final String subject;
  private final String replyTo;
  private final Headers headers;
  private final byte[] data;

  public Message(String subject, String replyTo, Headers headers, byte[] data) {
    this.subject = Objects.requireNonNull(subject, "subject");
    this.replyTo = replyTo;
    this.headers = headers == null ? Headers.EMPTY : headers;
    this.data = data == null ? new byte[0] : data;
  }

  public String subject() {
    return subject;
  }

  /** The inbox to answer to, when the sender made a request. */
  public Optional<String> replyTo() {
    return Optional.ofNullable(replyTo);
  }

  public Headers headers() {
    return headers;
  }

  /** The payload; not copied, do not modify it. */
  public byte[] data() {
    return data;
  }

  public String dataAsString() {
    return new String(data, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "Message[" + subject + ", " + data.length + " B]";
  }
}
