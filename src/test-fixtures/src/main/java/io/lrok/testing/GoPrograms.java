package io.lrok.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Builds the Go programs kept as resources under {@code io/lrok/testing/go/<name>/main.go}
 * ({@code yamuxpeer}, {@code yamuxbench}) with the local Go toolchain and the Debian-packaged
 * hashicorp/yamux source, offline: {@code GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS=}.
 *
 * <p>Binaries are cached in {@code ${java.io.tmpdir}/lrok-go/<sha256 of main.go>/<name>}: built
 * once per source version, and moved into place atomically, so concurrent builds (threads or
 * JVMs) are safe. The GOPATH can be changed with the environment variable {@code LROK_GOPATH}.
 * Without Go or the yamux source, tests are skipped (or fail in CI), see {@link ExternalPrograms}.
 */
public final class GoPrograms {

  /** What to install when Go or the yamux source is missing. */
  public static final String INSTALL_HINT =
      "apt-get install golang-go golang-github-hashicorp-yamux-dev";

  private static final String DEFAULT_GOPATH = "/usr/share/gocode";
  private static final long BUILD_TIMEOUT_SECONDS = 300;
  private static final Map<String, Object> LOCKS = new ConcurrentHashMap<>();

  private GoPrograms() {}

  /** The GOPATH holding {@code src/github.com/hashicorp/yamux}. */
  public static Path gopath() {
    String env = System.getenv("LROK_GOPATH");
    return Path.of(env != null && !env.isBlank() ? env : DEFAULT_GOPATH);
  }

  /** The hashicorp/yamux source directory used for builds. */
  public static Path yamuxSource() {
    return gopath().resolve("src/github.com/hashicorp/yamux");
  }

  /** The cache root: {@code ${java.io.tmpdir}/lrok-go}. */
  public static Path cacheRoot() {
    return Path.of(System.getProperty("java.io.tmpdir"), "lrok-go");
  }

  /**
   * Returns the binary built from resource {@code io/lrok/testing/go/<name>/main.go}, building it
   * if it is not cached yet. Skips the calling test (fails in CI) when Go or the yamux source is
   * missing; a failed build is an {@link AssertionError} carrying go's output.
   */
  public static Path build(String name) {
    if (!name.matches("[a-z0-9_-]+")) {
      throw new IllegalArgumentException("bad program name: " + name);
    }
    byte[] source = readSource(name);
    Path go = ExternalPrograms.findOnPath("go").orElse(null);
    ExternalPrograms.require("Go (the 'go' command, to build " + name + ")", go != null, INSTALL_HINT);
    ExternalPrograms.require("the hashicorp/yamux Go source (" + yamuxSource() + ")",
        Files.isRegularFile(yamuxSource().resolve("session.go")), INSTALL_HINT);

    Path target = cacheRoot().resolve(TestData.sha256Hex(source)).resolve(name);
    if (Files.isExecutable(target)) {
      return target;
    }
    synchronized (LOCKS.computeIfAbsent(name, n -> new Object())) {
      if (Files.isExecutable(target)) {
        return target;
      }
      try {
        compile(go, name, source, target);
      } catch (IOException e) {
        throw new UncheckedIOException("building " + name + " into " + target, e);
      }
      return target;
    }
  }

  private static byte[] readSource(String name) {
    String resource = "io/lrok/testing/go/" + name + "/main.go";
    try (InputStream in = GoPrograms.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no Go program resource " + resource);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + resource, e);
    }
  }

  private static void compile(Path go, String name, byte[] source, Path target) throws IOException {
    Files.createDirectories(target.getParent());
    Path work = Files.createTempDirectory(cacheRoot(), "build-" + name + "-");
    try {
      Files.write(work.resolve("main.go"), source);
      Path out = work.resolve(name);
      ProcessBuilder pb = new ProcessBuilder(go.toString(), "build", "-o", out.toString(), "main.go")
          .directory(work.toFile())
          .redirectErrorStream(true);
      Map<String, String> env = pb.environment();
      env.put("GO111MODULE", "off");
      env.put("GOPATH", gopath().toString());
      env.put("GOFLAGS", "");
      env.put("GOCACHE", cacheRoot().resolve("gocache").toString());
      env.put("CGO_ENABLED", "0"); // no C toolchain needed
      Process p = pb.start();
      p.getOutputStream().close();
      ByteArrayOutputStream output = new ByteArrayOutputStream();
      Thread drain = Thread.ofPlatform().daemon().name("go-build-" + name).start(() -> {
        try (InputStream in = p.getInputStream()) {
          in.transferTo(output);
        } catch (IOException ignored) {
          // the process died; its exit code tells
        }
      });
      boolean exited;
      try {
        exited = p.waitFor(BUILD_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!exited) {
          p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        drain.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
        throw new AssertionError("interrupted while building " + name, e);
      }
      String text = output.toString(StandardCharsets.UTF_8);
      if (!exited) {
        throw new AssertionError("go build of " + name + " did not finish within "
            + BUILD_TIMEOUT_SECONDS + " s; output:\n" + text);
      }
      if (p.exitValue() != 0 || !Files.isRegularFile(out)) {
        throw new AssertionError("go build of " + name + " failed (exit " + p.exitValue() + ") in "
            + work + " with GOPATH=" + gopath() + ":\n" + text);
      }
      try {
        Files.move(out, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
        // Another JVM won the race (or the file system cannot rename over): use theirs.
        if (!Files.isExecutable(target)) {
          throw e;
        }
      }
    } finally {
      deleteTree(work);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException ignored) {
          // best effort: it is a temporary directory
        }
      });
    } catch (IOException ignored) {
      // best effort
    }
  }
}
