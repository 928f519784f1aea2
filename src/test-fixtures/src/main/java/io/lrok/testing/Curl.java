package io.lrok.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * curl as a test's public client, through {@link ExternalPrograms}: without curl a test is skipped locally and
 * fails in CI ({@code LROK_STRICT_TESTS=1}).
 */
public final class Curl {
  /** How to get curl, for the skip or failure message. */
  public static final String INSTALL = "apt-get install curl";

  private Curl() {}

  /** What one curl run did. */
  public record Result(int exit, String out, String err) {}

  /**
   * Finds curl on the PATH, or skips (fails, in CI) the calling test.
   *
   * @return the curl executable
   */
  public static Path require() {
    var found = ExternalPrograms.findOnPath("curl");
    ExternalPrograms.require("curl", found.isPresent(), INSTALL);
    return found.orElseThrow();
  }

  /**
   * A process builder for curl with these arguments, for a test that streams to or from it.
   *
   * @param args curl's arguments
   * @return the builder; nothing is started
   */
  public static ProcessBuilder command(String... args) {
    List<String> command = new ArrayList<>();
    command.add(require().toString());
    command.addAll(List.of(args));
    return new ProcessBuilder(command);
  }

  /**
   * Runs curl to its end, with {@code --max-time} set to the bound, and collects what it printed (as UTF-8).
   *
   * @param bound the longest the run may take; curl gives up after it and the process is killed soon after
   * @param args curl's arguments
   * @return its exit code and output
   */
  public static Result run(Duration bound, String... args) throws IOException, InterruptedException {
    List<String> all = new ArrayList<>(List.of("--max-time", Long.toString(Math.max(1, bound.toSeconds()))));
    all.addAll(List.of(args));
    Process process = command(all.toArray(String[]::new)).redirectInput(ProcessBuilder.Redirect.PIPE).start();
    process.getOutputStream().close();
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
    String out = readAll(process.getInputStream());
    if (!process.waitFor(bound.toSeconds() + 10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("curl did not finish within " + bound + ": " + all);
    }
    return new Result(process.exitValue(), out, err.join());
  }

  /** Reads a stream to its end as UTF-8. */
  public static String readAll(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The file name curl is given for {@code --data-binary @file}: an absolute path, so the working directory does not matter. */
  public static String at(Path file) {
    return "@" + file.toAbsolutePath();
  }
}
