package dev.natsproof.results;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The record that joins workload, nemesis and checker: appended concurrently, read in order. */
public final class History {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final long originNanos;
  private final List<Op> ops = Collections.synchronizedList(new ArrayList<>());

  public History() {
    this(System.nanoTime());
  }

  private History(long originNanos) {
    this.originNanos = originNanos;
  }

  public static History of(List<Op> ops) {
    History h = new History(0);
    h.ops.addAll(ops);
    return h;
  }

  /** Nanoseconds since the run started. */
  public long now() {
    return System.nanoTime() - originNanos;
  }

  public void add(Op op) {
    ops.add(op);
  }

  public void add(
      String process,
      String type,
      String value,
      long seq,
      long deliveries,
      String outcome,
      long startNanos,
      String detail) {
    ops.add(new Op(process, type, value, seq, deliveries, outcome, startNanos, now(), detail));
  }

  /** An instantaneous event (a delivery, a fault). */
  public void event(
      String process, String type, String value, long seq, long deliveries, String detail) {
    long t = now();
    ops.add(new Op(process, type, value, seq, deliveries, Op.OK, t, t, detail));
  }

  public List<Op> ops() {
    synchronized (ops) {
      return List.copyOf(ops);
    }
  }

  public int size() {
    return ops.size();
  }

  public void writeJsonl(Path file) {
    try {
      Files.createDirectories(file.getParent());
      try (BufferedWriter w = Files.newBufferedWriter(file)) {
        for (Op op : ops()) {
          w.write(JSON.writeValueAsString(op));
          w.newLine();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write history " + file, e);
    }
  }

  public static History readJsonl(Path file) {
    try {
      List<Op> ops = new ArrayList<>();
      int line = 0;
      for (String l : Files.readAllLines(file)) {
        line++;
        if (l.isBlank()) {
          continue;
        }
        try {
          ops.add(JSON.readValue(l, Op.class));
        } catch (IOException e) {
          throw new IllegalArgumentException(
              file + " line " + line + " is not a history entry: " + e.getMessage(), e);
        }
      }
      return of(ops);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read history " + file, e);
    }
  }
}
