package dev.natsproof.chaos.core;

import dev.natsproof.broker.Broker;
import dev.natsproof.broker.BrokerOptions;
import dev.natsproof.broker.ConnectionEvent;
import dev.natsproof.broker.Message;
import dev.natsproof.broker.MessageHandler;
import dev.natsproof.broker.Subscription;
import dev.natsproof.broker.nats.NatsBroker;
import dev.natsproof.broker.nats.NatsStreamBroker;
import dev.natsproof.broker.nats.RoomSnapshots;
import dev.natsproof.results.History;
import dev.natsproof.results.Op;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The Core game load of a chaos run, through the natsproof Core broker: a room server publishes
 * every room's state frame on an open-loop 30 Hz schedule; gateways subscribe once per room (the
 * gateway layout) and record every frame they are handed; players send commands (request/reply with
 * a bounded retry, as a business layer does) to a queue group of command services. Every publish,
 * frame, command and connection event goes into the history; {@link CoreChecker} judges it
 * afterwards.
 *
 * <p>A frame carries its room, its sequence in the room and its intended send time on the history's
 * clock, so latency is measured from the schedule (a stalled publisher shows as latency), and order
 * and duplicates per subscription from the sequence.
 */
public final class CoreLoad implements AutoCloseable {
  /** A deliberately broken gateway, for the negative controls. */
  public enum BrokenGateway {
    NONE,
    /** gateway 0 gives up on the first disconnect: its rooms freeze for good. */
    NEVER_RECONNECTS,
    /** gateway 0 hands its last frames to the players again after every reconnect. */
    REPLAYS_STALE
  }

  /**
   * @param rooms rooms, each one subject and one subscription on a gateway
   * @param hz frames per room per second
   * @param payloadBytes a frame's size (at least the 20-byte header)
   * @param latestOnly gateways subscribe with {@code subscribeLatest} (the state-sync mode)
   * @param commandsPerSecond player commands, open loop
   * @param commandTimeout one attempt's timeout
   * @param commandAttempts attempts per command (the first and its retries)
   * @param broken a broken gateway for a negative control
   */
  public record Config(
      int rooms,
      int hz,
      int payloadBytes,
      boolean latestOnly,
      int commandsPerSecond,
      Duration commandTimeout,
      int commandAttempts,
      BrokenGateway broken,
      int snapshotReplicas) {
    public Config {
      if (rooms < 1 || hz < 1 || hz > 1000 || payloadBytes < FRAME_HEADER) {
        throw new IllegalArgumentException(
            "rooms >= 1, hz 1..1000 and payloadBytes >= " + FRAME_HEADER + " needed");
      }
      if (commandsPerSecond < 1 || commandAttempts < 1) {
        throw new IllegalArgumentException("commandsPerSecond and commandAttempts must be >= 1");
      }
      if (snapshotReplicas < 0 || snapshotReplicas > 5) {
        throw new IllegalArgumentException("snapshotReplicas must be 0 (off) to 5");
      }
    }

    /** 12 rooms at 30 Hz, 200-byte frames, latest-only; 20 commands/s, 3 × 500 ms; no snapshots. */
    public static Config defaults() {
      return new Config(12, 30, 200, true, 20, Duration.ofMillis(500), 3, BrokenGateway.NONE, 0);
    }

    private Config with(int payload, boolean latest, BrokenGateway b, int snapshots) {
      return new Config(
          rooms,
          hz,
          payload,
          latest,
          commandsPerSecond,
          commandTimeout,
          commandAttempts,
          b,
          snapshots);
    }

    public Config withBroken(BrokenGateway b) {
      return with(payloadBytes, latestOnly, b, snapshotReplicas);
    }

    public Config withLatestOnly(boolean latest) {
      return with(payloadBytes, latest, broken, snapshotReplicas);
    }

    public Config withPayloadBytes(int bytes) {
      return with(bytes, latestOnly, broken, snapshotReplicas);
    }

    /**
     * Room snapshots on: the room server stores every room's latest frame in a key-value bucket
     * ({@code replicas} copies) about 3 times a second, and gateways follow their rooms through
     * {@link RoomSnapshots}: after a reconnect (or a jump of more than 3 s of frames) a room is
     * rebuilt from its snapshot first, recorded as a {@value CoreLoad#RESYNC} op.
     */
    public Config withSnapshots(int replicas) {
      return with(payloadBytes, latestOnly, broken, replicas);
    }

    long periodNanos() {
      return 1_000_000_000L / hz;
    }
  }

