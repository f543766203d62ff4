package dev.natsproof.results;

import picocli.CommandLine;

/**
 * How every natsproof command line ends: exit 0 on success, 3 on bad arguments (with the usage), 1
 * with one line naming the problem for anything else — never a stack trace for an expected error.
 */
public final class Cli {
  /** Exit code for bad arguments, as the launcher script uses it. */
  public static final int BAD_ARGUMENTS = 3;

  private Cli() {}

  public static int run(Object command, String... args) {
    CommandLine cl = new CommandLine(command);
    cl.setExitCodeExceptionMapper(e -> 1);
    cl.setParameterExceptionHandler(
        (ex, a) -> {
          CommandLine c = ex.getCommandLine();
          c.getErr().println("natsproof: " + ex.getMessage());
          c.usage(c.getErr());
          return BAD_ARGUMENTS;
        });
    cl.setExecutionExceptionHandler(
        (ex, c, parsed) -> {
          c.getErr().println("natsproof: " + message(ex));
          if (Boolean.getBoolean("natsproof.debug")) {
            ex.printStackTrace(c.getErr());
          }
          return ex instanceof IllegalArgumentException ? BAD_ARGUMENTS : 1;
        });
    return cl.execute(args);
  }

  private static String message(Throwable t) {
    String m = t.getMessage();
    return m == null || m.isBlank() ? t.toString() : m;
  }
}
