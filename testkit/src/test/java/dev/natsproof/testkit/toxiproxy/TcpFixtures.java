package dev.natsproof.testkit.toxiproxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** Small loopback TCP servers to put behind a proxy. */
final class TcpFixtures {
  private TcpFixtures() {}

  /** Echoes every byte back; {@code closeAtOnce} closes each connection right after accept. */
  static final class Upstream implements AutoCloseable {
    final ServerSocket server;
    final boolean closeAtOnce;

    Upstream(boolean closeAtOnce) throws IOException {
      this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      this.closeAtOnce = closeAtOnce;
      Thread t = new Thread(this::accept, "fixture-upstream");
      t.setDaemon(true);
      t.start();
    }

    static Upstream echo() throws IOException {
      return new Upstream(false);
    }

    static Upstream closer() throws IOException {
      return new Upstream(true);
    }

    String address() {
      return "127.0.0.1:" + server.getLocalPort();
    }

    private void accept() {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          if (closeAtOnce) {
            s.close();
            continue;
          }
          Thread t =
              new Thread(
                  () -> {
                    try (s;
                        InputStream in = s.getInputStream();
                        OutputStream out = s.getOutputStream()) {
                      in.transferTo(out);
                    } catch (IOException e) {
                      // peer went away
                    }
                  },
                  "fixture-echo");
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return;
        }
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  static Socket connect(String hostPort) throws IOException {
    int i = hostPort.lastIndexOf(':');
    Socket s = new Socket(hostPort.substring(0, i), Integer.parseInt(hostPort.substring(i + 1)));
    s.setTcpNoDelay(true);
    s.setSoTimeout(15_000);
    return s;
  }

  /** Reads exactly n bytes (or fewer if the stream ends). */
  static byte[] readN(InputStream in, int n) throws IOException {
    byte[] b = new byte[n];
    int off = 0;
    while (off < n) {
      int r = in.read(b, off, n - off);
      if (r < 0) {
        return java.util.Arrays.copyOf(b, off);
      }
      off += r;
    }
    return b;
  }
}
