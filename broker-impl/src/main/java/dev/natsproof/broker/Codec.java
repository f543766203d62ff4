package dev.natsproof.broker;

/**
 * Turns a typed payload into bytes and back, naming its content type in the {@value #CONTENT_TYPE}
 * header. {@code byte[]} stays the brokers' own payload; a codec is optional.
 *
 * @param <T> the payload's type
 */
public interface Codec<T> {
  /** The header that names a payload's content type. */
  String CONTENT_TYPE = "Content-Type";

  /** e.g. {@code application/json}. */
  String contentType();

  byte[] encode(T value);

  /**
   * @throws Exception when the bytes are not a {@code T}: the message is then dead-lettered with
   *     the reason, never retried
   */
  T decode(byte[] data) throws Exception;

  /** The type it decodes to, for error messages. */
  Class<T> type();
}
