package dev.natsproof.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.ClusterInfo;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * N real nats-server processes (3 by default) routed on loopback into one JetStream cluster, each
 * with its own name and store. Nodes can be stopped, killed, paused and restarted one by one.
 */
public final class NatsCluster implements AutoCloseable {
  private static final Pattern META_LEADER =
      Pattern.compile("\"meta_cluster\"\\s*:\\s*\\{[^}]*?\"leader\"\\s*:\\s*\"([^\"]*)\"");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final String clusterName;
  private final List<NatsServer> nodes;

  private NatsCluster(String clusterName, List<NatsServer> nodes) {
    this.clusterName = clusterName;
    this.nodes = Collections.unmodifiableList(nodes);
  }

  /** Starts a 3-node cluster and waits until it has a JetStream meta leader. */
  public static NatsCluster start() {
    return start(3);
  }

  public static NatsCluster start(int size) {
    return start(size, "", null);
  }

  /**
   * Starts {@code size} nodes with {@code extraConfig} appended to each node's config, under {@code
   * workDir} (default {@code target/nats-servers}).
   */
  public static NatsCluster start(int size, String extraConfig, Path workDir) {
    return start(size, extraConfig, workDir, null);
  }

  /**
   * Where node {@code from} dials node {@code to}'s route listener (on {@code port}): the port
   * itself, or a proxy's listen port in front of it so routes can be cut one by one.
   */
  @FunctionalInterface
  public interface RouteMapper {
    int routePort(int from, int to, int clusterPort);
  }

  /**
   * With a {@link RouteMapper}, routes go where it says (e.g. through proxies) and every node
   * advertises an unreachable route address: otherwise nodes gossip their real route listeners to
   * each other and connect directly (implicit routes), around the proxies (observed on 2.9.10).
   */
  public static NatsCluster start(int size, String extraConfig, Path workDir, RouteMapper mapper) {
    return start(size, extraConfig, workDir, mapper, null);
  }

