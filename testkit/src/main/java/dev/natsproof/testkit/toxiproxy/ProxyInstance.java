package dev.natsproof.testkit.toxiproxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One proxy: a loopback listener, and per accepted connection two links (upstream: client to
 * server, downstream: server to client), each a reader thread feeding a writer thread that runs the
 * link's toxics in insertion order. Bytes keep their order; when either side ends, both close.
 */
final class ProxyInstance {
  final String name;
  private volatile String listen;
  private volatile String upstream;
  private volatile boolean enabled;
  private final List<Toxic> upToxics = new ArrayList<>();
  private final List<Toxic> downToxics = new ArrayList<>();
  private final Set<Conn> conns = ConcurrentHashMap.newKeySet();
  private final Object changed = new Object();
  private volatile long version;
  private volatile boolean upClean = true;
  private volatile boolean downClean = true;
  private ServerSocket server;

  ProxyInstance(String name, String listen, String upstream) {
    this.name = name;
    this.listen = listen;
    this.upstream = upstream;
  }

  // ------------------------------------------------------------------ lifecycle

  synchronized String listen() {
    return listen;
  }

  synchronized String upstream() {
    return upstream;
  }

  synchronized boolean enabled() {
    return enabled;
  }

  /** Binds the listener; on failure stays disabled and throws the OS error as a 500. */
  synchronized void start() {
    if (enabled) {
      return;
    }
    HostPort hp = HostPort.parse(listen, "listen");
    ServerSocket s = null;
    try {
      s = new ServerSocket();
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getByName(hp.host()), hp.port()), 128);
    } catch (IOException e) {
      if (s != null) {
        try {
          s.close();
        } catch (IOException ignored) {
          // nothing to release
        }
      }
      throw new ApiError(500, "listen tcp " + listen + ": " + e.getMessage());
    }
    server = s;
    listen = hp.host() + ":" + s.getLocalPort();
    enabled = true;
    ServerSocket accepting = s;
    Thread t = new Thread(() -> acceptLoop(accepting), "toxiproxy-accept-" + name);
    t.setDaemon(true);
    t.start();
  }

  /** Closes the listener and every live connection; toxics are kept. */
  synchronized void stop() {
    enabled = false;
    if (server != null) {
      try {
        server.close();
      } catch (IOException ignored) {
        // already closed
      }
      server = null;
    }
    for (Conn c : conns) {
      c.close(false, false);
    }
  }

  synchronized void update(String newListen, String newUpstream, Boolean newEnabled) {
    boolean moved =
        (newListen != null && !newListen.equals(listen))
            || (newUpstream != null && !newUpstream.equals(upstream));
    if (newListen != null) {
      HostPort.parse(newListen, "listen");
    }
    if (newUpstream != null) {
      HostPort.parse(newUpstream, "upstream");
    }
    boolean wasEnabled = enabled;
    boolean listenMoved = newListen != null && !newListen.equals(listen);
    if (moved && !listenMoved) {
      // Only the upstream changes: drop every live connection, keep the listener. Closing and
      // re-binding the same port can fail when an outgoing socket took it as its ephemeral port
      // meanwhile (seen once in CI: "Address already in use").
      for (Conn c : conns) {
        c.close(false, false);
      }
      upstream = newUpstream;
      moved = false;
    }
    if (moved) {
      stop();
      if (newListen != null) {
        listen = newListen;
      }
      if (newUpstream != null) {
        upstream = newUpstream;
      }
    }
    boolean want = newEnabled != null ? newEnabled : wasEnabled;
    if (want && !enabled) {
      start();
    } else if (!want && enabled) {
      stop();
    }
  }

  private void acceptLoop(ServerSocket s) {
    while (!s.isClosed()) {
      Socket client;
      try {
        client = s.accept();
      } catch (IOException e) {
        return; // listener closed
      }
      Set<Toxic> atAccept = new HashSet<>(toxics("upstream"));
      atAccept.addAll(toxics("downstream"));
      Thread dial = new Thread(() -> connect(client, atAccept), "toxiproxy-dial-" + name);
      dial.setDaemon(true);
      dial.start();
    }
  }

  private void connect(Socket client, Set<Toxic> atAccept) {
    HostPort up = HostPort.parse(upstream, "upstream");
    Socket server = new Socket();
    try {
      server.setReceiveBufferSize(UPSTREAM_RECEIVE_BUFFER);
      server.connect(new java.net.InetSocketAddress(up.host(), up.port()));
      server.setTcpNoDelay(true);
      client.setTcpNoDelay(true);
    } catch (IOException e) {
      quietClose(server);
      quietClose(client);
      return;
    }
    Conn c = new Conn(client, server, atAccept);
    conns.add(c);
    if (!enabled) {
      c.close(false, false);
      return;
    }
    c.start();
  }

  // ------------------------------------------------------------------ toxics

  synchronized List<Toxic> toxics(String stream) {
    return List.copyOf(stream.equals("upstream") ? upToxics : downToxics);
  }

  synchronized List<Toxic> allToxics() {
    List<Toxic> all = new ArrayList<>(upToxics);
    all.addAll(downToxics);
    return all;
  }

  synchronized Toxic toxic(String toxicName) {
    for (Toxic t : allToxics()) {
      if (t.name.equals(toxicName)) {
        return t;
      }
    }
    throw new ApiError(404, "toxic not found");
  }

  synchronized void addToxic(Toxic t) {
    for (Toxic existing : allToxics()) {
      if (existing.name.equals(t.name)) {
        throw new ApiError(409, "toxic already exists");
      }
    }
    (t.stream.equals("upstream") ? upToxics : downToxics).add(t);
    toxicsChanged();
  }

  synchronized void removeToxic(String toxicName) {
    Toxic t = toxic(toxicName);
    (t.stream.equals("upstream") ? upToxics : downToxics).remove(t);
    t.removed = true;
    if (t.type.equals("timeout")) {
      for (Conn c : conns) {
        if (c.link(t.stream).isActive(t)) {
          c.close(false, false);
        }
      }
    }
    toxicsChanged();
  }

  synchronized void removeAllToxics() {
    for (Toxic t : allToxics()) {
      removeToxic(t.name);
    }
  }

  void toxicsChanged() {
    synchronized (this) {
      upClean = upToxics.isEmpty();
      downClean = downToxics.isEmpty();
    }
    version++;
    synchronized (changed) {
      changed.notifyAll();
    }
    for (Conn c : conns) {
      c.up.wake();
      c.down.wake();
    }
  }

  Map<String, Object> json() {
    Map<String, Object> m = new LinkedHashMap<>();
    synchronized (this) {
      m.put("name", name);
      m.put("listen", listen);
      m.put("upstream", upstream);
      m.put("enabled", enabled);
      List<Object> ts = new ArrayList<>();
      for (Toxic t : allToxics()) {
        ts.add(t.json());
      }
      m.put("toxics", ts);
    }
    return m;
  }

  void close() {
    stop();
  }

  // ------------------------------------------------------------------ data path

  private static final byte[] WAKE = new byte[0];

  /** Chunks a link holds between its reader and its writer (each up to 32 KB). */
  static final int QUEUED_CHUNKS = 2;

  /**
   * The proxy's receive window towards the upstream: fixed, not auto-tuned to megabytes, so that a
   * held link backs up to the sender within a fraction of a second, as a real slow path does.
   */
  static final int UPSTREAM_RECEIVE_BUFFER = 64 * 1024;

  private record Chunk(byte[] data, long arrivalNanos) {}

  private final class Conn {
    final Socket client;
    final Socket server;
    final Set<Toxic> atAccept;
    final Link up;
    final Link down;
    final AtomicBoolean closed = new AtomicBoolean();

    Conn(Socket client, Socket server, Set<Toxic> atAccept) {
      this.client = client;
      this.server = server;
      this.atAccept = atAccept;
      InputStream ci;
      OutputStream co;
      InputStream si;
      OutputStream so;
      try {
        ci = client.getInputStream();
        co = client.getOutputStream();
        si = server.getInputStream();
        so = server.getOutputStream();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      this.up = new Link(this, "upstream", ci, so);
      this.down = new Link(this, "downstream", si, co);
    }

    Link link(String stream) {
      return stream.equals("upstream") ? up : down;
    }

    void start() {
      up.start();
      down.start();
    }

    /** Closes both sides; {@code rst} tears down with SO_LINGER 0 (a TCP RST). */
    void close(boolean rst, boolean fromToxic) {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      conns.remove(this);
      long slowCloseMs = Math.max(up.slowCloseMs(), down.slowCloseMs());
      Runnable doClose =
          () -> {
            try {
              if (rst) {
                client.setSoLinger(true, 0);
                server.setSoLinger(true, 0);
              }
            } catch (SocketException ignored) {
              // already gone
            }
            quietClose(client);
            quietClose(server);
          };
      up.wake();
      down.wake();
      synchronized (changed) {
        changed.notifyAll();
      }
      if (slowCloseMs > 0 && !rst) {
        Thread t =
            new Thread(
                () -> {
                  sleepQuietly(slowCloseMs);
                  doClose.run();
                },
                "toxiproxy-slow-close-" + name);
        t.setDaemon(true);
        t.start();
      } else {
        doClose.run();
      }
    }
  }

  private final class Link {
    final Conn conn;
    final String stream;
    final InputStream in;
    final OutputStream out;
    // Bounded, as Toxiproxy's unbuffered channels are: a toxic that holds data (bandwidth,
    // latency) stops the reader, the socket's window fills, and the sender feels it. Unbounded,
    // the proxy swallowed everything and a server never saw its client fall behind.
    final BlockingQueue<Chunk> queue = new LinkedBlockingQueue<>(QUEUED_CHUNKS);
    private Map<Toxic, Boolean> draws = new HashMap<>();
    private long drawnAt = -1;

    /** Bytes each limit_data toxic has let through on this link since it was added. */
    private final Map<Toxic, Long> limitUsed = new HashMap<>();

    private boolean resetFired;
    private long lastDataNanos = System.nanoTime();

    /** Chunks queued or being written by the writer; guarded by {@link #order}. */
    private int pending;

    private final Object order = new Object();

    Link(Conn conn, String stream, InputStream in, OutputStream out) {
      this.conn = conn;
      this.stream = stream;
      this.in = in;
      this.out = out;
    }

    void start() {
      Thread r = new Thread(this::readLoop, "toxiproxy-" + name + "-" + stream + "-read");
      r.setDaemon(true);
      r.start();
      Thread w = new Thread(this::writeLoop, "toxiproxy-" + name + "-" + stream + "-write");
      w.setDaemon(true);
      w.start();
    }

    /**
     * With no toxic on this direction and nothing queued, the reader writes the bytes itself: the
     * two thread hand-offs of the toxic path cost ~60 µs per hop on a loaded 2-core box. Order is
     * kept because the fast path is taken only while the writer holds nothing ({@code pending}).
     */
    private void forward(byte[] buf, int n) throws IOException, InterruptedException {
      boolean clean = stream.equals("upstream") ? upClean : downClean;
      synchronized (order) {
        if (clean && pending == 0) {
          out.write(buf, 0, n);
          out.flush();
          return;
        }
        pending++;
      }
      // Outside the lock: the writer takes it to count a chunk written. Only this thread queues
      // data on this link, so the order is kept.
      queue.put(new Chunk(Arrays.copyOf(buf, n), System.nanoTime()));
    }

    private void written() {
      synchronized (order) {
        pending--;
      }
    }

    void wake() {
      queue.offer(new Chunk(WAKE, 0));
    }

    private void readLoop() {
      byte[] buf = new byte[32 * 1024];
      try {
        int n;
        while ((n = in.read(buf)) >= 0) {
          if (n > 0) {
            forward(buf, n);
          }
        }
      } catch (IOException e) {
        // reset or closed: end of this connection
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      conn.close(false, false);
    }

    /**
     * Which toxics act on this link: toxicity is drawn again whenever the chain changes. The
     * proxy's lock is taken (for the snapshot) before, never while, holding this link's lock.
     */
    List<Toxic> active() {
      long v = version;
      List<Toxic> ts = toxics(stream);
      synchronized (this) {
        if (drawnAt != v) {
          Map<Toxic, Boolean> next = new HashMap<>();
          for (Toxic t : ts) {
            next.put(t, ThreadLocalRandom.current().nextDouble() < t.toxicity);
          }
          draws = next;
          drawnAt = v;
        }
        List<Toxic> out = new ArrayList<>();
        for (Toxic t : ts) {
          if (Boolean.TRUE.equals(draws.get(t))) {
            out.add(t);
          }
        }
        return out;
      }
    }

    synchronized boolean isActive(Toxic t) {
      return Boolean.TRUE.equals(draws.get(t));
    }

    long slowCloseMs() {
      long ms = 0;
      for (Toxic t : active()) {
        if (t.type.equals("slow_close")) {
          ms = Math.max(ms, t.attr("delay"));
        }
      }
      return ms;
    }

    private void writeLoop() {
      try {
        while (!conn.closed.get()) {
          Toxic timeout = firstActive("timeout");
          Chunk c;
          if (timeout != null && timeout.attr("timeout") > 0) {
            long deadline = lastDataNanos + TimeUnit.MILLISECONDS.toNanos(timeout.attr("timeout"));
            c = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (c == null) {
              if (!timeout.removed && isActive(timeout) && System.nanoTime() >= deadline) {
                conn.close(false, true);
                return;
              }
              continue;
            }
          } else {
            c = queue.take();
          }
          if (c.data == WAKE) {
            if (firstActive("timeout") != timeout) {
              lastDataNanos = System.nanoTime(); // a new timeout toxic starts its timer now
            }
            continue;
          }
          lastDataNanos = c.arrivalNanos;
          boolean more;
          try {
            more = process(c);
          } finally {
            written();
          }
          if (!more) {
            return;
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (IOException e) {
        conn.close(false, false);
      }
    }

    private Toxic firstActive(String type) {
      for (Toxic t : active()) {
        if (t.type.equals(type)) {
          return t;
        }
      }
      return null;
    }

    /** Runs the chunk through the active toxics and writes it; false when the link is done. */
    private boolean process(Chunk c) throws IOException, InterruptedException {
      byte[] data = c.data;
      boolean closeAfter = false;
      Toxic slicer = null;
      for (Toxic t : active()) {
        switch (t.type) {
          case "timeout" -> {
            return true; // data in this direction is discarded
          }
          case "latency" -> {
            long lat = t.attr("latency");
            long jitter = t.attr("jitter");
            long ms =
                lat + (jitter > 0 ? ThreadLocalRandom.current().nextLong(-jitter, jitter + 1) : 0);
            waitUntil(c.arrivalNanos + TimeUnit.MILLISECONDS.toNanos(Math.max(0, ms)), t);
          }
          case "bandwidth" -> {
            long rate = t.attr("rate");
            if (rate == 0) {
              waitUntil(Long.MAX_VALUE, t); // held, connection open, until the toxic goes
            } else {
              waitUntil(System.nanoTime() + data.length * 1_000_000L / rate, t);
            }
          }
          case "reset_peer" -> {
            if (!resetFired) {
              resetFired = true;
              waitUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(t.attr("timeout")), t);
              if (!t.removed) {
                conn.close(conn.atAccept.contains(t), true);
                return false;
              }
            }
          }
          case "limit_data" -> {
            long budget = t.attr("bytes") - limitUsed.getOrDefault(t, 0L);
            if (budget <= 0) {
              conn.close(false, true);
              return false;
            }
            if (data.length >= budget) {
              data = Arrays.copyOf(data, (int) budget);
              closeAfter = true;
            }
          }
          case "slicer" -> slicer = t;
          default -> {
            // slow_close acts when the connection closes
          }
        }
        if (conn.closed.get()) {
          return false;
        }
      }
      if (slicer != null && !slicer.removed) {
        writeSliced(data, slicer);
      } else {
        out.write(data);
        out.flush();
      }
      for (Toxic t : active()) {
        if (t.type.equals("limit_data")) {
          limitUsed.merge(t, (long) data.length, Long::sum);
        }
      }
      if (closeAfter) {
        conn.close(false, true);
        return false;
      }
      return true;
    }

    private void writeSliced(byte[] data, Toxic s) throws IOException, InterruptedException {
      long avg = Math.max(1, s.attr("average_size"));
      long var = s.attr("size_variation");
      long delayMicros = s.attr("delay");
      int off = 0;
      while (off < data.length) {
        long size = avg + (var > 0 ? ThreadLocalRandom.current().nextLong(-var, var + 1) : 0);
        int n = (int) Math.max(1, Math.min(size, data.length - off));
        out.write(data, off, n);
        out.flush();
        off += n;
        if (off < data.length && delayMicros > 0) {
          waitUntil(System.nanoTime() + TimeUnit.MICROSECONDS.toNanos(delayMicros), s);
        }
      }
    }

    /** Waits until the deadline, the toxic's removal or the connection's end, whichever first. */
    private void waitUntil(long deadlineNanos, Toxic t) throws InterruptedException {
      synchronized (changed) {
        while (!t.removed && !conn.closed.get()) {
          long left = deadlineNanos - System.nanoTime();
          if (left <= 0) {
            return;
          }
          TimeUnit.NANOSECONDS.timedWait(changed, Math.min(left, TimeUnit.SECONDS.toNanos(1)));
        }
      }
    }
  }

  static void quietClose(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms); // the slow_close toxic's own delay: this is the behaviour, not a sync
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  record HostPort(String host, int port) {
    static HostPort parse(String s, String field) {
      if (s == null || s.isBlank()) {
        throw new ApiError(400, "missing required field: " + field);
      }
      int i = s.lastIndexOf(':');
      if (i < 0) {
        throw new ApiError(400, field + " '" + s + "' must be host:port");
      }
      String host = s.substring(0, i).isEmpty() ? "127.0.0.1" : s.substring(0, i);
      if (host.equals("localhost")) {
        host = "127.0.0.1";
      }
      try {
        int port = Integer.parseInt(s.substring(i + 1));
        if (port < 0 || port > 65535) {
          throw new NumberFormatException();
        }
        return new HostPort(host, port);
      } catch (NumberFormatException e) {
        throw new ApiError(400, field + " '" + s + "' has an invalid port");
      }
    }
  }
}
