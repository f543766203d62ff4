package dev.natsproof.broker.nats;

import dev.natsproof.broker.Headers;

/** Converts between the API's headers and jnats's. */
final class NatsHeaders {
  private NatsHeaders() {}

  static io.nats.client.impl.Headers toNats(Headers h) {
    io.nats.client.impl.Headers out = new io.nats.client.impl.Headers();
    h.asMap().forEach((k, vs) -> out.add(k, vs));
    return out;
  }

  static Headers fromNats(io.nats.client.impl.Headers h) {
    if (h == null || h.isEmpty()) {
      return Headers.EMPTY;
    }
    Headers.Builder b = Headers.builder();
    for (String k : h.keySet()) {
      for (String v : h.get(k)) {
        b.add(k, v);
      }
    }
    return b.build();
  }
}
