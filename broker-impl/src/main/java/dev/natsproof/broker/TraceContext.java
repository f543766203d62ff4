package dev.natsproof.broker;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The W3C trace context header, {@code traceparent}: the brokers add the caller's current one to
 * publishes and enqueues (from {@link BrokerOptions#traceContext}), and handlers read it from the
 * message's headers ({@link #of(Headers)}), so a settlement's trace continues in the worker.
 */
public final class TraceContext {
  public static final String HEADER = "traceparent";

  // version 00: 2 hex, 32 hex trace id (not all zero), 16 hex parent id (not all zero), 2 hex flags
  private static final Pattern VALID =
      Pattern.compile("00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}");

  private TraceContext() {}

  /** Whether {@code value} is a well-formed version-00 traceparent. */
  public static boolean valid(String value) {
    return value != null && VALID.matcher(value).matches();
  }

  /** The message's traceparent, when it carries a well-formed one. */
  public static Optional<String> of(Headers headers) {
    return headers.first(HEADER).filter(TraceContext::valid);
  }

  /**
   * {@code headers} with {@code current} as the traceparent, unless they carry one already or
   * {@code current} is not well formed (a bad value is dropped, never sent).
   */
  static Headers with(Headers headers, String current) {
    if (!valid(current) || headers.first(HEADER).isPresent()) {
      return headers;
    }
    return headers.toBuilder().set(HEADER, current).build();
  }

  /** Public for the implementation package: {@link #with}. */
  public static Headers withCurrent(Headers headers, java.util.function.Supplier<String> current) {
    if (current == null) {
      return headers;
    }
    return with(headers == null ? Headers.EMPTY : headers, current.get());
  }
}
