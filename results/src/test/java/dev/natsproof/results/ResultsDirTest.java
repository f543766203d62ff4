package dev.natsproof.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsDirTest {
  @TempDir Path dir;

  @Test
  @DisplayName("every kind written comes back equal, typed, from the folder (nested runs included)")
  void roundTrip() {
    ResultsDir rd = ResultsDir.at(dir);
    FanOutRun f = Fixtures.fanOut(2000, 200, 0, 10_000);
    ChaosVerdict c = Fixtures.chaos("kill-9", Verdict.PASS, 0, List.of(), false);
    rd.write(f);
    rd.write(c);
    RunResults r = rd.read();
    assertEquals(List.of(f), r.fanOuts());
    assertEquals(c, r.chaos().get(0).result());
    assertEquals(dir.resolve("server-kill").resolve("kill9"), r.chaos().get(0).dir());
    assertTrue(Files.exists(dir.resolve(ResultsDir.fanOutFile(f.workload().name(), f.client()))));
  }

  @Test
  @DisplayName("a file of another schema version is refused, naming it and both versions")
  void otherSchemaVersion() throws Exception {
    ResultsDir rd = ResultsDir.at(dir);
    Path file = rd.write(Fixtures.fanOut(2000, 200, 0, 10_000));
    Files.writeString(
        file, Files.readString(file).replace("\"schemaVersion\" : 1", "\"schemaVersion\" : 7"));
    ResultsFormatException e = assertThrows(ResultsFormatException.class, rd::read);
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("schema version 7"), e.getMessage());
    assertTrue(e.getMessage().contains("reads version 1"), e.getMessage());
  }

  @Test
  @DisplayName("a result from before the contract (no kind) is refused with what to do")
  void noKind() throws Exception {
    Files.writeString(dir.resolve("fanout-old-broker.json"), "{\"deliveries\": 3}");
    ResultsFormatException e =
        assertThrows(ResultsFormatException.class, () -> ResultsDir.at(dir).read());
    assertTrue(e.getMessage().contains("Run the job again"), e.getMessage());
  }

  @Test
  @DisplayName("a field the kind does not have is an error, not silently ignored")
  void unknownField() throws Exception {
    ResultsDir rd = ResultsDir.at(dir);
    Path file = rd.write(Fixtures.fanOut(2000, 200, 0, 10_000));
    Files.writeString(file, Files.readString(file).replaceFirst("\\{", "{ \"deliverys\": 1,"));
    ResultsFormatException e = assertThrows(ResultsFormatException.class, rd::read);
    assertTrue(e.getMessage().contains("deliverys"), e.getMessage());
  }

  @Test
  @DisplayName("JSON that is not natsproof's (no kind, another name) is left alone")
  void foreignJsonIgnored() throws Exception {
    Files.writeString(dir.resolve("varz.json"), "{\"server_id\": \"x\"}");
    ResultsDir.at(dir).write(Fixtures.fanOut(2000, 200, 0, 10_000));
    assertEquals(1, ResultsDir.at(dir).read().fanOuts().size());
  }

  @Test
  @DisplayName("a capacity search's attempts are not read as runs of their own")
  void capacityAttemptsSkipped() {
    ResultsDir.at(dir.resolve(ResultsDir.CAPACITY_ATTEMPTS).resolve("r1"))
        .write(Fixtures.fanOut(2000, 200, 0, 10_000));
    assertTrue(ResultsDir.at(dir).read().isEmpty());
  }
}
