package dev.natsproof.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.natsproof.results.FanOutClient;
import dev.natsproof.results.FanOutMerge;
import dev.natsproof.results.FanOutRun;
import dev.natsproof.results.ResultsDir;
import dev.natsproof.results.Workload;
import dev.natsproof.testkit.NatsServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Load split over shards against one server, merged: the same frames and deliveries as one process,
 * percentiles from the shards' interval logs.
 */
class ShardTest {
  static Workload workload(Path dir) throws Exception {
    // 25 Hz: a tick of exactly 40 ms, so every run's recorded phase holds the same frames
    Path yaml = dir.resolve("rooms-40x5-25hz-100b.yaml");
    Files.writeString(
        yaml,
        String.join(
            "\n",
            "rooms: 40",
            "playersPerRoom: 5",
            "hz: 25",
            "payloadBytes: 100",
            "warmupSeconds: 1",
            "durationSeconds: 2",
            "subscriberConnections: 2",
            "publisherThreads: 1",
            "gateP99Micros: 10000",
            "layout: gateway",
            "publishSlotMicros: 1000",
            ""));
    return Workload.parse(yaml).withVariants(List.of(FanOutClient.BROKER));
  }

  static FanOutRun run(Workload w, NatsServer s, Path dir, FanOutScenario.Shard shard) {
    FanOutRun r =
        new FanOutScenario(
                w,
                List.of(s.clientUrl()),
                false,
                FanOutScenario.Options.defaults(dir).withShard(shard),
                System.out)
            .run();
    ResultsDir.at(dir).write(r);
    return r;
  }

  @Test
  @DisplayName(
      "two shards at once, merged, equal one process: frames, expected and delivered counts;"
          + " a missing or repeated shard is refused")
  void shardsMergeToTheWhole(@TempDir Path dir) throws Exception {
    Workload w = workload(dir);
    try (NatsServer s = NatsServer.startDefault()) {
      FanOutRun whole = run(w, s, dir.resolve("whole"), FanOutScenario.Shard.WHOLE);
      List<CompletableFuture<FanOutRun>> parts = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        FanOutScenario.Shard shard = new FanOutScenario.Shard(i, 2);
        Path d = dir.resolve("shard-" + i);
        parts.add(CompletableFuture.supplyAsync(() -> run(w, s, d, shard)));
      }
      long shardFrames = 0;
      for (CompletableFuture<FanOutRun> p : parts) {
        FanOutRun r = p.join();
        assertTrue(r.error() == null, r.error());
        shardFrames += r.framesPublished();
      }
      List<FanOutRun> merged =
          FanOutMerge.merge(
              List.of(dir.resolve("shard-0"), dir.resolve("shard-1")), dir.resolve("merged"));
      assertEquals(1, merged.size());
      FanOutRun m = merged.get(0);
      assertEquals(whole.framesPublished(), m.framesPublished(), "frames published");
      assertEquals(shardFrames, m.framesPublished());
      assertEquals(whole.expectedDeliveries(), m.expectedDeliveries(), "deliveries expected");
      assertEquals(m.expectedDeliveries(), m.deliveries(), "every delivery present");
      assertEquals(m.deliveries(), m.latency().count(), "every delivery in the merged histogram");
      assertTrue(m.provenance().workload().endsWith("merged from 2 shards"));

      assertThrows(
          IllegalArgumentException.class,
          () ->
              FanOutMerge.merge(
                  List.of(dir.resolve("shard-0"), dir.resolve("shard-0")), dir.resolve("x")));
      assertThrows(
          IllegalArgumentException.class,
          () ->
              FanOutMerge.merge(
                  List.of(dir.resolve("shard-0"), dir.resolve("whole")), dir.resolve("y")));
    }
  }
}
