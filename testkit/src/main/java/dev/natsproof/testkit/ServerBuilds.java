package dev.natsproof.testkit;

import dev.natsproof.results.ServerVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A cache of real {@code nats-server} builds, one folder per exact version ({@code
 * <cache>/<version>/nats-server} plus {@code build.properties} saying where it came from).
 *
 * <p>Builds come from Debian's archive (a suite name such as {@code trixie}, resolved to the newest
 * version that suite carries at fetch time, or an exact version searched for in the known suites),
 * from a local binary, or from a release archive ({@code .tar.gz}, {@code .zip}, {@code .deb}). The
 * Debian fetch never touches the system: a private apt configuration with its own state and cache
 * under the cache folder, {@code apt-get download}, then {@code dpkg-deb -x}.
 *
 * <p>The cache folder is {@code NATSPROOF_SERVER_CACHE}, else the system property {@code
 * natsproof.server.cache}, else {@code ~/.cache/natsproof/nats-server}.
 */
public final class ServerBuilds {
  public static final String CACHE_ENV = "NATSPROOF_SERVER_CACHE";
  public static final String CACHE_PROPERTY = "natsproof.server.cache";

  /** The Debian suites searched for an exact version, oldest first. */
  public static final List<String> DEBIAN_SUITES = List.of("bookworm", "trixie", "sid");

  private static final String PACKAGE = "nats-server";
  private static final String BINARY = "nats-server";
  private static final String BUILD_FILE = "build.properties";
  private static final String SUITES_DIR = "suites";
  private static final Pattern SUITE = Pattern.compile("[a-z][a-z0-9-]*");
  private static final String KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg";
  private static final String MIRROR = "http://deb.debian.org/debian";

  private final Path root;

  private ServerBuilds(Path root) {
    this.root = root.toAbsolutePath();
  }

  /** The cache at {@code root}. */
  public static ServerBuilds at(Path root) {
    return new ServerBuilds(root);
  }

  /** The cache named by the environment, the system property, or the default folder. */
  public static ServerBuilds defaults() {
    String env = System.getenv(CACHE_ENV);
    if (env != null && !env.isBlank()) {
      return at(Path.of(env));
    }
    String prop = System.getProperty(CACHE_PROPERTY);
    if (prop != null && !prop.isBlank()) {
      return at(Path.of(prop));
    }
    return at(Path.of(System.getProperty("user.home"), ".cache", "natsproof", "nats-server"));
  }

  public Path root() {
    return root;
  }

  /** One cached build: its exact version, binary, and where it came from. */
  public record Build(String version, Path binary, String source, String fetchedAt) {
    public NatsServerBinary toBinary() {
      return NatsServerBinary.of(binary);
    }
  }

  /** Every cached build, oldest version first. */
  public List<Build> list() {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    List<Build> out = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
      for (Path d : dirs) {
        readBuild(d).ifPresent(out::add);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the server cache " + root, e);
    }
    out.sort(Comparator.comparing(Build::version, ServerBuilds::compareVersions));
    return out;
  }