  /**
   * Where each client connects. Each list is a server list in preference order (a client is pinned
   * to its first entry and fails over along the rest).
   *
   * @param roomServer the room server (the publisher)
   * @param gateways one list per gateway; room {@code r} is on gateway {@code r % size}
   * @param services the command services (a queue group)
   * @param players the players' command client
   * @param stayOnList true when a list holds a proxy: the client must not learn other addresses
   * @param slowLink a proxy a slow player on a slow network connects through, or null
   */
  public record Topology(
      List<String> roomServer,
      List<List<String>> gateways,
      List<List<String>> services,
      List<String> players,
      boolean stayOnList,
      String slowLink) {

    /** Everything on one server (or one proxy). */
    public static Topology single(String url, int gateways, boolean proxied) {
      List<List<String>> gws = new ArrayList<>();
      for (int i = 0; i < gateways; i++) {
        gws.add(List.of(url));
      }
      return new Topology(
          List.of(url), gws, List.of(List.of(url), List.of(url)), List.of(url), proxied, null);
    }

    public Topology withSlowLink(String proxyUrl) {
      return new Topology(roomServer, gateways, services, players, stayOnList, proxyUrl);
    }
  }

  // History vocabulary of a Core run.
  public static final String PUBLISH = "frame-publish";
  public static final String FRAME = "frame";
  public static final String COMMAND = "command";
  public static final String CONNECTION = "connection";
  public static final String REPLACED = "replaced";
  public static final String LOAD_END = dev.natsproof.chaos.ChaosRun.LOAD_END;

  /** A gateway's room rebuilt from its snapshot (seq: the snapshot's frame). */
  public static final String RESYNC = "resync";

  static final String SNAPSHOT_BUCKET = "CORE_ROOMS";
  public static final String ROOM_SERVER = "room-server";
  public static final String PLAYERS = "players";

  /** A player whose handler takes 50 ms, on its own connection, plain subscribe to room 0. */
  public static final String SLOW_HANDLER = "slow-handler";

  /** A spectator of every room behind a slow network link (a bandwidth-capped proxy). */
  public static final String SLOW_LINK = "slow-link";

  static final Duration SLOW_HANDLER_WORK = Duration.ofMillis(50);
  static final int FRAME_HEADER = 4 + 8 + 8;

  private final Config config;
  private final Topology topology;
  private final History history;
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final List<Broker> brokers = new ArrayList<>();
  private final Map<String, Subscription> roomSubs = new ConcurrentHashMap<>();
  private final Map<Long, Long> inFlight = new ConcurrentHashMap<>();
  private final AtomicLong commandIds = new AtomicLong();
  private final List<Thread> threads = new ArrayList<>();
  private final Map<String, Deque<Message>> replayable = new ConcurrentHashMap<>();
  private final List<Broker> slowPlayers = new ArrayList<>();
  private Broker roomServer;
  private Broker players;
  private int snapshotReplicas;
  private RoomSnapshots roomSnapshots;
  private volatile byte[][] lastFrame;

  public CoreLoad(Config config, Topology topology, History history) {
    this.config = config;
    this.snapshotReplicas = config.snapshotReplicas();
    this.topology = topology;
    this.history = history;
  }

  public Config config() {
    return config;
  }

  public History history() {
    return history;
  }

  /** The version the room server's server reports (after {@link #connect()}). */
  public String serverVersion() {
    return roomServer.serverVersion();
  }

  /** A room's state subject; room -1 is every room (a spectator). */
  public static String roomSubject(int room) {
    return room < 0 ? "game.room.*.state" : "game.room." + room + ".state";
  }

  public static String gatewayName(int g) {
    return "gw-" + g;
  }