  /** As above, every node on {@code binary} (null: the default binary). */
  public static NatsCluster start(
      int size, String extraConfig, Path workDir, RouteMapper mapper, NatsServerBinary binary) {
    RouteMapper routes = mapper != null ? mapper : (from, to, port) -> port;
    String advertise = mapper != null ? "127.0.0.1:1" : null;
    if (size < 1) {
      throw new IllegalArgumentException("cluster size must be at least 1, got " + size);
    }
    String clusterName = "np-" + UUID.randomUUID().toString().substring(0, 6);
    List<Integer> clusterPorts = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      clusterPorts.add(FreePorts.next());
    }
    List<NatsServer> nodes = new ArrayList<>();
    NatsCluster cluster = new NatsCluster(clusterName, nodes);
    try {
      for (int i = 0; i < size; i++) {
        List<Integer> routePorts = new ArrayList<>();
        for (int j = 0; j < size; j++) {
          if (j != i) {
            routePorts.add(routes.routePort(i, j, clusterPorts.get(j)));
          }
        }
        NatsServer.Builder b =
            NatsServer.builder()
                .name(clusterName + "-n" + (i + 1))
                .config(extraConfig)
                .cluster(clusterName, clusterPorts.get(i), routePorts, advertise);
        if (workDir != null) {
          b.workDir(workDir);
        }
        if (binary != null) {
          b.binary(binary);
        }
        NatsServer node = b.build();
        nodes.add(node);
        node.start();
      }
      if (size > 1) {
        cluster.awaitMetaLeader(Duration.ofSeconds(30));
      }
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  public String name() {
    return clusterName;
  }

  public List<NatsServer> nodes() {
    return nodes;
  }

  public NatsServer node(int index) {
    return nodes.get(index);
  }

  public NatsServer node(String serverName) {
    return nodes.stream()
        .filter(n -> n.name().equals(serverName))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "no node named " + serverName + " in cluster " + clusterName));
  }

  /** Client URLs of every node, for a connection that can fail over. */
  public List<String> clientUrls() {
    return nodes.stream().map(NatsServer::clientUrl).collect(Collectors.toList());
  }

  /** The JetStream meta leader as one running node currently sees it, if any. */
  public Optional<String> metaLeader() {
    for (NatsServer n : nodes) {
      if (!n.isRunning() || n.isPaused()) {
        continue;
      }
      Optional<String> leader = metaLeaderSeenBy(n);
      if (leader.isPresent()) {
        return leader;
      }
    }
    return Optional.empty();
  }

  private static Optional<String> metaLeaderSeenBy(NatsServer n) {
    Optional<Monitored> r = monitor(n, "/jsz");
    if (r.isEmpty()) {
      return Optional.empty();
    }
    Matcher m = META_LEADER.matcher(r.get().body());
    if (m.find() && !m.group(1).isEmpty()) {
      return Optional.of(m.group(1));
    }
    return Optional.empty();
  }

  /** One answer of a node's HTTP monitoring endpoint. */
  public record Monitored(int status, String body) {}

  /**
   * GET of a node's monitoring endpoint ({@code /jsz?streams=true}, {@code /healthz}); empty when
   * the node does not answer within 2 s.
   */
  public static Optional<Monitored> monitor(NatsServer n, String pathAndQuery) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(n.monitorUrl() + pathAndQuery))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return Optional.of(new Monitored(r.statusCode(), r.body()));
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /**
   * Waits until the node's {@code /healthz} answers 200: on nats-server 2.9 that means it is
   * current with the meta leader and with every stream and consumer it holds a replica of. This is
   * the check an operator makes before restarting the next node of a rolling restart.
   *
   * @throws IllegalStateException naming the node's last answer, if it is not healthy in time
   */
  public void awaitHealthy(NatsServer n, Duration timeout) {
    pollUntil(
        "node " + n.name() + " healthy (/healthz 200)",
        timeout,
        () -> {
          Optional<Monitored> r = monitor(n, "/healthz");
          return new Probe(
              r.isPresent() && r.get().status() == 200,
              r.map(m -> m.status() + " " + m.body().strip()).orElse("no answer"));
        });
  }

  /** One look at a node: whether the wait is over, and what was seen. */
  private record Probe(boolean done, String seen) {}

  /** Polls every 50 ms; on timeout the error names what the last look saw. */
  private static void pollUntil(String what, Duration timeout, Supplier<Probe> probe) {
    String[] last = {"nothing yet"};
    try {
      Awaitility.await(what)
          .atMost(timeout)
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> {
                Probe p = probe.get();
                last[0] = p.seen();
                return p.done();
              });
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException(
          what + ": not within " + timeout + "; last seen: " + last[0], e);
    }
  }

  /** What one node holds of a stream, by its own account. */
  public record ReplicaState(long messages, long firstSequence, long lastSequence) {}

  /** The node's own replica of the stream, from its {@code /jsz}; empty if it has none. */
  public static Optional<ReplicaState> replicaState(NatsServer n, String stream) {
    Optional<Monitored> r = monitor(n, "/jsz?streams=true");
    if (r.isEmpty() || r.get().status() != 200) {
      return Optional.empty();
    }
    try {
      for (JsonNode acc : JSON.readTree(r.get().body()).path("account_details")) {
        for (JsonNode s : acc.path("stream_detail")) {
          if (stream.equals(s.path("name").asText())) {
            JsonNode st = s.path("state");
            return Optional.of(
                new ReplicaState(
                    st.path("messages").asLong(),
                    st.path("first_seq").asLong(),
                    st.path("last_seq").asLong()));
          }
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * Waits until a node that came back holds the stream up to the last sequence its leader had when
   * this was called, and answers {@code /healthz} 200. {@code /healthz} alone is not enough on
   * nats-server 2.9.10: it answered 200 while the restarted replica still lacked 75–183 of 3000
   * messages written while it was down.
   *
   * @throws IllegalStateException naming what the node last held, if it does not catch up in time
   */
  public void awaitCaughtUp(NatsServer n, String stream, Duration timeout) {
    long target = lastSequenceAtLeader(stream);
    pollUntil(
        "node " + n.name() + " caught up on stream " + stream + " to sequence " + target,
        timeout,
        () -> {
          Optional<ReplicaState> st = replicaState(n, stream);
          return new Probe(
              st.isPresent() && st.get().lastSequence() >= target,
              st.map(Object::toString).orElse("no replica of " + stream));
        });
    awaitHealthy(n, timeout);
  }

  private long lastSequenceAtLeader(String stream) {
    try (Connection nc = Nats.connect(clientOptions())) {
      return nc.jetStreamManagement().getStreamInfo(stream).getStreamState().getLastSequence();
    } catch (IOException | JetStreamApiException e) {
      throw new IllegalStateException("cannot read the state of stream " + stream + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted reading stream " + stream, e);
    }
  }

  /**
   * Waits until every running, unpaused node agrees on a meta leader that is itself running, and
   * returns that node.
   */
  public NatsServer awaitMetaLeader(Duration timeout) {
    String[] agreed = new String[1];
    Awaitility.await("meta leader of cluster " + clusterName)
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              String seen = null;
              for (NatsServer n : nodes) {
                if (!n.isRunning() || n.isPaused()) {
                  continue;
                }
                Optional<String> l = metaLeaderSeenBy(n);
                if (l.isEmpty() || (seen != null && !seen.equals(l.get()))) {
                  return false;
                }
                seen = l.get();
              }
              if (seen == null) {
                return false;
              }
              NatsServer leader = node(seen);
              agreed[0] = seen;
              return leader.isRunning() && !leader.isPaused();
            });
    return node(agreed[0]);
  }

  /** The current leader of a clustered stream, asked of any running node. */
  public Optional<String> streamLeader(String stream) {
    try (Connection nc = Nats.connect(clientOptions())) {
      ClusterInfo ci = nc.jetStreamManagement().getStreamInfo(stream).getClusterInfo();
      return ci == null ? Optional.empty() : Optional.ofNullable(ci.getLeader());
    } catch (IOException | JetStreamApiException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** Waits for a stream leader on a running node and returns that node. */
  public NatsServer awaitStreamLeader(String stream, Duration timeout) {
    String[] found = new String[1];
    Awaitility.await("leader of stream " + stream)
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              Optional<String> l = streamLeader(stream);
              if (l.isEmpty()) {
                return false;
              }
              NatsServer n = node(l.get());
              found[0] = l.get();
              return n.isRunning() && !n.isPaused();
            });
    return node(found[0]);
  }

  /** The stream's leader once one is running, or empty if none came within {@code timeout}. */
  public Optional<NatsServer> streamLeaderWithin(String stream, Duration timeout) {
    try {
      return Optional.of(awaitStreamLeader(stream, timeout));
    } catch (ConditionTimeoutException e) {
      return Optional.empty();
    }
  }

  /**
   * Deletes every stream of the cluster's account, so runs that share a cluster do not share
   * replicated state: a stream left by an earlier run keeps its raft group, and a node's {@code
   * /healthz} reports it (2.10.27 held a rolling restart at 503 "stream ... is not current" on the
   * stream of a run two runs before). Returns what it could not delete, with why.
   */
  public List<String> deleteAllStreams() {
    List<String> failed = new ArrayList<>();
    try (Connection nc = Nats.connect(clientOptions())) {
      var jsm = nc.jetStreamManagement();
      for (String name : jsm.getStreamNames()) {
        try {
          jsm.deleteStream(name);
        } catch (JetStreamApiException | IOException e) {
          failed.add(name + ": " + e.getMessage());
        }
      }
    } catch (IOException | JetStreamApiException e) {
      failed.add("listing streams: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failed.add("interrupted");
    }
    return failed;
  }

  private Options clientOptions() {
    String[] urls =
        nodes.stream()
            .filter(n -> n.isRunning() && !n.isPaused())
            .map(NatsServer::clientUrl)
            .toArray(String[]::new);
    if (urls.length == 0) {
      throw new IllegalStateException("no node of cluster " + clusterName + " is running");
    }
    return Options.builder()
        .servers(urls)
        .connectionTimeout(Duration.ofSeconds(2))
        .maxReconnects(0)
        .build();
  }

  @Override
  public void close() {
    RuntimeException first = null;
    for (NatsServer n : nodes) {
      try {
        n.close();
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  @Override
  public String toString() {
    return "NatsCluster[" + clusterName + " " + nodes + "]";
  }
}
