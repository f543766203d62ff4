package dev.natsproof.broker;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * JSON through Jackson ({@code com.fasterxml.jackson.core:jackson-databind}, an optional
 * dependency: add it to use this codec). Unknown fields fail decoding, so a payload of another
 * shape is dead-lettered instead of half-read.
 *
 * @param <T> the payload's type (a record or bean Jackson can read)
 */
public final class JsonCodec<T> implements Codec<T> {
  public static final String APPLICATION_JSON = "application/json";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final Class<T> type;

  private JsonCodec(Class<T> type) {
    this.type = type;
  }

  public static <T> JsonCodec<T> of(Class<T> type) {
    if (type == null) {
      throw new IllegalArgumentException("the codec needs the payload's type");
    }
    return new JsonCodec<>(type);
  }

  @Override
  public String contentType() {
    return APPLICATION_JSON;
  }

  @Override
  public byte[] encode(T value) {
    try {
      return JSON.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode " + type.getSimpleName() + " as JSON", e);
    }
  }

  @Override
  public T decode(byte[] data) throws IOException {
    return JSON.readValue(data, type);
  }

  @Override
  public Class<T> type() {
    return type;
  }
}
