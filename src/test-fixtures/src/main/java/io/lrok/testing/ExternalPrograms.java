package io.lrok.testing;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Tests that need a program that is not part of the JDK (Go, a yamux source tree, ...) call
 * {@link #require}: on a developer machine without it the test is skipped with a message that
 * says what to install; in CI ({@code LROK_STRICT_TESTS=1}) a missing program fails the test,
 * so that nothing is silently skipped there.
 */
public final class ExternalPrograms {

  /** The environment variable that turns skips into failures; CI sets it to {@code 1}. */
  public static final String STRICT_ENV = "LROK_STRICT_TESTS";

  private ExternalPrograms() {}

  /** Whether missing programs fail tests instead of skipping them ({@code LROK_STRICT_TESTS=1}). */
  public static boolean strict() {
    return "1".equals(System.getenv(STRICT_ENV));
  }

  /**
   * Does nothing if {@code available}; otherwise aborts the calling test (JUnit skip) or, when
   * {@link #strict()}, throws an {@link AssertionError}.
   *
   * @param what what is missing, e.g. "Go (the go command)"
   * @param available whether it was found
   * @param howToInstall how to get it, e.g. "apt-get install golang-go"
   */
  public static void require(String what, boolean available, String howToInstall) {
    if (available) {
      return;
    }
    if (strict()) {
      throw new AssertionError(what + " is required in CI: " + howToInstall
          + " (" + STRICT_ENV + "=1 turns this skip into a failure)");
    }
    Assumptions.abort(what + " is not available, so this test is skipped. To run it: " + howToInstall
        + " (with " + STRICT_ENV + "=1, as in CI, this is a failure)");
  }

  /** The first executable regular file named {@code exe} in a directory of {@code PATH}. */
  public static Optional<Path> findOnPath(String exe) {
    String path = System.getenv("PATH");
    if (path == null || path.isEmpty()) {
      return Optional.empty();
    }
    boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");
    String[] suffixes = windows ? new String[] {"", ".exe", ".cmd", ".bat"} : new String[] {""};
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      for (String suffix : suffixes) {
        Path candidate;
        try {
          candidate = Path.of(dir, exe + suffix);
        } catch (RuntimeException invalid) {
          continue;
        }
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }
}
