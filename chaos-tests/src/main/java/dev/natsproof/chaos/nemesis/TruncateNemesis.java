package dev.natsproof.chaos.nemesis;

import dev.natsproof.testkit.NatsServer;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * While the server is down (SIGKILL), cut the tail off the newest message block file of the stream,
 * then start it again. Data loss is possible and allowed here: the suite reports it.
 */
public final class TruncateNemesis implements Nemesis {
  private final NatsServer server;
  private final String stream;
  private final long bytes;
  private volatile String lastTruncated = "";

  public TruncateNemesis(NatsServer server, String stream, long bytes) {
    this.server = server;
    this.stream = stream;
    this.bytes = bytes;
  }

  @Override
  public String name() {
    return "truncate-" + bytes + "b";
  }

  @Override
  public void inject() {
    server.kill();
    try (Stream<Path> files = Files.walk(server.storeDir())) {
      List<Path> blocks =
          files
              .filter(p -> p.toString().endsWith(".blk"))
              .filter(p -> p.toString().contains("/" + stream + "/"))
              .sorted(Comparator.comparing(TruncateNemesis::modified).reversed())
              .toList();
      if (blocks.isEmpty()) {
        throw new IllegalStateException(
            "no .blk file for stream " + stream + " under " + server.storeDir());
      }
      Path newest = blocks.get(0);
      try (RandomAccessFile f = new RandomAccessFile(newest.toFile(), "rw")) {
        long len = f.length();
        f.setLength(Math.max(0, len - bytes));
        lastTruncated =
            newest.getFileName() + ": " + len + " -> " + Math.max(0, len - bytes) + " bytes";
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot truncate a block file of " + stream, e);
    }
    server.start();
  }

  public String lastTruncated() {
    return lastTruncated;
  }

  private static long modified(Path p) {
    try {
      return Files.getLastModifiedTime(p).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }

  @Override
  public void heal() {
    // the server was started again right after the cut
  }

  @Override
  public java.util.Map<String, Object> postMortem() {
    return java.util.Map.of("truncated", lastTruncated);
  }

  @Override
  public String limits() {
    return "a truncated block file can lose acked messages; the verdict reports what was lost";
  }
}