  /** Connects every client and subscribes; the load starts with {@link #startLoad()}. */
  public void connect() {
    for (int i = 0; i < topology.services().size(); i++) {
      Broker s = open("cmd-service-" + i, topology.services().get(i), false);
      Broker self = s;
      s.queueSubscribe("game.cmd.*", "cmd-service", m -> self.reply(m, m.data()));
    }
    roomServer = open(ROOM_SERVER, topology.roomServer(), false);
    if (snapshotReplicas > 0) {
      roomSnapshots =
          RoomSnapshots.open((NatsStreamBroker) roomServer, SNAPSHOT_BUCKET, snapshotReplicas);
    }
    for (int g = 0; g < topology.gateways().size(); g++) {
      String name = gatewayName(g);
      boolean givesUp = g == 0 && config.broken() == BrokenGateway.NEVER_RECONNECTS;
      Broker gw = open(name, topology.gateways().get(g), givesUp);
      RoomSnapshots gwSnapshots =
          snapshotReplicas > 0
              ? RoomSnapshots.open((NatsStreamBroker) gw, SNAPSHOT_BUCKET, snapshotReplicas)
              : null;
      for (int r = g; r < config.rooms(); r += topology.gateways().size()) {
        roomSubs.put(
            name + "/" + r,
            gwSnapshots != null
                ? follow(gwSnapshots, name, r)
                : subscribe(gw, name, r, config.latestOnly(), h -> {}));
      }
    }
    players = open(PLAYERS, topology.players(), false);
    for (Broker b : brokers) {
      b.flush(Duration.ofSeconds(5)); // every subscription is on its server before the load
    }
  }

  private Subscription follow(RoomSnapshots snapshots, String gateway, int room) {
    RoomSnapshots.Follower f =
        snapshots.follow(
            roomSubject(room),
            "room-" + room,
            m -> ByteBuffer.wrap(m.data()).getLong(4),
            new RoomSnapshots.View() {
              @Override
              public void reset(java.util.Optional<RoomSnapshots.Snapshot> s) {
                long now = history.now();
                history.add(
                    new Op(
                        gateway,
                        RESYNC,
                        "room-" + room,
                        s.map(RoomSnapshots.Snapshot::frame).orElse(-1L),
                        0,
                        Op.OK,
                        now,
                        now,
                        null));
              }

              @Override
              public void apply(Message m, long seq) {
                recordFrame(gateway, m);
              }
            },
            (long) config.hz() * 3);
    return f.subscription();
  }

  /** Every room's latest frame into its snapshot, about 3 times a second until the load ends. */
  private void snapshotLoop() {
    long t0 = history.now();
    long period = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(333);
    for (long n = 1; n < 3L * 600 && !stopping.get(); n++) {
      parkUntil(t0 + n * period);
      for (int r = 0; r < config.rooms(); r++) {
        byte[] f = lastFrame[r];
        if (f == null) {
          continue;
        }
        try {
          roomSnapshots.put("room-" + r, ByteBuffer.wrap(f).getLong(4), f);
        } catch (RuntimeException e) {
          // the server is away: the next round stores the newer state
        }
      }
    }
  }

  /**
   * Subscribes {@code subscriber} to one room and records each frame it is handed; {@code slow}
   * runs in the handler after recording (a slow player's own work).
   */
  Subscription subscribe(
      Broker b,
      String subscriber,
      int room,
      boolean latest,
      java.util.function.Consumer<Message> slow) {
    MessageHandler h =
        m -> {
          recordFrame(subscriber, m);
          if (config.broken() == BrokenGateway.REPLAYS_STALE && subscriber.equals(gatewayName(0))) {
            Deque<Message> q = replayable.computeIfAbsent(m.subject(), k -> new ArrayDeque<>());
            synchronized (q) {
              q.addLast(m);
              if (q.size() > 3) {
                q.removeFirst();
              }
            }
          }
          slow.accept(m);
        };
    return latest ? b.subscribeLatest(roomSubject(room), h) : b.subscribe(roomSubject(room), h);
  }

  private void recordFrame(String subscriber, Message m) {
    long now = history.now();
    ByteBuffer buf = ByteBuffer.wrap(m.data());
    int room = buf.getInt();
    long seq = buf.getLong();
    long intended = buf.getLong();
    history.add(new Op(subscriber, FRAME, "room-" + room, seq, 0, Op.OK, intended, now, null));
  }

  /** A client of the load: pinned to its list's first server, every connection event recorded. */
  Broker open(String name, List<String> urls, boolean neverReconnects) {
    BrokerOptions.Builder o =
        BrokerOptions.builder()
            .servers(urls)
            .connectionName(name)
            .noRandomize(true)
            .ignoreDiscoveredServers(topology.stayOnList())
            .connectionListener(e -> onConnectionEvent(name, e));
    if (neverReconnects) {
      o.maxReconnects(0);
    }
    Broker b =
        snapshotReplicas > 0
            ? NatsStreamBroker.connect(o.build(), 16)
            : NatsBroker.connect(o.build());
    synchronized (brokers) {
      brokers.add(b);
    }
    return b;
  }

