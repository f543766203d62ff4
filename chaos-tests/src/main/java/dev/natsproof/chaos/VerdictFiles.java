package dev.natsproof.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes {@code verdict.json} in the shape the reports module reads, for any checker. */
public final class VerdictFiles {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private VerdictFiles() {}

  public static void write(
      Path dir, String suite, String run, String nemesis, Verdict v, Map<String, Object> extra) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("suite", suite);
    m.put("run", run);
    m.put("nemesis", nemesis);
    m.put("status", v.status());
    m.put("checker", v.checker());
    m.put("reasons", v.reasons());
    m.put("counts", v.counts());
    m.put("samples", v.samples());
    m.put("jnatsVersion", io.nats.client.Nats.CLIENT_VERSION);
    m.put("writtenAt", Instant.now().toString());
    m.putAll(extra);
    try {
      Files.createDirectories(dir);
      JSON.writeValue(dir.resolve("verdict.json").toFile(), m);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir.resolve("verdict.json"), e);
    }
  }
}
