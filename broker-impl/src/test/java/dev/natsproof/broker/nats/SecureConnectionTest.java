package dev.natsproof.broker.nats;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.broker.AuthenticationException;
import dev.natsproof.broker.BrokerConnectException;
import dev.natsproof.broker.BrokerOptions;
import dev.natsproof.testkit.NatsServer;
import io.nats.client.NKey;
import io.nats.client.support.JsonSerializable;
import io.nats.client.support.JwtUtils;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connections the README promises besides user/password and token: TLS with a trusted server
 * certificate, and a NATS credentials file (operator mode, JWTs issued here with jnats's own
 * JwtUtils). Real servers, real handshakes.
 */
class SecureConnectionTest {
  @TempDir Path dir;

  static void run(Path dir, String... command) throws Exception {
    Process p =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " hung");
    assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
  }

  /** A self-signed certificate for 127.0.0.1 and its key, made with openssl. */
  Path[] certificate() throws Exception {
    run(
        dir,
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        "key.pem",
        "-out",
        "cert.pem");
    return new Path[] {dir.resolve("cert.pem"), dir.resolve("key.pem")};
  }

  static SSLContext trusting(Path certPem) throws Exception {
    KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
    ks.load(null, null);
    try (InputStream in = Files.newInputStream(certPem)) {
      ks.setCertificateEntry(
          "server", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  @Test
  @DisplayName("TLS: a client trusting the server's certificate connects and messages flow")
  void tls() throws Exception {
    Path[] cert = certificate();
    try (NatsServer server =
        NatsServer.builder()
            .jetStream(false)
            .config("tls {\n  cert_file: \"" + cert[0] + "\"\n  key_file: \"" + cert[1] + "\"\n}")
            .start()) {
      String url = "tls://127.0.0.1:" + server.port();
      try (NatsBroker b =
          NatsBroker.connect(
              BrokerOptions.builder().servers(url).sslContext(trusting(cert[0])).build())) {
        List<String> got = new CopyOnWriteArrayList<>();
        b.subscribe("room.1.state", m -> got.add(m.dataAsString()));
        b.flush(Duration.ofSeconds(5));
        b.publish("room.1.state", "over tls".getBytes());
        await().atMost(Duration.ofSeconds(10)).until(() -> got.contains("over tls"));
        assertTrue(b.connection().getServerInfo().isTLSRequired());
      }
      // A client that trusts nothing in particular is refused by its own TLS check.
      assertThrows(
          BrokerConnectException.class,
          () ->
              NatsBroker.connect(
                      BrokerOptions.builder()
                          .servers(url)
                          .sslContext(SSLContext.getDefault())
                          .build())
                  .close());
    }
  }

  /** A JWT claim body given as JSON. */
  record Claim(String json) implements JsonSerializable {
    @Override
    public String toJson() {
      return json;
    }
  }

  @Test
  @DisplayName(
      "a credentials file (operator JWT, account, user) connects; one of another operator is refused")
  void credentialsFile() throws Exception {
    NKey operator = NKey.createOperator(null);
    NKey account = NKey.createAccount(null);
    NKey user = NKey.createUser(null);
    String op = new String(operator.getPublicKey());
    String acc = new String(account.getPublicKey());
    long now = JwtUtils.currentTimeSeconds();
    String operatorJwt =
        JwtUtils.issueJWT(
            operator,
            op,
            "natsproof-test",
            null,
            now,
            op,
            new Claim("{\"type\":\"operator\",\"version\":2}"));
    String accountJwt =
        JwtUtils.issueJWT(
            operator,
            acc,
            "game",
            null,
            now,
            op,
            new Claim(
                "{\"type\":\"account\",\"version\":2,\"limits\":{\"subs\":-1,\"data\":-1,"
                    + "\"payload\":-1,\"imports\":-1,\"exports\":-1,\"wildcards\":true,"
                    + "\"conn\":-1,\"leaf\":-1}}"));
    Path creds = dir.resolve("user.creds");
    Files.writeString(
        creds, creds(JwtUtils.issueUserJWT(account, acc, new String(user.getPublicKey())), user));
    String config =
        "operator: \""
            + operatorJwt
            + "\"\nresolver: MEMORY\nresolver_preload: {\n  "
            + acc
            + ": \""
            + accountJwt
            + "\"\n}";
    try (NatsServer server = NatsServer.builder().jetStream(false).config(config).start();
        NatsBroker b =
            NatsBroker.connect(
                BrokerOptions.builder()
                    .servers(server.clientUrl())
                    .credentialsFile(creds)
                    .build())) {
      List<String> got = new CopyOnWriteArrayList<>();
      b.subscribe("mail.p1.friend", m -> got.add(m.dataAsString()));
      b.flush(Duration.ofSeconds(5));
      b.publish("mail.p1.friend", "hello".getBytes());
      await().atMost(Duration.ofSeconds(10)).until(() -> got.contains("hello"));

      // Same shape, signed by an account the server does not know.
      NKey stranger = NKey.createAccount(null);
      NKey other = NKey.createUser(null);
      Path wrong = dir.resolve("stranger.creds");
      Files.writeString(
          wrong,
          creds(
              JwtUtils.issueUserJWT(
                  stranger, new String(stranger.getPublicKey()), new String(other.getPublicKey())),
              other));
      assertThrows(
          AuthenticationException.class,
          () ->
              NatsBroker.connect(
                      BrokerOptions.builder()
                          .servers(server.clientUrl())
                          .credentialsFile(wrong)
                          .maxReconnects(0)
                          .build())
                  .close());
    }
  }

  static String creds(String jwt, NKey user) throws Exception {
    return "-----BEGIN NATS USER JWT-----\n"
        + jwt
        + "\n------END NATS USER JWT------\n\n"
        + "-----BEGIN USER NKEY SEED-----\n"
        + new String(user.getSeed())
        + "\n------END USER NKEY SEED------\n";
  }
}
