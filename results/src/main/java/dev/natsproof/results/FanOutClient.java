package dev.natsproof.results;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Which client a fan-out run measured, side by side with the others. */
public enum FanOutClient {
  /** natsproof's Core broker, plain subscriptions: every frame handed over. */
  BROKER("broker"),
  /** natsproof's Core broker with {@code subscribeLatest}: the game's state-sync mode. */
  BROKER_LATEST("broker-latest"),
  /** jnats directly, the baseline the broker's overhead is measured against. */
  RAW_JNATS("raw-jnats");

  private final String id;

  FanOutClient(String id) {
    this.id = id;
  }

  @JsonValue
  public String id() {
    return id;
  }

  @JsonCreator
  public static FanOutClient of(String id) {
    for (FanOutClient c : values()) {
      if (c.id.equals(id)) {
        return c;
      }
    }
    throw new IllegalArgumentException(
        "unknown client '" + id + "': use broker, broker-latest or raw-jnats");
  }

  @Override
  public String toString() {
    return id;
  }
}