  private void onConnectionEvent(String name, ConnectionEvent e) {
    if (e.type() == ConnectionEvent.Type.DISCONNECTED
        || e.type() == ConnectionEvent.Type.RECONNECTED
        || e.type() == ConnectionEvent.Type.CLOSED
        || e.type() == ConnectionEvent.Type.LAME_DUCK
        || e.type() == ConnectionEvent.Type.SLOW_CONSUMER) {
      history.event(
          name,
          CONNECTION,
          e.type().name().toLowerCase(),
          0,
          0,
          e.serverUrl().orElse("") + (e.detail() == null ? "" : " " + e.detail()));
    }
    if (e.type() == ConnectionEvent.Type.RECONNECTED
        && config.broken() == BrokenGateway.REPLAYS_STALE
        && name.equals(gatewayName(0))) {
      // The broken gateway: what it saw before the reconnect goes to the players again.
      for (Deque<Message> q : replayable.values()) {
        List<Message> again;
        synchronized (q) {
          again = List.copyOf(q);
        }
        for (Message m : again) {
          recordFrame(name, m);
        }
      }
    }
  }

  /**
   * The slow players join: one whose handler takes 50 ms (the client's own problem: jnats keeps
   * reading the socket, so the backlog is in the client), and, when the topology has a slow link, a
   * spectator of every room behind it (the server's problem: its socket to that client backs up).
   * Neither is judged; what they cost everyone else is.
   */
  public void joinSlowPlayers() {
    Broker h = open(SLOW_HANDLER, topology.players(), false);
    roomSubs.put(
        SLOW_HANDLER + "/0", subscribe(h, SLOW_HANDLER, 0, false, m -> work(SLOW_HANDLER_WORK)));
    h.flush(Duration.ofSeconds(5));
    synchronized (slowPlayers) {
      slowPlayers.add(h);
    }
    if (topology.slowLink() != null) {
      Broker l =
          NatsBroker.connect(
              BrokerOptions.builder()
                  .servers(topology.slowLink())
                  .connectionName(SLOW_LINK)
                  .ignoreDiscoveredServers(true)
                  .connectionListener(e -> onConnectionEvent(SLOW_LINK, e))
                  .build());
      roomSubs.put(SLOW_LINK + "/-1", subscribe(l, SLOW_LINK, -1, false, m -> {}));
      l.flush(Duration.ofSeconds(5));
      synchronized (slowPlayers) {
        slowPlayers.add(l);
      }
    }
  }

  /** The slow players leave (their connections close; what they were handed is recorded). */
  public void leaveSlowPlayers() {
    synchronized (slowPlayers) {
      for (String key : List.copyOf(roomSubs.keySet())) {
        if (key.startsWith(SLOW_HANDLER + "/") || key.startsWith(SLOW_LINK + "/")) {
          recordReplaced(key, roomSubs.remove(key));
        }
      }
      for (Broker b : slowPlayers) {
        b.close();
      }
      slowPlayers.clear();
    }
  }

