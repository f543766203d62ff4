package dev.natsproof.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * JMH's own main, after making the results folder (JMH refuses a result file in a folder that does
 * not exist). First argument: the folder; the rest go to JMH.
 */
public final class RunBench {
  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: RunBench RESULTS_DIR [jmh arguments]");
      System.exit(3);
    }
    Files.createDirectories(Path.of(args[0]));
    String[] rest = new String[args.length - 1];
    System.arraycopy(args, 1, rest, 0, rest.length);
    org.openjdk.jmh.Main.main(rest);
  }
}
