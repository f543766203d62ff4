package dev.natsproof.testkit;

import dev.natsproof.results.ServerVersion;
import java.util.Optional;

/**
 * Which nats-server may open a JetStream store another one wrote. Known rule: a store written by
 * 2.10 or later changed on-disk format and must not be opened by a 2.9 release before 2.9.22 (the
 * first that reads it); doing so can corrupt the store of a cluster being downgraded.
 */
public final class StoreCompatibility {
  static final ServerVersion NEW_FORMAT = ServerVersion.parse("2.10.0");
  static final ServerVersion FIRST_29_READER = ServerVersion.parse("2.9.22");

  private StoreCompatibility() {}

  /** Why {@code opener} must not open a store {@code writtenBy} wrote, or empty when it may. */
  public static Optional<String> refusal(ServerVersion writtenBy, ServerVersion opener) {
    if (writtenBy.compareTo(NEW_FORMAT) >= 0 && opener.compareTo(FIRST_29_READER) < 0) {
      return Optional.of(
          "this JetStream store was written by nats-server "
              + writtenBy
              + "; "
              + opener
              + " cannot read the 2.10+ store format (2.9 reads it only from 2.9.22) and"
              + " opening it risks the node's data. Keep the node on "
              + writtenBy
              + " (or a 2.9.22+ release), or give "
              + opener
              + " a fresh store and let it catch up from the cluster");
    }
    return Optional.empty();
  }
}