  private static void work(Duration d) {
    try {
      Thread.sleep(d.toMillis()); // the slow player's handler work: the behaviour under test
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Starts the room server's schedule and the players' commands. */
  public void startLoad() {
    lastFrame = new byte[config.rooms()][];
    start("core-room-server", this::publishLoop);
    if (roomSnapshots != null) {
      start("core-room-snapshots", this::snapshotLoop);
    }
    start("core-players", this::commandLoop);
  }

  private void start(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  /**
   * Open loop: room {@code r}'s frame {@code k} is due at {@code t0 + k·period + r·period/rooms}
   * (rooms' phases spread over the tick) and is published then, however late the last one was.
   * Bounded by the stop flag and by ten minutes of frames.
   */
  private void publishLoop() {
    long period = config.periodNanos();
    long t0 = history.now() + TimeUnit.MILLISECONDS.toNanos(5);
    long maxTicks = (long) config.hz() * 600;
    for (long k = 0; k < maxTicks && !stopping.get(); k++) {
      for (int r = 0; r < config.rooms() && !stopping.get(); r++) {
        long due = t0 + k * period + r * period / config.rooms();
        parkUntil(due);
        // A new array per frame: jnats holds the array until its writer sends it, so refilling one
        // would send a later frame's bytes under an earlier publish.
        byte[] frame = new byte[config.payloadBytes()];
        ByteBuffer.wrap(frame).putInt(r).putLong(k).putLong(due);
        lastFrame[r] = frame;
        try {
          roomServer.publish(roomSubject(r), frame);
          history.add(
              new Op(ROOM_SERVER, PUBLISH, "room-" + r, k, 0, Op.OK, due, history.now(), null));
        } catch (RuntimeException e) {
          history.add(
              new Op(
                  ROOM_SERVER,
                  PUBLISH,
                  "room-" + r,
                  k,
                  0,
                  Op.FAIL,
                  due,
                  history.now(),
                  e.toString()));
        }
      }
    }
  }

  /** Open loop at {@code commandsPerSecond}; each command retried up to its attempts. */
  private void commandLoop() {
    long period = 1_000_000_000L / config.commandsPerSecond();
    long t0 = history.now();
    long max = (long) config.commandsPerSecond() * 600;
    for (long n = 0; n < max && !stopping.get(); n++) {
      long due = t0 + n * period;
      parkUntil(due);
      long id = commandIds.incrementAndGet();
      inFlight.put(id, due);
      attempt(id, due, 1);
    }
  }

  private void attempt(long id, long due, int attempt) {
    byte[] data = ByteBuffer.allocate(16).putLong(id).putLong(due).array();
    String subject = "game.cmd." + (id % config.rooms());
    try {
      players
          .requestAsync(subject, null, data, config.commandTimeout())
          .whenComplete(
              (m, e) -> {
                if (e == null) {
                  finish(id, due, attempt, Op.OK, null);
                } else if (attempt < config.commandAttempts() && !stopping.get()) {
                  attempt(id, due, attempt + 1);
                } else {
                  finish(id, due, attempt, Op.FAIL, rootCause(e));
                }
              });
    } catch (RuntimeException e) {
      if (attempt < config.commandAttempts() && !stopping.get()) {
        attempt(id, due, attempt + 1);
      } else {
        finish(id, due, attempt, Op.FAIL, rootCause(e));
      }
    }
  }

  private void finish(long id, long due, int attempts, String outcome, String detail) {
    if (inFlight.remove(id) != null) {
      history.add(
          new Op(PLAYERS, COMMAND, "c" + id, id, attempts, outcome, due, history.now(), detail));
    }
  }

  private static String rootCause(Throwable e) {
    Throwable t = e;
    while ((t instanceof java.util.concurrent.CompletionException
            || t instanceof java.util.concurrent.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName();
  }

  /**
   * Ends the load: the schedules stop, commands still in flight get their retries' worth of time
   * and are recorded hung after that, each subscription's latest-only replacements are recorded.
   */
  public void stopLoad() throws InterruptedException {
    history.event(ROOM_SERVER, LOAD_END, "", 0, 0, null);
    stopping.set(true);
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(30));
    }
    long wait =
        config.commandTimeout().toNanos() * config.commandAttempts() + TimeUnit.SECONDS.toNanos(2);
    long deadline = System.nanoTime() + wait;
    while (!inFlight.isEmpty() && System.nanoTime() < deadline) {
      // Commands in flight finish within their own timeouts: this waits at most for those.
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
    for (Map.Entry<Long, Long> e : Map.copyOf(inFlight).entrySet()) {
      if (inFlight.remove(e.getKey()) != null) {
        history.add(
            new Op(
                PLAYERS,
                COMMAND,
                "c" + e.getKey(),
                e.getKey(),
                0,
                Op.INFO,
                e.getValue(),
                history.now(),
                "hung: neither answered nor failed"));
      }
    }
    for (Map.Entry<String, Subscription> e : roomSubs.entrySet()) {
      recordReplaced(e.getKey(), e.getValue());
    }
  }

  /** A subscription's frames not handed over: latest-only replacements, client drops. */
  private void recordReplaced(String key, Subscription sub) {
    String[] gr = key.split("/");
    history.event(gr[0], REPLACED, "room-" + gr[1], sub.dropped(), 0, null);
  }

  private void parkUntil(long dueOnHistoryClock) {
    // The schedule is the behaviour: this waits for a frame's due time, not for another thread.
    while (true) {
      long left = dueOnHistoryClock - history.now();
      if (left <= 0) {
        return;
      }
      LockSupport.parkNanos(left);
    }
  }

  @Override
  public void close() {
    stopping.set(true);
    leaveSlowPlayers();
    synchronized (brokers) {
      for (Broker b : brokers) {
        try {
          b.close();
        } catch (RuntimeException e) {
          // a client whose server is gone: nothing left to release
        }
      }
      brokers.clear();
    }
  }
}
