package dev.natsproof.testkit;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One real {@code nats-server} process on loopback, owned by this JVM.
 *
 * <p>The process is started directly rather than through jnats-server-runner: the runner hides the
 * {@link Process} (no pid, so no SIGKILL/SIGSTOP) and takes ~2.3 s to declare a server ready, while
 * the server itself says "Server is ready" in tens of milliseconds. Readiness is the server's own
 * log line, read from its output as it is written; nothing here sleeps.
 *
 * <p>The first start listens on a port the server picks itself ({@code -1}, so no race with other
 * processes); {@link #restart()} and {@link #start()} after a stop reuse that port and the same
 * store directory. Every process is killed when the JVM exits, whatever the tests did.
 */
public final class NatsServer implements AutoCloseable {
  private static final Pattern CLIENT_LISTEN =
      Pattern.compile("Listening for client connections on [^:\\s]+:(\\d+)");
  private static final Pattern HTTP_LISTEN =
      Pattern.compile("Starting http monitor on (?:https?://)?[^:\\s]+:(\\d+)");
  private static final Pattern VERSION = Pattern.compile("Version:\\s+(\\S+)");
  private static final String READY = "Server is ready";
  private static final int LOG_TAIL_LINES = 40;
  private static final AtomicInteger SEQUENCE = new AtomicInteger();
  private static final Set<NatsServer> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  for (NatsServer s : LIVE) {
                    s.destroyNow();
                  }
                },
                "natsproof-nats-server-reaper"));
  }

  private volatile NatsServerBinary binary;
  private final String name;
  private final Path workDir;
  private final Path storeDir;
  private final Path configFile;
  private final Path logFile;
  private final boolean jetStream;
  private final String extraConfig;
  private final Duration startTimeout;
  private final ClusterSettings cluster;
  private final String cpus;

  private final Deque<String> logTail = new ArrayDeque<>();
  private volatile Process process;
  private volatile Thread logPump;
  private volatile int port;
  private volatile int httpPort;
  private volatile String version;
  private volatile boolean paused;
  private volatile boolean closed;

  record ClusterSettings(String name, int port, List<Integer> routePorts, String advertise) {}

  private NatsServer(Builder b) {
    this.binary = b.binary != null ? b.binary : NatsServerBinary.locate();
    this.name = b.name != null ? b.name : "natsproof-" + SEQUENCE.incrementAndGet();
    Path base =
        b.workDir != null
            ? b.workDir
            : Path.of(System.getProperty("natsproof.work.dir", "target/nats-servers"));
    this.workDir = base.resolve(name + "-" + UUID.randomUUID().toString().substring(0, 8));
    this.storeDir = b.storeDir != null ? b.storeDir : workDir.resolve("jetstream");
    this.configFile = workDir.resolve("nats-server.conf");
    this.logFile = workDir.resolve("nats-server.log");
    this.jetStream = b.jetStream;
    this.extraConfig = b.extraConfig;
    this.startTimeout = b.startTimeout;
    this.cluster = b.cluster;
    this.cpus = b.cpus;
    this.port = b.port;
    this.httpPort = -1;
    try {
      Files.createDirectories(workDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + workDir, e);
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A single JetStream-enabled server on a free loopback port, started. */
  public static NatsServer startDefault() {
    return builder().start();
  }

  /** Starts the process (first start, or again after {@link #stop()} / {@link #kill()}). */
  public synchronized NatsServer start() {
    if (closed) {
      throw new IllegalStateException("server " + name + " is closed; build a new one");
    }
    if (isRunning()) {
      throw new IllegalStateException("server " + name + " is already running (pid " + pid() + ")");
    }
    refuseUnreadableStore();
    writeConfig();
    CompletableFuture<Void> ready = new CompletableFuture<>();
    Process p;
    try {
      appendLog("---- natsproof: starting " + binary + " -c " + configFile);
      List<String> cmd = new ArrayList<>();
      if (cpus != null) {
        // taskset execs the server: the pid is the server's, pinned to those CPUs from the start
        cmd.addAll(List.of("taskset", "-c", cpus));
      }
      cmd.addAll(List.of(binary.path().toString(), "-c", configFile.toString()));
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new NatsServerStartException("cannot start " + binary + ": " + e.getMessage(), e);
    }
    process = p;
    paused = false;
    LIVE.add(this);
    Thread reader = new Thread(() -> pump(p, ready), "nats-server-log-" + name);
    reader.setDaemon(true);
    reader.start();
    logPump = reader;
    try {
      ready.get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      destroyNow();
      throw new NatsServerStartException(
          "nats-server " + name + " not ready within " + startTimeout + "; log tail:\n" + tail());
    } catch (ExecutionException e) {
      destroyNow();
      throw new NatsServerStartException(
          "nats-server " + name + " exited before it was ready; log tail:\n" + tail(),
          e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      destroyNow();
      throw new NatsServerStartException("interrupted while starting nats-server " + name, e);
    }
    awaitClientPort(p);
    markStore();
    return this;
  }

  /** The file in a store that says which server version last opened it. */
  static final String STORE_MARK = ".natsproof-written-by";

  /**
   * Refuses to start a binary on a JetStream store a version it cannot read wrote (a downgrade from
   * 2.10+ to 2.9 before 2.9.22), before the process touches the store.
   */
  private void refuseUnreadableStore() {
    Path mark = storeDir.resolve(STORE_MARK);
    if (!jetStream || !Files.isRegularFile(mark)) {
      return;
    }
    String writtenBy;
    try {
      writtenBy = Files.readString(mark).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + mark, e);
    }
    Optional<String> why =
        StoreCompatibility.refusal(
            dev.natsproof.results.ServerVersion.parse(writtenBy), binary.serverVersion());
    if (why.isPresent()) {
      throw new NatsServerStartException(
          "refusing to start nats-server "
              + binary.version()
              + " ("
              + binary
              + ") as "
              + name
              + " on "
              + storeDir
              + ": "
              + why.get());
    }
  }

  private void markStore() {
    if (!jetStream) {
      return;
    }
    try {
      Files.createDirectories(storeDir);
      Files.writeString(storeDir.resolve(STORE_MARK), version() + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot mark " + storeDir, e);
    }
  }

  /**
   * The binary the next {@link #start()} runs, for an upgrade (or a refused downgrade) on the same
   * port, config and store. Only while the process is not running.
   */
  public synchronized void useBinary(NatsServerBinary next) {
    if (isRunning()) {
      throw new IllegalStateException(
          "server " + name + " is running: stop it before changing its binary");
    }
    this.binary = Objects.requireNonNull(next, "binary");
    this.version = null;
  }

  /**
   * Lame-duck mode (SIGUSR2): the server stops accepting clients, closes its own over its
   * lame_duck_duration so they move to other nodes, then exits; returns once it has.
   */
  public synchronized void lameDuck(Duration timeout) {
    Process p = requireProcess("put in lame-duck mode");
    if (paused) {
      throw new IllegalStateException("server " + name + " is paused");
    }
    Signals.send("USR2", p.pid());
    awaitExit(p, timeout, "lame duck (SIGUSR2)");
  }

  /**
   * The log says "Server is ready"; confirm it from the client's side too, with the protocol's own
   * INFO / CONNECT / PING / PONG, so a caller's first connect never races the listener.
   */
  private void awaitClientPort(Process p) {
    try (java.net.Socket sock = new java.net.Socket()) {
      sock.connect(new java.net.InetSocketAddress("127.0.0.1", port), 2000);
      sock.setSoTimeout((int) Math.min(Integer.MAX_VALUE, startTimeout.toMillis()));
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(sock.getInputStream(), StandardCharsets.US_ASCII));
      String info = in.readLine();
      if (info == null || !info.startsWith("INFO")) {
        throw new NatsServerStartException("nats-server " + name + " sent no INFO: " + info);
      }
      if (info.replace(" ", "").contains("\"tls_required\":true")) {
        return; // it answers; the rest of the probe would need a TLS handshake
      }
      sock.getOutputStream()
          .write("CONNECT {\"verbose\":false}\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
      sock.getOutputStream().flush();
      String line;
      while ((line = in.readLine()) != null) {
        if (line.startsWith("PONG")) {
          return;
        }
        if (line.startsWith("-ERR")) {
          // e.g. authorization required: the server is answering, which is all we wait for.
          return;
        }
      }
      throw new NatsServerStartException("nats-server " + name + " closed the probe connection");
    } catch (IOException e) {
      if (!p.isAlive()) {
        throw new NatsServerStartException(
            "nats-server " + name + " exited right after start; log tail:\n" + tail(), e);
      }
      throw new NatsServerStartException(
          "nats-server " + name + " did not answer a PING on port " + port + ": " + e, e);
    }
  }

  private void pump(Process p, CompletableFuture<Void> ready) {
    try (BufferedReader in =
            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        BufferedWriter log =
            Files.newBufferedWriter(
                logFile,
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
      String line;
      while ((line = in.readLine()) != null) {
        log.write(line);
        log.newLine();
        log.flush();
        remember(line);
        if (!ready.isDone()) {
          Matcher m = CLIENT_LISTEN.matcher(line);
          if (m.find()) {
            port = Integer.parseInt(m.group(1));
          }
          m = HTTP_LISTEN.matcher(line);
          if (m.find()) {
            httpPort = Integer.parseInt(m.group(1));
          }
          m = VERSION.matcher(line);
          if (m.find()) {
            version = m.group(1);
          }
          if (line.contains(READY)) {
            ready.complete(null);
          }
        }
      }
    } catch (IOException e) {
      // The pipe closes when the process dies; nothing to report beyond what waitFor tells.
    } finally {
      ready.completeExceptionally(new IllegalStateException("process output ended"));
    }
  }

  // The tail has its own lock: start() holds the server's monitor while the log pump runs.
  private void remember(String line) {
    synchronized (logTail) {
      logTail.addLast(line);
      while (logTail.size() > LOG_TAIL_LINES) {
        logTail.removeFirst();
      }
    }
  }

  private String tail() {
    synchronized (logTail) {
      return String.join("\n", logTail);
    }
  }

  private void appendLog(String line) {
    try {
      Files.writeString(
          logFile,
          line + System.lineSeparator(),
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + logFile, e);
    }
  }

  private void writeConfig() {
    StringBuilder c = new StringBuilder();
    c.append("server_name: \"").append(name).append("\"\n");
    c.append("listen: \"127.0.0.1:").append(port).append("\"\n");
    c.append("http: \"127.0.0.1:").append(httpPort).append("\"\n");
    if (jetStream) {
      c.append("jetstream {\n  store_dir: \"").append(storeDir.toAbsolutePath()).append("\"\n}\n");
    }
    if (cluster != null) {
      c.append("cluster {\n  name: \"").append(cluster.name()).append("\"\n");
      c.append("  listen: \"127.0.0.1:").append(cluster.port()).append("\"\n");
      c.append("  no_advertise: true\n");
      if (cluster.advertise() != null) {
        c.append("  advertise: \"").append(cluster.advertise()).append("\"\n");
      }
      c.append("  routes: [\n");
      for (int rp : cluster.routePorts()) {
        c.append("    \"nats-route://127.0.0.1:").append(rp).append("\"\n");
      }
      c.append("  ]\n}\n");
    }
    if (!extraConfig.isBlank()) {
      c.append(extraConfig).append('\n');
    }
    try {
      Files.writeString(configFile, c.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + configFile, e);
    }
  }

  /** Graceful stop: SIGTERM, then wait for the process to exit. */
  public synchronized void stop() {
    Process p = requireProcess("stop");
    if (paused) {
      Signals.send("CONT", p.pid());
      paused = false;
    }
    // Not Process.destroy(): it closes our end of the output pipe, and the server's shutdown
    // lines would be lost from its log.
    Signals.send("TERM", p.pid());
    awaitExit(p, Duration.ofSeconds(30), "SIGTERM");
    if (p.exitValue() == 128 + 15) {
      throw new IllegalStateException(
          "nats-server " + name + " died of SIGTERM instead of shutting down gracefully");
    }
  }

  /** Crash: SIGKILL of the real pid, then wait until the OS has reaped it. */
  public synchronized void kill() {
    Process p = requireProcess("kill");
    p.destroyForcibly();
    awaitExit(p, Duration.ofSeconds(30), "SIGKILL");
    paused = false;
  }

  /** Freezes the process with SIGSTOP: it keeps its sockets but answers nothing. */
  public synchronized void pause() {
    Process p = requireProcess("pause");
    if (paused) {
      throw new IllegalStateException("server " + name + " is already paused");
    }
    Signals.send("STOP", p.pid());
    paused = true;
    Signals.awaitStopped(p.pid(), Duration.ofSeconds(5));
  }

  /** Thaws a paused process with SIGCONT. */
  public synchronized void resume() {
    Process p = requireProcess("resume");
    if (!paused) {
      throw new IllegalStateException("server " + name + " is not paused");
    }
    Signals.send("CONT", p.pid());
    paused = false;
  }

  /** Stops the process if it runs (SIGTERM) and starts it again on the same port and store. */
  public synchronized NatsServer restart() {
    if (isRunning()) {
      stop();
    }
    return start();
  }

  private void awaitExit(Process p, Duration timeout, String how) {
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
        throw new IllegalStateException(
            "nats-server " + name + " did not exit within " + timeout + " after " + how);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IllegalStateException("interrupted waiting for " + name + " to exit", e);
    } finally {
      if (!p.isAlive()) {
        LIVE.remove(this);
        awaitLogComplete();
      }
    }
  }

  /** After an exit, waits until the server's last words are in the log file. */
  private void awaitLogComplete() {
    Thread t = logPump;
    if (t != null) {
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private Process requireProcess(String action) {
    Process p = process;
    if (p == null || !p.isAlive()) {
      throw new IllegalStateException(
          "cannot " + action + " server " + name + ": it is not running");
    }
    return p;
  }

  private void destroyNow() {
    Process p = process;
    if (p != null && p.isAlive()) {
      p.destroyForcibly();
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    LIVE.remove(this);
  }

  /** Stops the process (SIGTERM, SIGKILL if it hangs or is paused); never leaves it running. */
  @Override
  public synchronized void close() {
    closed = true;
    Process p = process;
    if (p == null || !p.isAlive()) {
      LIVE.remove(this);
      return;
    }
    if (paused) {
      destroyNow();
      return;
    }
    try {
      Signals.send("TERM", p.pid());
      if (!p.waitFor(15, TimeUnit.SECONDS)) {
        destroyNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      destroyNow();
    } catch (IllegalStateException e) {
      destroyNow(); // the process went away between the check and the signal, or kill failed
    }
    LIVE.remove(this);
  }

  public boolean isRunning() {
    Process p = process;
    return p != null && p.isAlive();
  }

  public boolean isPaused() {
    return paused;
  }

  /** The pid of the running (or last) process. */
  public long pid() {
    Process p = process;
    if (p == null) {
      throw new IllegalStateException("server " + name + " was never started");
    }
    return p.pid();
  }

  public String name() {
    return name;
  }

  public int port() {
    return port;
  }

  /** The HTTP monitoring port ({@code /varz}, {@code /jsz}, {@code /healthz}). */
  public int monitorPort() {
    return httpPort;
  }

  public String clientUrl() {
    return "nats://127.0.0.1:" + port;
  }

  public String monitorUrl() {
    return "http://127.0.0.1:" + httpPort;
  }

  /** Server version as logged at start, e.g. {@code 2.9.10}. */
  public String version() {
    return version != null ? version : binary.version();
  }

  public NatsServerBinary binary() {
    return binary;
  }

  public Path storeDir() {
    return storeDir;
  }

  public Path workDir() {
    return workDir;
  }

  public Path logFile() {
    return logFile;
  }

  public Path configFile() {
    return configFile;
  }

  public boolean jetStreamEnabled() {
    return jetStream;
  }

  @Override
  public String toString() {
    return "NatsServer["
        + name
        + " "
        + clientUrl()
        + (isRunning() ? " pid " + pid() : " down")
        + "]";
  }

  /** Builder; {@link #start()} returns a running server. */
  public static final class Builder {
    private NatsServerBinary binary;
    private String name;
    private Path workDir;
    private Path storeDir;
    private int port = -1;
    private boolean jetStream = true;
    private String extraConfig = "";
    private Duration startTimeout = Duration.ofSeconds(20);
    private String cpus;

    /**
     * Runs the server on these CPUs only ({@code "0"}, {@code "0-1"}, {@code "0,2"}), through
     * {@code taskset}: the client on the others then never competes with it for a core.
     */
    public Builder cpus(String list) {
      if (list == null || !list.matches("[0-9]+([,-][0-9]+)*")) {
        throw new IllegalArgumentException(
            "cpus '" + list + "' is not a CPU list such as 0, 0-1 or 0,2");
      }
      this.cpus = list;
      return this;
    }

    private ClusterSettings cluster;

    private Builder() {}

    public Builder binary(NatsServerBinary binary) {
      this.binary = Objects.requireNonNull(binary, "binary");
      return this;
    }

    /** Server name ({@code server_name}); must be unique in a cluster. */
    public Builder name(String name) {
      if (name == null || !name.matches("[A-Za-z0-9_-]+")) {
        throw new IllegalArgumentException(
            "server name must be letters, digits, '-' or '_', got: " + name);
      }
      this.name = name;
      return this;
    }

    /** Folder under which this server gets its own config, log and store. */
    public Builder workDir(Path workDir) {
      this.workDir = Objects.requireNonNull(workDir, "workDir");
      return this;
    }

    public Builder storeDir(Path storeDir) {
      this.storeDir = Objects.requireNonNull(storeDir, "storeDir");
      return this;
    }

    /** A fixed client port; by default the server picks a free one. */
    public Builder port(int port) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port must be 1..65535, got " + port);
      }
      this.port = port;
      return this;
    }

    public Builder jetStream(boolean enabled) {
      this.jetStream = enabled;
      return this;
    }

    /**
     * Extra nats-server configuration appended verbatim (e.g. {@code max_payload: 1024}, {@code
     * authorization { token: "s3cret" }}). nats-server 2.9 refuses unknown keys.
     */
    public Builder config(String extraConfig) {
      this.extraConfig = Objects.requireNonNull(extraConfig, "extraConfig");
      return this;
    }

    public Builder startTimeout(Duration timeout) {
      if (timeout == null || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("startTimeout must be positive, got " + timeout);
      }
      this.startTimeout = timeout;
      return this;
    }

    Builder cluster(
        String clusterName, int clusterPort, List<Integer> routePorts, String advertise) {
      this.cluster =
          new ClusterSettings(clusterName, clusterPort, new ArrayList<>(routePorts), advertise);
      return this;
    }

    public NatsServer build() {
      return new NatsServer(this);
    }

    public NatsServer start() {
      return build().start();
    }
  }
}
