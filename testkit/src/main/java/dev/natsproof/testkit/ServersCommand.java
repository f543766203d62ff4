package dev.natsproof.testkit;

import dev.natsproof.results.Cli;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code ./natsproof servers get SPEC…} and {@code ./natsproof servers list}: real nats-server
 * builds in the cache, by version, Debian suite, binary or release archive.
 */
@Command(
    name = "servers",
    mixinStandardHelpOptions = true,
    description =
        "Real nats-server builds in natsproof's cache (${env:NATSPROOF_SERVER_CACHE:-~/.cache/natsproof/nats-server}).",
    subcommands = {ServersCommand.Get.class, ServersCommand.ListBuilds.class})
public final class ServersCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    CommandLine.usage(this, System.out);
    return 0;
  }

  @Command(
      name = "get",
      mixinStandardHelpOptions = true,
      description = {
        "Puts each build in the cache and prints its binary's path, one line per SPEC.",
        "SPEC: a version (2.10.27: searched in Debian's bookworm, trixie and sid), a Debian suite"
            + " (trixie: its newest nats-server today), a nats-server binary, or a release archive"
            + " (.tar.gz, .zip, .deb)."
      })
  static final class Get implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "SPEC")
    List<String> specs;

    @CommandLine.Option(
        names = "--verbose",
        description = "Print the version and where the build came from, after the path.")
    boolean verbose;

    @Override
    public Integer call() {
      ServerBuilds cache = ServerBuilds.defaults();
      for (String spec : specs) {
        ServerBuilds.Build b = cache.get(spec);
        System.out.println(
            verbose ? b.binary() + "\t" + b.version() + "\t" + b.source() : b.binary().toString());
      }
      return 0;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Lists the cached builds with their exact versions and sources.")
  static final class ListBuilds implements Callable<Integer> {
    @Override
    public Integer call() {
      ServerBuilds cache = ServerBuilds.defaults();
      List<ServerBuilds.Build> builds = cache.list();
      System.out.println("server cache: " + cache.root());
      if (builds.isEmpty()) {
        System.out.println("  (empty: ./natsproof servers get bookworm trixie sid)");
        return 0;
      }
      Map<String, String> suites = cache.suites();
      for (ServerBuilds.Build b : builds) {
        StringBuilder aliases = new StringBuilder();
        suites.forEach(
            (suite, v) -> {
              if (v.equals(b.version())) {
                aliases.append(aliases.length() == 0 ? " (" : ", ").append(suite);
              }
            });
        if (aliases.length() > 0) {
          aliases.append(")");
        }
        System.out.printf(
            "  %-20s %s%n  %-20s from %s, %s%n",
            b.version() + aliases, b.binary(), "", b.source(), b.fetchedAt());
      }
      return 0;
    }
  }

  public static void main(String[] args) {
    System.exit(Cli.run(new ServersCommand(), args));
  }
}
