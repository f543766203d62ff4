package dev.natsproof.broker;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** Immutable NATS message headers: names keep their case and order, a name may repeat. */
public final class Headers {
  public static final Headers EMPTY = new Headers(Map.of());

  private final Map<String, List<String>> values;

  private Headers(Map<String, List<String>> values) {
    this.values = values;
  }

  public static Headers of(String name, String value) {
    return builder().add(name, value).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The first value of a header, if present. */
  public Optional<String> first(String name) {
    List<String> v = values.get(name);
    return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
  }

  public List<String> all(String name) {
    return values.getOrDefault(name, List.of());
  }

  public Set<String> names() {
    return values.keySet();
  }

  public boolean isEmpty() {
    return values.isEmpty();
  }

  public Map<String, List<String>> asMap() {
    return values;
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    values.forEach((k, vs) -> vs.forEach(v -> b.add(k, v)));
    return b;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Headers h && h.values.equals(values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return values.toString();
  }

  public static final class Builder {
    private final Map<String, List<String>> values = new LinkedHashMap<>();

    private Builder() {}

    /** Adds a value; names are printable ASCII without ':' or whitespace, values one line. */
    public Builder add(String name, String value) {
      Objects.requireNonNull(name, "header name");
      Objects.requireNonNull(value, "header value of " + name);
      if (name.isEmpty()) {
        throw new IllegalArgumentException("header name must not be empty");
      }
      for (int i = 0; i < name.length(); i++) {
        char c = name.charAt(i);
        if (c <= ' ' || c >= 127 || c == ':') {
          throw new IllegalArgumentException(
              "header name '" + name + "' has an invalid character at index " + i);
        }
      }
      if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
        throw new IllegalArgumentException("header " + name + " value must be a single line");
      }
      values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
      return this;
    }

    public Builder set(String name, String value) {
      values.remove(name);
      return add(name, value);
    }

    public Headers build() {
      if (values.isEmpty()) {
        return EMPTY;
      }
      Map<String, List<String>> copy = new LinkedHashMap<>();
      values.forEach((k, v) -> copy.put(k, List.copyOf(v)));
      return new Headers(Collections.unmodifiableMap(copy));
    }
  }
}
