package dev.natsproof.broker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * How a broker connects. Defaults suit a game server: reconnect forever, quickly, with jitter so
 * that thousands of gateways do not reconnect in lock-step, and pings every 5 s so a dead server is
 * noticed within 15 s (three pings unanswered) instead of jnats's default 4 minutes.
 */
public final class BrokerOptions {
  /** Reconnect forever. */
  public static final int RECONNECT_FOREVER = -1;

  private final List<String> servers;
  private final String connectionName;
  private final String user;
  private final char[] password;
  private final char[] token;
  private final Path credentialsFile;
  private final SSLContext sslContext;
  private final Duration connectTimeout;
  private final int maxReconnects;
  private final Duration reconnectWait;
  private final Duration reconnectJitter;
  private final long reconnectBufferBytes;
  private final Duration pingInterval;
  private final int maxPingsOut;
  private final boolean ignoreDiscoveredServers;
  private final boolean noRandomize;
  private final long pendingMessageLimit;
  private final List<ConnectionListener> listeners;
  private final BrokerObserver observer;
  private final java.util.function.UnaryOperator<String> subjectTemplate;
  private final java.util.function.Supplier<String> traceContext;

  private BrokerOptions(Builder b) {
    this.servers = List.copyOf(b.servers);
    this.connectionName = b.connectionName;
    this.user = b.user;
    this.password = b.password;
    this.token = b.token;
    this.credentialsFile = b.credentialsFile;
    this.sslContext = b.sslContext;
    this.connectTimeout = b.connectTimeout;
    this.maxReconnects = b.maxReconnects;
    this.reconnectWait = b.reconnectWait;
    this.reconnectJitter = b.reconnectJitter;
    this.reconnectBufferBytes = b.reconnectBufferBytes;
    this.pingInterval = b.pingInterval;
    this.maxPingsOut = b.maxPingsOut;
    this.ignoreDiscoveredServers = b.ignoreDiscoveredServers;
    this.noRandomize = b.noRandomize;
    this.pendingMessageLimit = b.pendingMessageLimit;
    this.listeners = List.copyOf(b.listeners);
    this.observer = b.observer;
    this.subjectTemplate = b.subjectTemplate;
    this.traceContext = b.traceContext;
  }

  /** Where the broker reports what it does (metrics, tracing); {@link BrokerObserver#NONE}. */
  public BrokerObserver observer() {
    return observer;
  }

  /**
   * The subject as metrics name it: the template function given, else every token holding a digit
   * replaced by {@code *} ({@code room.42.state} → {@code room.*.state}, {@code settle.battle.8812}
   * → {@code settle.battle.*}), so ids never become metric series.
   */
  public String subjectTemplate(String subject) {
    if (subjectTemplate != null) {
      return subjectTemplate.apply(subject);
    }
    return defaultTemplate(subject);
  }