  /** The suites whose newest version was fetched, and that version (as last resolved). */
  public Map<String, String> suites() {
    Map<String, String> out = new LinkedHashMap<>();
    Path dir = root.resolve(SUITES_DIR);
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> files = Files.list(dir)) {
      files
          .sorted()
          .forEach(
              f -> {
                try {
                  out.put(f.getFileName().toString(), Files.readString(f).strip());
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + dir, e);
    }
    return out;
  }

  /**
   * The cached build of {@code versionOrSuite} (an exact version such as {@code 2.10.27}, or a
   * Debian suite fetched before), without fetching anything.
   */
  public Optional<Build> cached(String versionOrSuite) {
    String v = versionOrSuite.strip().replaceFirst("^v", "");
    if (!ServerVersion.isVersion(v)) {
      String resolved = suites().get(v);
      if (resolved == null) {
        return Optional.empty();
      }
      v = resolved;
    }
    return readBuild(root.resolve(v));
  }

  /**
   * The cached build, or an error that says how to get it. This is what tests call: they never
   * fetch on their own.
   */
  public Build require(String versionOrSuite) {
    return cached(versionOrSuite)
        .orElseThrow(
            () ->
                new NatsServerNotFoundException(
                    "nats-server "
                        + versionOrSuite
                        + " is not in the server cache "
                        + root
                        + " (cached: "
                        + describeCached()
                        + "): fetch it with `./natsproof servers get "
                        + versionOrSuite
                        + "`, or set "
                        + NatsServerBinary.ENV
                        + " to a binary"));
  }

  private String describeCached() {
    List<Build> all = list();
    if (all.isEmpty()) {
      return "none";
    }
    return String.join(", ", all.stream().map(Build::version).toList());
  }

  /**
   * Puts a build in the cache and returns it: {@code spec} is an exact version, a Debian suite
   * name, a path to a {@code nats-server} binary, or a path to a release archive.
   *
   * @throws NatsServerNotFoundException naming every place that was tried, when it cannot be had
   */
  public Build get(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException(
          "give a version (2.10.27), a Debian suite (bookworm, trixie, sid), a nats-server binary"
              + " or a release archive (.tar.gz, .zip, .deb)");
    }
    String s = spec.strip();
    Path asPath = Path.of(s);
    if (s.contains("/") || Files.exists(asPath)) {
      if (!Files.isRegularFile(asPath)) {
        throw new NatsServerNotFoundException(
            spec + " is not a file: give a nats-server binary or a release archive");
      }
      return fromFile(asPath);
    }
    String v = s.replaceFirst("^v", "");
    if (ServerVersion.isVersion(v)) {
      Optional<Build> have = readBuild(root.resolve(v));
      if (have.isPresent()) {
        return have.get();
      }
      return fromDebianVersion(v);
    }
    if (SUITE.matcher(s).matches()) {
      return fromDebianSuite(s);
    }
    throw new IllegalArgumentException(
        "'"
            + spec
            + "' is neither a version (2.10.27), a Debian suite name (bookworm, trixie, sid) nor a"
            + " path to a nats-server binary or release archive");
  }

  // ---------------------------------------------------------------- Debian

  private Build fromDebianSuite(String suite) {
    String debVersion;
    try {
      debVersion =
          candidate(suite)
              .orElseThrow(
                  () ->
                      new NatsServerNotFoundException(
                          "Debian suite "
                              + suite
                              + " carries no "
                              + PACKAGE
                              + " package ("
                              + MIRROR
                              + "): try one of "
                              + DEBIAN_SUITES));
    } catch (NatsServerNotFoundException e) {
      Optional<Build> old = cached(suite);
      if (old.isPresent() && isUnreachable(e)) {
        System.err.println(
            "natsproof: cannot reach Debian's archive ("
                + e.getMessage()
                + "); using the "
                + suite
                + " build fetched earlier: "
                + old.get().version());
        return old.get();
      }
      throw e;
    }
    String upstream = upstreamVersion(debVersion);
    Build b =
        readBuild(root.resolve(upstream))
            .orElseGet(() -> downloadDebian(suite, debVersion, upstream));
    writeAtomically(root.resolve(SUITES_DIR).resolve(suite), b.version() + "\n");
    return b;
  }

  private static boolean isUnreachable(NatsServerNotFoundException e) {
    return String.valueOf(e.getMessage()).contains("apt-get update");
  }

  private Build fromDebianVersion(String version) {
    List<String> tried = new ArrayList<>();
    for (String suite : DEBIAN_SUITES) {
      Optional<String> deb;
      try {
        deb = candidate(suite);
      } catch (NatsServerNotFoundException e) {
        tried.add(suite + " (" + e.getMessage() + ")");
        continue;
      }
      if (deb.isEmpty()) {
        tried.add(suite + " (no " + PACKAGE + ")");
        continue;
      }
      String upstream = upstreamVersion(deb.get());
      if (upstream.equals(version)) {
        Build b = downloadDebian(suite, deb.get(), upstream);
        writeAtomically(root.resolve(SUITES_DIR).resolve(suite), b.version() + "\n");
        return b;
      }
      tried.add(suite + " (" + deb.get() + ")");
    }
    throw new NatsServerNotFoundException(
        "nats-server "
            + version
            + " cannot be had here: Debian offers "
            + String.join(", ", tried)
            + ". Give a binary or a release archive instead:"
            + " ./natsproof servers get /path/to/nats-server-v"
            + version
            + "-linux-amd64.tar.gz");
  }

