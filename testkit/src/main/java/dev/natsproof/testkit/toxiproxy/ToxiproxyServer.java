package dev.natsproof.testkit.toxiproxy;

/**
 * A Toxiproxy API server: the project's in-JVM one, a real {@code toxiproxy-server} process, or an
 * external one given by {@code TOXIPROXY_URL}. Drive it with the unchanged toxiproxy-java client.
 */
public interface ToxiproxyServer extends AutoCloseable {
  /** What is behind the API: {@code in-jvm}, {@code toxiproxy-server} or {@code external}. */
  String kind();

  String host();

  int port();

  default String url() {
    return "http://" + host() + ":" + port();
  }

  @Override
  void close();
}