  static String defaultTemplate(String subject) {
    if (subject == null) {
      return "";
    }
    if (subject.startsWith("_INBOX.")) {
      return "_INBOX.*";
    }
    String[] t = subject.split("\\.", -1);
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < t.length; i++) {
      if (i > 0) {
        out.append('.');
      }
      out.append(t[i].chars().anyMatch(Character::isDigit) ? "*" : t[i]);
    }
    return out.toString();
  }

  /** Supplies the caller's current W3C traceparent for outgoing messages, or null for none. */
  public java.util.function.Supplier<String> traceContext() {
    return traceContext;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Options for one server URL with every default. */
  public static BrokerOptions of(String... servers) {
    return builder().servers(servers).build();
  }

  public List<String> servers() {
    return servers;
  }

  public Optional<String> connectionName() {
    return Optional.ofNullable(connectionName);
  }

  public Optional<String> user() {
    return Optional.ofNullable(user);
  }

  public Optional<char[]> password() {
    return Optional.ofNullable(password);
  }

  public Optional<char[]> token() {
    return Optional.ofNullable(token);
  }

  public Optional<Path> credentialsFile() {
    return Optional.ofNullable(credentialsFile);
  }

  public Optional<SSLContext> sslContext() {
    return Optional.ofNullable(sslContext);
  }

  public Duration connectTimeout() {
    return connectTimeout;
  }

  public int maxReconnects() {
    return maxReconnects;
  }

  public Duration reconnectWait() {
    return reconnectWait;
  }

  public Duration reconnectJitter() {
    return reconnectJitter;
  }

  public long reconnectBufferBytes() {
    return reconnectBufferBytes;
  }

  public Duration pingInterval() {
    return pingInterval;
  }

  public int maxPingsOut() {
    return maxPingsOut;
  }

  public boolean ignoreDiscoveredServers() {
    return ignoreDiscoveredServers;
  }

  public boolean noRandomize() {
    return noRandomize;
  }

  public long pendingMessageLimit() {
    return pendingMessageLimit;
  }

  public List<ConnectionListener> listeners() {
    return listeners;
  }

  private static final java.util.regex.Pattern USER_INFO =
      java.util.regex.Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)([^@/\\s]+)@");

  /**
   * The text with every password or token in a server URL replaced by {@code ***}: {@code
   * nats://game:s3cret@host:4222} becomes {@code nats://game:***@host:4222}. Every message and
   * {@code toString()} that names servers goes through this.
   */
  public static String redact(String text) {
    if (text == null) {
      return null;
    }
    java.util.regex.Matcher m = USER_INFO.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String info = m.group(2);
      int colon = info.indexOf(':');
      String safe = colon >= 0 ? info.substring(0, colon) + ":***" : "***";
      m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(m.group(1) + safe + "@"));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** {@link #redact(String)} of a server list, printed as a list. */
  public static String redact(List<String> servers) {
    return redact(String.valueOf(servers));
  }

  @Override
  public String toString() {
    // Never print secrets.
    return "BrokerOptions[servers="
        + redact(servers)
        + ", name="
        + connectionName
        + ", auth="
        + (user != null
            ? "user"
            : token != null ? "token" : credentialsFile != null ? "creds" : "none")
        + ", tls="
        + (sslContext != null)
        + ", maxReconnects="
        + maxReconnects
        + ", reconnectWait="
        + reconnectWait
        + ", pingInterval="
        + pingInterval
        + "]";
  }

  public static final class Builder {
    private final List<String> servers = new ArrayList<>();
    private String connectionName;
    private String user;
    private char[] password;
    private char[] token;
    private Path credentialsFile;
    private SSLContext sslContext;
    private Duration connectTimeout = Duration.ofSeconds(2);
    private int maxReconnects = RECONNECT_FOREVER;
    private Duration reconnectWait = Duration.ofMillis(250);
    private Duration reconnectJitter = Duration.ofMillis(250);
    private long reconnectBufferBytes = 8L * 1024 * 1024;
    private Duration pingInterval = Duration.ofSeconds(5);
    private int maxPingsOut = 2;
    private boolean ignoreDiscoveredServers;
    private boolean noRandomize;
    private long pendingMessageLimit = 512 * 1024;
    private final List<ConnectionListener> listeners = new ArrayList<>();
    private BrokerObserver observer = BrokerObserver.NONE;
    private java.util.function.UnaryOperator<String> subjectTemplate;
    private java.util.function.Supplier<String> traceContext;

    private Builder() {}

    /** Reports publishes, requests, enqueues, handling and interventions (metrics, tracing). */
    public Builder observer(BrokerObserver observer) {
      this.observer = Objects.requireNonNull(observer, "observer");
      return this;
    }

    /** How metrics name subjects: must map ids to wildcards (default: tokens with digits). */
    public Builder subjectTemplate(java.util.function.UnaryOperator<String> template) {
      this.subjectTemplate = Objects.requireNonNull(template, "subjectTemplate");
      return this;
    }

    /**
     * The caller's current W3C traceparent (e.g. from OpenTelemetry's current span), added to every
     * publish and enqueue that carries none; a value that is not well formed is dropped.
     */
    public Builder traceContext(java.util.function.Supplier<String> current) {
      this.traceContext = Objects.requireNonNull(current, "traceContext");
      return this;
    }

    /** One or more server URLs ({@code nats://host:port}, {@code tls://…}); commas split too. */
    public Builder servers(String... urls) {
      Objects.requireNonNull(urls, "servers");
      for (String u : urls) {
        if (u == null || u.isBlank()) {
          throw new IllegalArgumentException("server URL must not be empty");
        }
        for (String part : u.split(",")) {
          String p = part.trim();
          if (!p.matches("(?i)(nats|tls|ws|wss|opentls)://[^\\s/]+(:\\d+)?/?|[^\\s:/]+:\\d+")) {
            throw new IllegalArgumentException(
                "server URL '" + p + "' is not of the form nats://host:port");
          }
          servers.add(p);
        }
      }
      return this;
    }

    public Builder servers(List<String> urls) {
      return servers(urls.toArray(String[]::new));
    }

    /** A name the server shows in its connection list ({@code /connz}). */
    public Builder connectionName(String name) {
      this.connectionName = name;
      return this;
    }

    public Builder userInfo(String user, char[] password) {
      if (user == null || user.isEmpty()) {
        throw new IllegalArgumentException("user must not be empty");
      }
      this.user = user;
      this.password = Objects.requireNonNull(password, "password").clone();
      return this;
    }

    public Builder token(char[] token) {
      if (token == null || token.length == 0) {
        throw new IllegalArgumentException("token must not be empty");
      }
      this.token = token.clone();
      return this;
    }

    /** A NATS credentials file (JWT + nkey seed), as made by nsc. */
    public Builder credentialsFile(Path file) {
      if (file == null || !Files.isReadable(file)) {
        throw new IllegalArgumentException("credentials file " + file + " is not readable");
      }
      this.credentialsFile = file;
      return this;
    }

    /** TLS with this context (use tls:// URLs). */
    public Builder sslContext(SSLContext context) {
      this.sslContext = Objects.requireNonNull(context, "sslContext");
      return this;
    }

    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    /** Reconnect attempts after a loss; {@link #RECONNECT_FOREVER} or 0 to never reconnect. */
    public Builder maxReconnects(int max) {
      if (max < RECONNECT_FOREVER) {
        throw new IllegalArgumentException(
            "maxReconnects must be -1 (forever), 0 (never) or positive, got " + max);
      }
      this.maxReconnects = max;
      return this;
    }

    public Builder reconnectWait(Duration wait) {
      this.reconnectWait = nonNegative(wait, "reconnectWait");
      return this;
    }

    public Builder reconnectJitter(Duration jitter) {
      this.reconnectJitter = nonNegative(jitter, "reconnectJitter");
      return this;
    }

    /** Bytes of publishes buffered while reconnecting; 0 disables buffering. */
    public Builder reconnectBufferBytes(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("reconnectBufferBytes must be >= 0, got " + bytes);
      }
      this.reconnectBufferBytes = bytes;
      return this;
    }

    public Builder pingInterval(Duration interval) {
      this.pingInterval = positive(interval, "pingInterval");
      return this;
    }

    public Builder maxPingsOut(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxPingsOut must be >= 1, got " + max);
      }
      this.maxPingsOut = max;
      return this;
    }

    /** Stay on the given URLs (e.g. behind a proxy) instead of those a cluster advertises. */
    public Builder ignoreDiscoveredServers(boolean ignore) {
      this.ignoreDiscoveredServers = ignore;
      return this;
    }

    /** Try servers in the given order instead of a random one. */
    public Builder noRandomize(boolean noRandomize) {
      this.noRandomize = noRandomize;
      return this;
    }

    /** Messages a subscription may hold before the client drops (slow consumer). */
    public Builder pendingMessageLimit(long limit) {
      if (limit < 1) {
        throw new IllegalArgumentException("pendingMessageLimit must be >= 1, got " + limit);
      }
      this.pendingMessageLimit = limit;
      return this;
    }

    public Builder connectionListener(ConnectionListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    public BrokerOptions build() {
      if (servers.isEmpty()) {
        throw new IllegalArgumentException(
            "no server URL given: call servers(\"nats://host:4222\")");
      }
      int auth =
          (user != null ? 1 : 0) + (token != null ? 1 : 0) + (credentialsFile != null ? 1 : 0);
      if (auth > 1) {
        throw new IllegalArgumentException(
            "choose one of userInfo, token or credentialsFile, not several");
      }
      return new BrokerOptions(this);
    }

    private static Duration positive(Duration d, String name) {
      if (d == null || d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException(name + " must be a positive duration, got " + d);
      }
      return d;
    }

    private static Duration nonNegative(Duration d, String name) {
      if (d == null || d.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative, got " + d);
      }
      return d;
    }
  }
}