  /** The version of nats-server a suite offers today, e.g. {@code 2.10.27-1+b2}. */
  Optional<String> candidate(String suite) {
    Path apt = aptDir(suite);
    run(aptCommand(apt, "apt-get", "update", "-qq"), null, "apt-get update for Debian " + suite);
    String out =
        run(aptCommand(apt, "apt-cache", "madison", PACKAGE), null, "apt-cache madison " + suite);
    for (String line : out.split("\n")) {
      String[] cols = line.split("\\|");
      if (cols.length >= 3 && cols[0].strip().equals(PACKAGE)) {
        return Optional.of(cols[1].strip());
      }
    }
    return Optional.empty();
  }

  private Build downloadDebian(String suite, String debVersion, String upstream) {
    Path apt = aptDir(suite);
    Path work = tempDir("deb-" + upstream);
    try {
      run(
          aptCommand(apt, "apt-get", "download", "-qq", PACKAGE + "=" + debVersion),
          work,
          "apt-get download " + PACKAGE + "=" + debVersion + " from Debian " + suite);
      Path deb;
      try (Stream<Path> files = Files.list(work)) {
        deb =
            files
                .filter(f -> f.getFileName().toString().endsWith(".deb"))
                .findFirst()
                .orElseThrow(
                    () ->
                        new NatsServerNotFoundException(
                            "apt-get download left no .deb in " + work + " for " + debVersion));
      }
      Path binary = extractDeb(deb, work.resolve("x"));
      return install(
          binary, "debian " + suite + " " + PACKAGE + " " + debVersion, Optional.of(upstream));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot fetch nats-server " + debVersion, e);
    } finally {
      deleteTree(work);
    }
  }

  private Path aptDir(String suite) {
    Path d = root.resolve(".apt").resolve(suite);
    try {
      Files.createDirectories(d.resolve("state/lists/partial"));
      Files.createDirectories(d.resolve("cache/archives/partial"));
      Files.writeString(
          d.resolve("sources.list"),
          "deb [signed-by=" + KEYRING + "] " + MIRROR + " " + suite + " main\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + d, e);
    }
    return d;
  }

  private static List<String> aptCommand(Path apt, String tool, String... args) {
    List<String> c = new ArrayList<>();
    c.add(tool);
    c.add("-o");
    c.add("Dir::State=" + apt.resolve("state"));
    c.add("-o");
    c.add("Dir::Cache=" + apt.resolve("cache"));
    c.add("-o");
    c.add("Dir::Etc::SourceList=" + apt.resolve("sources.list"));
    c.add("-o");
    c.add("Dir::Etc::SourceParts=/dev/null");
    c.add("-o");
    c.add("Debug::NoLocking=1");
    c.addAll(List.of(args));
    return c;
  }

  /** {@code 1:2.10.27-1+b2} → {@code 2.10.27}: no epoch, no Debian revision. */
  static String upstreamVersion(String debVersion) {
    String v = debVersion.replaceFirst("^\\d+:", "");
    int dash = v.lastIndexOf('-');
    return dash > 0 ? v.substring(0, dash) : v;
  }

  // ---------------------------------------------------------------- files

  private Build fromFile(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    Path work = tempDir("file");
    try {
      Path binary;
      if (name.endsWith(".tar.gz") || name.endsWith(".tgz")) {
        Path x = Files.createDirectories(work.resolve("x"));
        run(
            List.of("tar", "-xzf", file.toAbsolutePath().toString(), "-C", x.toString()),
            null,
            "tar -xzf " + file);
        binary = findBinary(x, file);
      } else if (name.endsWith(".zip")) {
        binary = findBinary(unzip(file, work.resolve("x")), file);
      } else if (name.endsWith(".deb")) {
        binary = extractDeb(file, work.resolve("x"));
      } else {
        binary = file;
      }
      return install(binary, "file " + file.toAbsolutePath(), Optional.empty());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    } finally {
      deleteTree(work);
    }
  }

  private Path extractDeb(Path deb, Path into) throws IOException {
    Files.createDirectories(into);
    run(List.of("dpkg-deb", "-x", deb.toString(), into.toString()), null, "dpkg-deb -x " + deb);
    return findBinary(into, deb);
  }

  private static Path unzip(Path zip, Path into) throws IOException {
    Files.createDirectories(into);
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
      ZipEntry e;
      while ((e = in.getNextEntry()) != null) {
        Path target = into.resolve(e.getName()).normalize();
        if (!target.startsWith(into)) {
          throw new IOException(zip + " has an entry outside its folder: " + e.getName());
        }
        if (e.isDirectory()) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    return into;
  }

  private static Path findBinary(Path dir, Path from) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(f -> f.getFileName().toString().equals(BINARY) && Files.isRegularFile(f))
          .findFirst()
          .orElseThrow(
              () -> new NatsServerNotFoundException(from + " holds no file named " + BINARY));
    }
  }

  /** Copies a binary into {@code <cache>/<its version>/} after asking it for its version. */
  private Build install(Path binary, String source, Optional<String> expected) throws IOException {
    binary.toFile().setExecutable(true);
    String version = NatsServerBinary.of(binary).version();
    if (expected.isPresent() && !expected.get().equals(version)) {
      throw new NatsServerNotFoundException(
          source + " reports version " + version + ", not " + expected.get());
    }
    Path dir = root.resolve(version);
    Path tmp = Files.createDirectories(root).resolve("." + version + "-" + System.nanoTime());
    Files.createDirectories(tmp);
    Path target = tmp.resolve(BINARY);
    Files.copy(binary, target, StandardCopyOption.REPLACE_EXISTING);
    Files.setPosixFilePermissions(
        target,
        EnumSet.of(
            PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.OWNER_EXECUTE,
            PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_EXECUTE));
    Properties p = new Properties();
    p.setProperty("version", version);
    p.setProperty("source", source);
    p.setProperty("fetchedAt", Instant.now().toString());
    try (var out = Files.newOutputStream(tmp.resolve(BUILD_FILE))) {
      p.store(out, "natsproof server build");
    }
    deleteTree(dir);
    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
    return readBuild(dir).orElseThrow();
  }

  private static Optional<Build> readBuild(Path dir) {
    Path props = dir.resolve(BUILD_FILE);
    Path bin = dir.resolve(BINARY);
    if (!Files.isRegularFile(props) || !Files.isExecutable(bin)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(props)) {
      p.load(in);
    } catch (IOException e) {
      return Optional.empty();
    }
    return Optional.of(
        new Build(
            p.getProperty("version", dir.getFileName().toString()),
            bin,
            p.getProperty("source", "unknown"),
            p.getProperty("fetchedAt", "")));
  }

  private Path tempDir(String what) {
    try {
      Files.createDirectories(root);
      return Files.createTempDirectory(root, "." + what + "-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a work folder under " + root, e);
    }
  }

  private static void writeAtomically(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling("." + file.getFileName() + "-" + System.nanoTime());
      Files.writeString(tmp, text);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static void deleteTree(Path p) {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> all = Files.walk(p)) {
      for (Path f : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + p, e);
    }
  }

  /** Runs a tool to the end (bounded: 5 minutes) and returns its output, or names its failure. */
  private static String run(List<String> command, Path dir, String what) {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    if (dir != null) {
      pb.directory(dir.toFile());
    }
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new NatsServerNotFoundException(
          what + ": cannot run " + command.get(0) + " (" + e.getMessage() + ")");
    }
    try {
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new NatsServerNotFoundException(what + ": did not finish within 5 minutes");
      }
      String text = new String(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new NatsServerNotFoundException(
            what + " failed (exit " + p.exitValue() + "): " + text.strip());
      }
      return text;
    } catch (IOException e) {
      throw new NatsServerNotFoundException(what + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new NatsServerNotFoundException(what + ": interrupted");
    }
  }

  /** Orders {@code 2.9.10} before {@code 2.10.0}; anything after the third number is ignored. */
  public static int compareVersions(String a, String b) {
    return ServerVersion.parse(a).compareTo(ServerVersion.parse(b));
  }
}
